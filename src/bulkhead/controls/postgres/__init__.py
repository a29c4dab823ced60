"""Controls of the postgres domain."""
