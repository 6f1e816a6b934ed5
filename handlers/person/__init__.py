"""Handlers for people in isolation, one module per capability."""
