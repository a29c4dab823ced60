"""Controls of the odoo domain."""
