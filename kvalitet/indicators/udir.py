"""The client of Udir's statistics bank export API (statistikkbanken, `…/api/rest/v2/Eksport`).

Open data, no authentication. A table is read for a filter string (`TidID(202412)_EnhetNivaa(3)`):
`GET /{table}/sideData?filter=…` says how many pages there are (`[{"JSONSider": N, …}]`, as
public clients read it), and `GET /{table}/data?filter=…&format=0&sideNummer=k` gives page k, a
list of flat rows. A refusal comes as JSON (`{"kode": 400, "feiltype": …, "melding": …}`).
Shapes from the reference samples and public clients named in docs/indicators.md.

Transient failures (a timeout, a dropped connection, 429, 5xx) are retried with a growing
wait; anything else stops the import with `UdirError`, saying what Udir answered.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

import httpx

DEFAULT_BASE_URL = "https://api.statistikkbanken.udir.no/api/rest/v2/Eksport"
_TRANSIENT = {429, 500, 502, 503, 504}


class UdirError(RuntimeError):
    """Udir refused or gave something that is not its data: the import stops, nothing is written."""


@dataclass(frozen=True)
class Page:
    number: int
    rows: list


@dataclass(frozen=True)
class ClientOptions:
    base_url: str = DEFAULT_BASE_URL
    timeout_seconds: float = 60.0
    attempts: int = 4
    backoff_seconds: float = 1.0

    @classmethod
    def from_settings(cls, settings, base_url: str | None = None) -> ClientOptions:
        return cls(
            base_url=base_url or settings.udir_base_url,
            timeout_seconds=settings.udir_timeout_seconds,
            attempts=settings.udir_attempts,
        )


class UdirClient:
    """`async with UdirClient(options) as client: pages = await client.table(148, filter)`."""

    def __init__(self, options: ClientOptions, *, sleep: Callable = asyncio.sleep) -> None:
        self.options = options
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=options.base_url.rstrip("/"),
            timeout=options.timeout_seconds,
            headers={"Accept": "application/json", "User-Agent": "kvalitet"},
            follow_redirects=True,
        )

    async def __aenter__(self) -> UdirClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def page_count(self, table: str, filter: str) -> int:
        body = await self.get(f"/{table}/sideData", {"filter": filter})
        try:
            count = body[0]["JSONSider"]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            raise UdirError(f"table {table}: the page count (sideData) is not a list with «JSONSider»") from None
        if not isinstance(count, int) or count < 0:
            raise UdirError(f"table {table}: the page count {count!r} is not a number of pages")
        return count

    async def page(self, table: str, filter: str, number: int) -> Page:
        body = await self.get(f"/{table}/data", {"filter": filter, "format": "0", "sideNummer": str(number)})
        if not isinstance(body, list):
            raise UdirError(f"table {table}, page {number}: expected a list of rows, got {type(body).__name__}")
        return Page(number, body)

    async def table(self, table: str, filter: str, progress: Callable[[int, int], None] | None = None) -> list[Page]:
        """Every page of `table` for `filter`, read before anything is written."""
        count = await self.page_count(table, filter)
        pages = []
        for number in range(1, count + 1):
            pages.append(await self.page(table, filter, number))
            if progress:
                progress(number, count)
        return pages

    async def get(self, path: str, params: dict[str, str]) -> object:
        """The JSON body of `path` (under the base URL): tried again on a dropped connection or a
        transient status, with a growing wait; `UdirError` when it cannot be had."""
        wait = self.options.backoff_seconds
        for attempt in range(1, self.options.attempts + 1):
            last = attempt == self.options.attempts
            try:
                response = await self._http.get(path, params=params)
            except httpx.TransportError as error:  # timeouts, refused and dropped connections
                if last:
                    raise UdirError(f"{path}: no answer from Udir after {attempt} tries ({error!r})") from None
            else:
                if response.status_code in _TRANSIENT and not last:
                    retry_after = response.headers.get("Retry-After", "")
                    await self._sleep(float(retry_after) if retry_after.isdigit() else wait)
                    wait *= 2
                    continue
                return _body(path, response)
            await self._sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")  # pragma: no cover


def _body(path: str, response: httpx.Response) -> object:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        snippet = response.text[:120].replace("\n", " ")
        raise UdirError(f"{path}: HTTP {response.status_code}, not JSON: «{snippet}»") from None
    if response.status_code != 200:
        if isinstance(body, dict) and body.get("melding"):
            raise UdirError(f"{path}: HTTP {response.status_code}, Udir says: «{body['melding']}»")
        raise UdirError(f"{path}: HTTP {response.status_code}")
    return body
