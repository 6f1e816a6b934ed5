"""Handlers for citizens, one module per capability."""
