"""Controls of the traefik domain."""
