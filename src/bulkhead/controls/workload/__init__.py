"""Controls of the workload domain."""
