"""Persistence: SQLModel tables, engines and transactions, Alembic migrations, the change feed."""
