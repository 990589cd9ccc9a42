"""The service's command: serve the API or migrate its database."""

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .about import DISTRIBUTION, PACKAGE

# The application (pydantic, FastAPI, SQLAlchemy, uvicorn, ...) is imported by
# the command that needs it, not here: `--help` and a mistyped command answer
# at once instead of after seconds of imports.
if TYPE_CHECKING:
    from .core.settings.config import Settings


def serve(settings: "Settings", *, reload: bool = False) -> None:
    """Run uvicorn with the application factory; `reload` restarts it on code changes."""
    import uvicorn  # noqa: PLC0415 - see the module's imports

    from .observability.logging import configure_logging  # noqa: PLC0415

    server = settings.server
    # Our logging, not uvicorn's: one format from the first line on, and the
    # access log is written by the application (with route and request id).
    configure_logging(settings)
    uvicorn.run(
        f"{PACKAGE}.main:create_app",
        factory=True,
        reload=reload,
        host=server.host,
        port=server.port,
        # Behind a load balancer the client address and scheme come from
        # X-Forwarded-*; only the proxies listed in FORWARDED_ALLOW_IPS are believed.
        proxy_headers=True,
        forwarded_allow_ips=server.forwarded_allow_ips,
        timeout_graceful_shutdown=server.shutdown_timeout,
        log_level=settings.log_level.lower(),
        log_config=None,
        access_log=False,
        server_header=False,
        # uvicorn's default protocol (httptools) with deadlines on each request's
        # head and body, a size bound on its head, and MAX_CONNECTIONS enforced
        # as connections open (core/http/protocol.py).
        http=f"{PACKAGE}.core.http.protocol:BoundedHttpToolsProtocol",
        timeout_keep_alive=server.keep_alive_timeout,
        limit_concurrency=server.max_connections,
        # The service serves no WebSockets: an upgrade request is a plain request.
        ws="none",
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog=DISTRIBUTION, description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_command = commands.add_parser(
        "serve", help="run the HTTP server (HOST, PORT and more from settings)"
    )
    serve_command.add_argument(
        "--reload", action="store_true", help="restart on code changes (development only)"
    )
    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("revision", nargs="?", default="head", help="target (default: head)")
    admin = commands.add_parser(
        "create-admin", help="create an admin account (password from ADMIN_PASSWORD or a prompt)"
    )
    admin.add_argument("email")
    args = parser.parse_args(argv)

    from .core.settings.config import get_settings  # noqa: PLC0415
    from .core.settings.errors import exit_on_configuration_error  # noqa: PLC0415

    with exit_on_configuration_error():
        settings = get_settings()
    if args.command == "serve":
        serve(settings, reload=args.reload)
    elif args.command == "create-admin":
        from .observability.logging import configure_logging  # noqa: PLC0415
        from .users.bootstrap import create_admin, read_password  # noqa: PLC0415

        # The account's audit entry is logged too, in the service's format.
        configure_logging(settings)
        print(f"created admin {create_admin(settings, args.email, read_password())}")  # noqa: T201
    else:
        migrate_database(settings, args.revision)


def migrate_database(settings: "Settings", revision: str) -> None:
    """Migrate to `revision` and say what changed, so a silent success is not a mystery."""
    from .core.database.migrations import upgrade  # noqa: PLC0415

    before, after = upgrade(settings.database.url.get_secret_value(), revision)
    if before == after:
        print(f"database already at revision {_revisions(after)}, nothing to do")  # noqa: T201
    else:
        print(f"database migrated from {_revisions(before)} to {_revisions(after)}")  # noqa: T201


def _revisions(heads: tuple[str, ...]) -> str:
    return ", ".join(heads) or "an empty database"
