"""The `infoscreen` command: run the whole system, one process role, migrations or bootstrap."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app import __version__
from app.config import ConfigurationError, Settings, load_settings
from app.logging_setup import configure_logging


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as exc:
        print(f"infoscreen: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _serve(role: str) -> int:
    from app.runtime import ProcessRunner, Role

    settings = _settings()
    configure_logging(settings.log_level)
    try:
        asyncio.run(ProcessRunner(settings, Role(role)).serve())
    except ConfigurationError as exc:
        print(f"infoscreen: {exc}", file=sys.stderr)
        return 2
    except ConnectionError as exc:
        # An expected start-up failure (broker unreachable, wrong MQTT_PASSWORD): one line, no traceback.
        print(f"infoscreen: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from app.migrations import downgrade, upgrade

    settings = _settings()
    configure_logging(settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if args.downgrade:
        downgrade(settings.database_url, args.downgrade)
    else:
        upgrade(settings.database_url, args.revision)
    print(f"database at revision {args.downgrade or args.revision}")
    return 0


def _bootstrap() -> int:
    from app.container import Container
    from app.runtime import migrate_and_bootstrap

    settings = _settings()
    configure_logging(settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def go() -> None:
        container = Container.create(settings)
        try:
            await migrate_and_bootstrap(container)
        finally:
            await container.close()

    try:
        asyncio.run(go())
    except ConfigurationError as exc:
        print(f"infoscreen: {exc}", file=sys.stderr)
        return 2
    print("bootstrap complete")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="infoscreen", description=__doc__)
    parser.add_argument("--version", action="version", version=f"infoscreen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="everything in one process (embedded broker, SQLite and worker by default)")
    sub.add_parser("api", help="HTTP: GraphQL, GraphiQL, dashboard, files and /health")
    sub.add_parser("mqtt", help="MQTT ingest, publishers and the scheduler loop")
    sub.add_parser("worker", help="Dramatiq worker on Redis (REDIS_URL)")
    migrate = sub.add_parser("migrate", help="apply Alembic migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.add_argument("--downgrade", metavar="REVISION", help="downgrade to REVISION (e.g. base)")
    sub.add_parser("bootstrap", help="migrate, then create default settings, superadmin and periods")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("run", "api", "mqtt", "worker"):
        return _serve(args.command)
    if args.command == "migrate":
        return _migrate(args)
    if args.command == "bootstrap":
        return _bootstrap()
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
