"""Controls of the exposure domain."""
