"""Controls of the gitops domain."""
