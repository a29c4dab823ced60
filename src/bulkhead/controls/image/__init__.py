"""Controls of the image domain."""
