"""The workflow store: SQLAlchemy models, Alembic migrations, sessions with an audit trail."""
