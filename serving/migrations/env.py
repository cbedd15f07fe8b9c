"""Alembic environment: runs on the connection handed in by ``serving.database``."""

from alembic import context

from serving.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `casetriage db upgrade`, which supplies the database")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
