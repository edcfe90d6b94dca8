"""The workers' schedule: a round of work every so many seconds until told to stop, each round's
failure logged and left to the next (scheduled indicator refreshes, register syncs)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from kvalitet.infra.log import get_logger

log = get_logger(__name__)


async def every(seconds: float, stop: asyncio.Event, work: Callable[[], Awaitable[object]], name: str) -> None:
    """Run `work` now and then every `seconds` until `stop` is set. A round that fails (the
    database away, say) is logged as `<name>.round_failed` and the loop goes on."""
    while not stop.is_set():
        try:
            await work()
        except Exception as error:  # the loop outlives an outage; the next round tries again
            log.warning(f"{name}.round_failed", error=str(error))
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        except TimeoutError:
            pass
