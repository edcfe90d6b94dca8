"""The `kvalitet` command."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from kvalitet.cli import bulk as bulk_commands
from kvalitet.cli import indicators as indicator_commands
from kvalitet.cli import units as units_commands
from kvalitet.cli.support import database_url, log, run_service, settings_with, with_database
from kvalitet.infra.log import configure_logging
from kvalitet.infra.settings import Settings

app = typer.Typer(
    help="kvalitet: GraphQL backend for municipal quality-development plans.",
    no_args_is_help=True,
    # Local variables in tracebacks would print database URLs and tokens.
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
profiles_app = typer.Typer(help="Installed profiles.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(profiles_app, name="profiles")
app.add_typer(schema_app, name="schema")
token_app = typer.Typer(help="Local development tokens.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys for integrators.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(apikey_app, name="apikey")
units_app = typer.Typer(help="Units, and the national registers of schools and kindergartens.", no_args_is_help=True)
app.add_typer(units_app, name="units")


class ConnectionBudgetExceeded(Exception):
    """The workers' pools could open more connections than the database server accepts."""


@app.command()
def serve(
    demo: Annotated[
        bool, typer.Option(help="Load demo data (every installed profile's municipality and plan).")
    ] = False,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
    migrate: Annotated[bool, typer.Option(help="Apply pending migrations before serving.")] = True,
) -> None:
    """Start the service (GraphiQL at http://HOST:PORT/graphql)."""
    import uvicorn

    settings = settings_with(host=host, port=port, workers=workers)
    configure_logging(settings.log_level, settings.log_json)
    log.info("settings", **settings.redacted())
    if settings.local_tokens:
        from kvalitet.auth.local_tokens import key_path, signing_key

        signing_key(settings.data_dir)  # `kvalitet token create` signs with this key
        log.info("local_tokens.key", path=str(key_path(settings.data_dir).resolve()))
    url, server = database_url(settings)
    if server is not None:
        from kvalitet.infra.embedded import start_guard

        start_guard(server)  # stops the server even if this process is killed outright
    # Workers read the URL from the environment: the embedded server is started once, here.
    os.environ["KVALITET_DATABASE_URL"] = url

    async def prepare(database):
        from kvalitet.db.budget import budget
        from kvalitet.db.migrate import upgrade

        if settings.db_connection_check != "off":
            found = await budget(
                database,
                settings.workers,
                settings.db_pool_size,
                reads_elsewhere=settings.read_database_url is not None,
            )
            if not found.fits and settings.db_connection_check == "refuse":
                raise ConnectionBudgetExceeded(found.explain())
            if not found.fits:
                log.warning("db.connection_budget", problem=found.explain())

        if migrate and settings.auto_migrate:
            await upgrade(database.engine)
            log.info("migrations.applied")
        if demo:
            await _load_demo(database, settings)

    try:
        asyncio.run(with_database(url, prepare))
    except ConnectionBudgetExceeded as refused:
        if server is not None:
            server.stop()
        typer.echo(f"kvalitet serve: {refused}", err=True)
        raise typer.Exit(2) from None
    log.info("serving", url=f"http://{settings.host}:{settings.port}/graphql", workers=settings.workers)
    # uvicorn shuts down gracefully on SIGTERM and then re-raises it; with Python's default
    # handler that would kill the process before the embedded server is stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    # Each worker holds its share of what is per process (the rate limits): it must know how many there are.
    os.environ["KVALITET_WORKERS"] = str(settings.workers)
    metrics_dir = None
    if settings.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each worker counts into files here, and a scrape adds them up (kvalitet.infra.metrics).
        metrics_dir = tempfile.mkdtemp(prefix="kvalitet-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        uvicorn.run(
            "kvalitet.app:create_app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level=settings.log_level,
            log_config=None,
            timeout_graceful_shutdown=settings.shutdown_drain_seconds,  # the service's logging (configure_logging): JSON lines when asked for
            # httptools with limits on how long and how large a request's head may be
            http="kvalitet.web.protocol:ServiceHttpProtocol",
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
        if server is not None:
            server.stop()
            log.info("embedded_postgres.stopped")


async def _load_demo(database, settings: Settings) -> None:
    from kvalitet.plugins import Profiles, new_plugin_manager
    from kvalitet.services.demo import load_demo

    profiles = Profiles(new_plugin_manager(data_dirs=settings.profile_dirs))
    async with database.session() as session, session.begin():
        created = await load_demo(session, profiles)
    log.info("demo.loaded", **created)


@app.command("demo")
def demo_command() -> None:
    """Load the demo data into the database (without serving)."""
    settings = settings_with()
    configure_logging(settings.log_level, settings.log_json)
    url, server = database_url(settings)
    asyncio.run(with_database(url, lambda database: _load_demo(database, settings)))


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION."""
    from kvalitet.db.migrate import upgrade

    settings = settings_with()
    configure_logging(settings.log_level, settings.log_json)
    url, server = database_url(settings)
    asyncio.run(with_database(url, lambda database: upgrade(database.engine, revision)))
    typer.echo(f"upgraded to {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")]) -> None:
    """Revert migrations down to REVISION."""
    from kvalitet.db.migrate import downgrade

    settings = settings_with()
    configure_logging(settings.log_level, settings.log_json)
    url, server = database_url(settings)
    asyncio.run(with_database(url, lambda database: downgrade(database.engine, revision)))
    typer.echo(f"downgraded to {revision}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the newest one."""
    from kvalitet.db.migrate import current_revision, head_revision

    settings = settings_with()
    configure_logging(settings.log_level, settings.log_json)
    url, server = database_url(settings)
    current = asyncio.run(with_database(url, lambda database: current_revision(database.engine)))
    head = head_revision()
    state = "up to date" if current == head else "migrations pending"
    typer.echo(f"current: {current or 'empty'}\nhead:    {head}\n{state}")


@profiles_app.command("list")
def profiles_list() -> None:
    """List the installed profiles."""
    from kvalitet.plugins import Profiles, new_plugin_manager

    settings = settings_with()
    profiles = Profiles(new_plugin_manager(data_dirs=settings.profile_dirs))
    for info in profiles.all():
        numbers = ", ".join(info.municipality_numbers) or "-"
        typer.echo(f"{info.code}\t{numbers}\t{info.name}")


@schema_app.command("export")
def schema_export(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
) -> None:
    """Print the GraphQL schema (SDL) of the installed profiles."""
    from kvalitet.plugins import Profiles, new_plugin_manager
    from kvalitet.schema import build_schema, schema_sdl

    settings = settings_with()
    sdl = schema_sdl(build_schema(Profiles(new_plugin_manager(data_dirs=settings.profile_dirs))))
    if out is None:
        typer.echo(sdl, nl=False)
    else:
        out.write_text(sdl, encoding="utf-8")
        typer.echo(f"wrote {out}")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="sector_admin, unit_leader, staff or viewer.")],
    municipality: Annotated[str | None, typer.Option(help="The municipality number the role is for.")] = None,
    unit: Annotated[
        str | None, typer.Option(help="The unit the role is for: its organisation number, id or global id.")
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option(help="Who the token is for (shown in the change log); by default one name per role and target."),
    ] = None,
    hours: Annotated[float, typer.Option(help="How long the token is valid.")] = 8.0,
) -> None:
    """Print a development token, signed with the key of the service that uses the same data
    directory (KVALITET_DATA_DIR); `kvalitet serve` makes that key when it starts."""
    import dataclasses
    import datetime as dt

    from kvalitet.auth.claims import ClaimError, parse_roles
    from kvalitet.auth.local_tokens import NoServiceKey, create_token

    settings = settings_with()
    claim = {
        "role": role,
        **({"municipality": municipality} if municipality else {}),
        **({"unit": unit} if unit else {}),
    }
    try:
        (parsed,) = parse_roles([claim])
    except ClaimError as error:
        raise typer.BadParameter(str(error)) from error
    if not 0 < hours <= 24 * 366:
        raise typer.BadParameter("hours must be between 0 and 8784")
    # The claim as parsed: a global id becomes the unit's UUID, which the service looks up.
    claim = {key: value for key, value in dataclasses.asdict(parsed).items() if value is not None}
    # Distinct default subjects: two developers' tokens are two callers (their idempotency
    # keys and change-log entries never meet).
    subject = subject or f"dev:{parsed.role}@{parsed.municipality or 'unit:' + str(parsed.unit)}"
    try:
        token = create_token(
            settings.data_dir, subject=subject, roles=[claim], ttl=dt.timedelta(hours=hours), create_key=False
        )
    except NoServiceKey as missing:
        typer.echo(
            f"No service key at {missing.path.resolve()}.\n"
            "`kvalitet serve` makes it there when it starts with local tokens on. Run this command with the "
            f"service's data directory (KVALITET_DATA_DIR; here {settings.data_dir.resolve()}), or start the service "
            "first.",
            err=True,
        )
        raise typer.Exit(1) from None
    typer.echo(token)


