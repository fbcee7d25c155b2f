"""One module per command group. Each parses arguments, calls the core, and renders the result."""
