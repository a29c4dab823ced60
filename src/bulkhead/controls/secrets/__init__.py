"""Controls of the secrets domain."""
