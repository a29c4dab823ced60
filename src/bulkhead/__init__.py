"""bulkhead: secure-delivery control plane for Odoo SaaS on Kubernetes."""

__version__ = "0.1.0"
