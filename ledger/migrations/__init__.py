"""Alembic migrations of the books, for SQLite and PostgreSQL alike."""
