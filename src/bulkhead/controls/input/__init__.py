"""Controls of the input domain."""
