"""A stand-in for Udir's Statistikkbanken Eksport API (`/api/rest/v2/Eksport/{table}/...`), serving the
files of `tests/fixtures/udir/` the way the real service answers, so an importer is tested over real
HTTP without the network. Serve it with `tests.support.serving.serving(udir_app())`.

A test steers it through `app.state`: `requests` (every request seen: method, path, query), and the
switches `fail_next` (answer that many next requests with 503), `changed_shape` (page 2 renames a
column), `garbage` (an HTML maintenance page with status 200) and `delay` (seconds before answering).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.support.paths import FIXTURES

UDIR_FIXTURES = FIXTURES / "udir"
PREFIX = "/api/rest/v2/Eksport"
# What `changed_shape` renames on page 2: the score column (table 148), or the share (table 150).
RENAMED = {"Score": "Skaar", "AndelMobbet": "AndelMobbetProsent"}
JSON = "application/json; charset=utf-8"


def not_found(message: str) -> JSONResponse:
    return JSONResponse({"kode": 404, "feiltype": "Ikke funnet", "melding": message}, status_code=404)


def udir_app(root: Path = UDIR_FIXTURES) -> Starlette:
    """The app; a fresh one per test, since its state is what the test asserts on."""

    async def answer(request: Request) -> Response:
        state = request.app.state
        state.requests.append({"method": request.method, "path": request.url.path, "query": dict(request.query_params)})
        if state.delay:
            await asyncio.sleep(state.delay)
        if state.fail_next > 0:
            state.fail_next -= 1
            return PlainTextResponse("Service Unavailable", status_code=503)
        if state.garbage:
            return HTMLResponse("<html>Vedlikehold</html>")
        if not request.query_params.get("filter", "").strip():
            return Response((root / "eksport" / "error-no-filter.json").read_bytes(), 400, media_type=JSON)
        table, endpoint = request.path_params["table"], request.path_params["endpoint"]
        folder = root / "eksport" / table
        if not table.isdigit() or not folder.is_dir():
            return not_found(f"Eksport {table} finnes ikke")
        if endpoint not in ("data", "sideData"):
            return not_found(f"{endpoint} finnes ikke")
        if endpoint == "sideData":
            return Response((folder / "sideData.json").read_bytes(), media_type=JSON)
        page = request.query_params.get("sideNummer", "1")
        path = folder / f"data-{page}.json"
        if not page.isdigit() or not path.is_file():
            return not_found(f"Side {page} finnes ikke for eksport {table}")
        if page == "2" and state.changed_shape:
            rows = [
                {RENAMED.get(key, key): value for key, value in row.items()} for row in json.loads(path.read_bytes())
            ]
            return Response(json.dumps(rows, ensure_ascii=False).encode(), media_type=JSON)
        return Response(path.read_bytes(), media_type=JSON)

    app = Starlette(routes=[Route(PREFIX + "/{table}/{endpoint:path}", answer)])
    app.state.requests = []
    app.state.fail_next = 0
    app.state.changed_shape = False
    app.state.garbage = False
    app.state.delay = 0.0
    return app


# The school years the fixtures hold (2021-22 to 2025-26), as Udir's filter names them.
FILTER = "TidID(202112_202212_202312_202412_202512)"


async def import_fixtures(database) -> None:
    """Import every indicator fixture, as `kvalitet indicators import` would: Elevundersøkelsen's
    tables through the stand-in API, nasjonale prøver, grunnskolepoeng and Foreldreundersøkelsen
    from their files."""
    from kvalitet.indicators.imports import fetch, import_extract, read_files
    from kvalitet.indicators.udir import ClientOptions
    from tests.support.serving import serving

    with serving(udir_app()) as port:
        options = ClientOptions(base_url=f"http://127.0.0.1:{port}{PREFIX}", timeout_seconds=5, backoff_seconds=0.01)
        fetched = [("eksport:148", *await fetch("eksport:148", FILTER, options))]
        fetched.append(("eksport:150", *await fetch("eksport:150", FILTER, options)))
    files = {
        "rapportering:np-5": sorted((UDIR_FIXTURES / "rapportering").glob("np-5-*.json")),
        "file:grunnskolepoeng": [UDIR_FIXTURES / "files" / "grunnskolepoeng.csv"],
        "file:foreldreundersokelsen": [UDIR_FIXTURES / "files" / "foreldreundersokelsen.csv"],
    }
    fetched += [(table, *read_files(table, paths)) for table, paths in files.items()]
    async with database.session() as session, session.begin():
        for table, definitions, extract in fetched:
            await import_extract(session, table, definitions, extract, scope_detail=FILTER, source="test")
