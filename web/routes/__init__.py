"""The desk's routes, one module per area."""
