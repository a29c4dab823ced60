"""Controls of the dockerfile domain."""
