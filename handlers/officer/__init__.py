"""Handlers for officers and supervisors, one module per capability."""
