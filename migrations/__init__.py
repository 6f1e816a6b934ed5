"""Alembic migrations of cachly's schema."""
