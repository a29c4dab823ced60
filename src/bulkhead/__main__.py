"""`python -m bulkhead`."""

from bulkhead.cli import run

if __name__ == "__main__":
    run()
