"""Alembic environment: the models' metadata, the URL from DATABASE_URL. Run before start, never at import."""

from alembic import context
from sqlmodel import SQLModel

import reseller_app.models  # noqa: F401  (registers the tables)
from reseller_app.config import settings
from reseller_app.db import make_engine

target_metadata = SQLModel.metadata


def _url() -> str:
    return context.config.get_main_option("sqlalchemy.url") or settings.database_url


def _configure(**kw) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=True,
        user_module_prefix="rt.",
        **kw,
    )


if context.is_offline_mode():
    _configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connectable = context.config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(_url())
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
        engine.dispose()
    else:
        _configure(connection=connectable)
        with context.begin_transaction():
            context.run_migrations()
