"""Alembic environment: runs on the connection handed in by models.db.database.migrate."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from models.db import tables_digest  # noqa: F401  (the digest's tables join Base.metadata)
from models.db import tables_jobs  # noqa: F401  (the background jobs join Base.metadata)
from models.db import tables_reports  # noqa: F401  (report headings join Base.metadata)
from models.db import tables_assignments  # noqa: F401  (a round's assigned tasks join Base.metadata)
from models.db import tables_attachments  # noqa: F401  (the units' attached files join Base.metadata)
from models.db.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=conn.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
