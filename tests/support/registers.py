"""A stand-in for the national registers' open APIs, NSR (schools) under `/nsr` and NBR
(kindergartens) under `/nbr`, serving units a test holds in memory and changes, in the shapes
`kvalitet.registers` reads (and `tests/fixtures/registers/` holds): a municipality's list
(`/v3/enheter/kommune/{number}`: NSR's paged object with «Enheter», NBR's plain list, each entry
with its change date) and one unit's whole record (`/v4/enhet/{orgnr}`, the municipality nested
as the full records nest it). Serve it with `tests.support.serving.serving(registers_app(...))`.

A test steers it through `app.state`: `units` (register → org number → record; `ListetUnder`
lists a unit under another number than its record's), `requests` (every path asked) and `down`
(answer every request with 503)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

# What a municipality's list gives of each unit; the rest is in its whole record.
LISTED = (
    "Orgnr",
    "Navn",
    "KommuneNr",
    "ErAktiv",
    "ErSkole",
    "ErGrunnskole",
    "ErBarnehage",
    "DatoEndret",
)


def registers_app(units: dict[str, dict[str, dict]]) -> Starlette:
    async def listed(request: Request) -> Response:
        state = request.app.state
        register, number = request.path_params["register"], request.path_params["number"]
        state.requests.append(request.url.path)
        if state.down:
            return PlainTextResponse("Service Unavailable", status_code=503)
        entries = [
            {key: unit[key] for key in LISTED if key in unit}
            for unit in state.units.get(register, {}).values()
            if unit.get("ListetUnder", unit["KommuneNr"]) == number
        ]
        if register == "nsr":
            return JSONResponse({"Enheter": entries, "Sidenummer": 1, "AntallPerSide": 1000, "AntallSider": 1})
        return JSONResponse(entries)

    async def record(request: Request) -> Response:
        state = request.app.state
        register, org_number = request.path_params["register"], request.path_params["org_number"]
        state.requests.append(request.url.path)
        if state.down:
            return PlainTextResponse("Service Unavailable", status_code=503)
        unit = state.units.get(register, {}).get(org_number)
        if unit is None:
            return JSONResponse({"melding": f"Fant ikke enhet {org_number}"}, status_code=404)
        whole = {key: value for key, value in unit.items() if key not in ("Orgnr", "KommuneNr", "ListetUnder")}
        return JSONResponse(
            {
                "Organisasjonsnummer": unit["Orgnr"],
                **whole,
                "Kommune": {"Kommunenummer": unit["KommuneNr"], "Navn": "—"},
            }
        )

    app = Starlette(
        routes=[
            Route("/{register}/v3/enheter/kommune/{number}", listed),
            Route("/{register}/v4/enhet/{org_number}", record),
        ]
    )
    app.state.units = units
    app.state.requests = []
    app.state.down = False
    return app
