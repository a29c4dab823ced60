"""Controls of the network domain: NetworkPolicy coverage and isolation."""
