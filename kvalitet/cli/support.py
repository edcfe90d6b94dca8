"""What the commands share: settings with overrides, the database (configured or embedded),
and running a service function in one transaction as the system."""

from __future__ import annotations

import asyncio

import typer
from pydantic import ValidationError

from kvalitet.infra.log import configure_logging, get_logger
from kvalitet.infra.settings import Settings

log = get_logger("kvalitet.cli")


def settings_with(**overrides) -> Settings:
    """The settings, with the command's options over them. A setting that cannot be used stops
    the command with one line per problem, naming the variable (not a traceback)."""
    try:
        settings = Settings()
    except ValidationError as error:
        for problem in error.errors():
            name = "KVALITET_" + str(problem["loc"][0]).upper()
            where = ".".join(str(part) for part in problem["loc"][1:])
            typer.echo(f"{name}{f' ({where})' if where else ''}: {problem['msg']}", err=True)
        raise typer.Exit(2) from None
    values = {k: v for k, v in overrides.items() if v is not None}
    return settings.model_copy(update=values) if values else settings


def database_url(settings: Settings):
    """The configured URL, or an embedded server's (kept running by the returned handle)."""
    from kvalitet.infra.embedded import resolve_database_url

    url, server = resolve_database_url(settings)
    if server is not None:
        log.info("embedded_postgres.started", pgdata=str(server.pgdata))
    return url, server


async def with_database(url: str, work):
    from kvalitet.db import Database

    database = Database(url, pool_size=2)
    try:
        return await work(database)
    finally:
        await database.dispose()


async def as_system(database, settings: Settings, work):
    """Run `work(service)` in one transaction as the system (the CLI's actor)."""
    from kvalitet.access.actor import SYSTEM
    from kvalitet.access.policy import RolePolicy
    from kvalitet.db import current_actor
    from kvalitet.plugins import Profiles, new_plugin_manager
    from kvalitet.services.context import ServiceContext

    profiles = Profiles(new_plugin_manager(data_dirs=settings.profile_dirs))
    token = current_actor.set("system:cli")
    try:
        async with database.session() as session, session.begin():
            return await work(ServiceContext(session, SYSTEM, RolePolicy(), profiles))
    finally:
        current_actor.reset(token)


def run_service(work):
    from kvalitet.services.errors import UserInputError

    settings = settings_with()
    configure_logging("warning", settings.log_json)
    url, server = database_url(settings)
    try:
        return asyncio.run(with_database(url, lambda database: as_system(database, settings, work)))
    except UserInputError as error:
        typer.echo("\n".join(str(p.message) for p in error.problems), err=True)
        raise typer.Exit(1) from None
