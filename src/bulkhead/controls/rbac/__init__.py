"""Controls of the rbac domain."""
