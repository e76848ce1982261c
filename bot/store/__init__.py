"""Persistence: SQLAlchemy 2.0 models, engine set-up and migrations (Alembic)."""