@apikey_app.command("create")
def apikey_create(
    municipality: Annotated[str, typer.Option(help="The municipality number the key is for.")],
    name: Annotated[str, typer.Option(help="Who or what uses the key.")],
    scope: Annotated[list[str], typer.Option(help="A scope (repeat): read, units:write, reports:write …")],
) -> None:
    """Make an API key and print it (this once only)."""
    from sqlalchemy import select

    from kvalitet.auth.api_keys import create_api_key
    from kvalitet.models import Municipality
    from kvalitet.services.errors import NOT_FOUND, fail

    async def work(service):
        municipality_id = await service.session.scalar(
            select(Municipality.id).where(Municipality.number == municipality)
        )
        if municipality_id is None:
            fail(NOT_FOUND, f"No municipality {municipality}.")
        return await create_api_key(service, municipality_id, name, scope)

    row, key = run_service(work)
    typer.echo(f"{key}\n(prefix {row.prefix}; scopes {', '.join(row.scopes)}; shown once)")


@apikey_app.command("revoke")
def apikey_revoke(prefix: Annotated[str, typer.Argument(help="The key's prefix (kv_<prefix>_…).")]) -> None:
    """Revoke an API key by its prefix."""
    from sqlalchemy import select

    from kvalitet.auth.api_keys import revoke_api_key
    from kvalitet.models import ApiKey
    from kvalitet.services.errors import NOT_FOUND, fail

    async def work(service):
        row = await service.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix.removeprefix("kv_")))
        if row is None:
            fail(NOT_FOUND, f"No API key with prefix {prefix}.")
        return await revoke_api_key(service, row.id, row.version)

    run_service(work)
    typer.echo(f"revoked {prefix}")


@app.command()
def worker() -> None:
    """Deliver webhooks, refresh the indicators of `KVALITET_INDICATOR_REFRESH` and sync the units
    of `KVALITET_REGISTER_SYNC` with the registers until stopped (as `serve` does in each
    process, without the API)."""
    from kvalitet.indicators.refresh import run as run_refresh
    from kvalitet.registers.sync import run as run_register_sync
    from kvalitet.webhooks.worker import run

    settings = settings_with()
    configure_logging(settings.log_level, settings.log_json)
    url, server = database_url(settings)

    async def main(database):
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        log.info("webhook_worker.started", indicator_refresh=len(settings.indicator_refresh))
        from kvalitet.infra import tracing

        tracing.configure()
        tracing.trace_statements(database.engine)
        if settings.worker_metrics_port is not None:
            from prometheus_client import start_http_server

            from kvalitet.infra import metrics

            start_http_server(settings.worker_metrics_port, addr=settings.host, registry=metrics.registry())
        await asyncio.gather(
            run(database.engine, settings, stop),
            run_refresh(database, settings, stop),
            run_register_sync(database, settings, stop),
        )

    asyncio.run(with_database(url, main))


bulk_commands.register(app)
indicator_commands.register(app)
units_commands.register(units_app)
