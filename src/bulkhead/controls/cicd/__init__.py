"""Controls of the cicd domain."""
