"""Alembic, driven from code so the `migrate` command works without alembic.ini.

The migration scripts ship inside the package, so the container image can run
them as a one-off task with nothing but the installed package.
"""

from alembic import command
from alembic.config import Config

from ...about import PACKAGE

SCRIPT_LOCATION = f"{PACKAGE}:migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration that migrates the database at `database_url`."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Migrate the database up to `revision`; the revisions it was at before and is at now."""
    config = alembic_config(database_url)
    command.upgrade(config, revision)
    # Recorded by migrations/env.py inside the migration's transaction.
    heads: tuple[tuple[str, ...], tuple[str, ...]] = config.attributes["heads"]
    return heads


def downgrade(database_url: str, revision: str) -> None:
    """Migrate the database down to `revision`."""
    command.downgrade(alembic_config(database_url), revision)
