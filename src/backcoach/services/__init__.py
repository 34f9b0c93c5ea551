"""Services: the use cases the CLI and the web app share (they own the transactions)."""
