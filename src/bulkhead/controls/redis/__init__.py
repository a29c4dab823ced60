"""Controls of the redis domain."""
