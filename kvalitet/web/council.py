"""The council report's renditions at stable addresses, for readers with a browser:

- `/meldinger/{number}/{year}/{edition}`: a published edition's web page (open to everyone);
- `/meldinger/{number}/{year}/{edition}.pdf`: its PDF, made the first time it is asked for and
  kept, so the archive gets the same bytes every time;
- `/meldinger/{number}/{year}`: the year's current edition (a redirect);
- `/meldinger/{number}/{year}/utkast`: the draft's preview, for callers who may read it (their
  `Authorization` header, as with the API).
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from kvalitet.access.actor import Actor
from kvalitet.auth.authenticate import AuthenticationError
from kvalitet.council import render
from kvalitet.council.paths import DRAFT, PREFIX, edition_path
from kvalitet.messages import negotiate, text
from kvalitet.models import CouncilReport, CouncilReportEdition, CouncilReportPdf, Municipality
from kvalitet.services.validation import YEARS


def _problem(request: Request, key: str, status: int) -> HTMLResponse:
    """A short page in the reader's language saying what went wrong."""
    locale = negotiate(request.query_params.get("locale"), request.headers.get("accept-language"))
    said = text(key).render(locale)
    body = (
        f'<!DOCTYPE html><html lang="{locale}"><head><meta charset="utf-8"><title>{said}</title></head>'
        f"<body><main><h1>{said}</h1></main></body></html>"
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def routes(graphql) -> list[Route]:
    """The routes, served with the GraphQL view's database, authentication and access policy."""
    database = graphql.database
    making: dict[uuid.UUID, asyncio.Lock] = {}  # the PDFs being made now, by edition

    async def _edition(number: str, year: int, edition: int):
        statement = (
            select(CouncilReportEdition.id, CouncilReportEdition.council_report_id, CouncilReportEdition.content)
            .join(Municipality, Municipality.id == CouncilReportEdition.municipality_id)
            .where(Municipality.number == number, CouncilReportEdition.year == year)
            .where(CouncilReportEdition.number == edition)
        )
        async with database.autocommit.connect() as connection:
            found = (await connection.execute(statement)).first()
            if found is None:
                return None, None
            newest = await connection.scalar(
                select(func.max(CouncilReportEdition.number)).where(
                    CouncilReportEdition.council_report_id == found.council_report_id
                )
            )
        return found, (newest if newest != edition else None)

    def _numbers(request: Request) -> tuple[str, int] | None:
        """The municipality's number and the year of the path; None for what names no report (an
        edition number too large for the database is no edition either)."""
        number, year = request.path_params["number"], request.path_params["year"]
        if not (len(number) == 4 and number.isdigit()) or year not in YEARS:
            return None
        if not 1 <= request.path_params.get("edition", 1) <= 100_000:
            return None
        return number, year

    async def page(request: Request) -> Response:
        given = _numbers(request)
        if given is None:
            return _problem(request, "council.not_found", 404)
        found, newer = await _edition(*given, request.path_params["edition"])
        if found is None:
            return _problem(request, "council.not_found", 404)
        html = render.page(found.content, superseded_by=newer)
        return HTMLResponse(html, headers={"Cache-Control": "public, max-age=300"})

    async def pdf(request: Request) -> Response:
        given = _numbers(request)
        if given is None:
            return _problem(request, "council.not_found", 404)
        number, year = given
        edition = request.path_params["edition"]
        found, _ = await _edition(number, year, edition)
        if found is None:
            return _problem(request, "council.not_found", 404)
        kept = await _kept_pdf(found.id)
        if kept is None:
            # One rendering per edition in this process, however many ask at once (others wait
            # and read the kept one); across processes the first one stored is the one kept.
            async with making.setdefault(found.id, asyncio.Lock()):
                kept = await _kept_pdf(found.id)
                if kept is None:
                    try:  # a second or two of CPU: not on the event loop
                        made = await run_in_threadpool(render.pdf, found.content)
                    except render.RenditionUnavailable:
                        return _problem(request, "council.pdf_unavailable", 503)
                    async with database.engine.begin() as connection:
                        await connection.execute(
                            insert(CouncilReportPdf).values(edition_id=found.id, pdf=made).on_conflict_do_nothing()
                        )
                    kept = await _kept_pdf(found.id) or made
            making.pop(found.id, None)
        name = f"kvalitetsmelding-{number}-{year}-{edition}.pdf"
        return Response(
            kept,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "public, max-age=86400"},
        )

    async def _kept_pdf(edition_id: uuid.UUID) -> bytes | None:
        async with database.autocommit.connect() as connection:
            return await connection.scalar(
                select(CouncilReportPdf.pdf).where(CouncilReportPdf.edition_id == edition_id)
            )

    async def current(request: Request) -> Response:
        given = _numbers(request)
        if given is None:
            return _problem(request, "council.not_found", 404)
        number, year = given
        async with database.autocommit.connect() as connection:
            newest = await connection.scalar(
                select(func.max(CouncilReportEdition.number))
                .join(Municipality, Municipality.id == CouncilReportEdition.municipality_id)
                .where(Municipality.number == number, CouncilReportEdition.year == year)
            )
        if newest is None:
            return _problem(request, "council.not_found", 404)
        return RedirectResponse(edition_path(number, year, newest), status_code=302)

    async def draft(request: Request) -> Response:
        from kvalitet.services import council_reports
        from kvalitet.services.context import ServiceContext
        from kvalitet.services.errors import UserInputError

        given = _numbers(request)
        if given is None:
            return _problem(request, "council.no_draft", 404)
        number, year = given
        try:
            actor: Actor = await graphql.authenticate(request.headers.get("authorization"))
        except AuthenticationError:
            return _problem(request, "council.no_draft", 404)
        async with database.session() as session:
            service = ServiceContext(session, actor, graphql.policy, graphql.profiles)
            report_id = await session.scalar(
                select(CouncilReport.id)
                .join(Municipality, Municipality.id == CouncilReport.municipality_id)
                .where(Municipality.number == number, CouncilReport.year == year)
            )
            try:  # hidden and absent alike: the draft's existence is not revealed
                report = await service.load(CouncilReport, report_id, "council_report")
                content = await council_reports.content_of(service, report)
            except UserInputError:
                return _problem(request, "council.no_draft", 404)
        return HTMLResponse(render.page(content, preview=True), headers={"Cache-Control": "no-store"})

    return [
        Route(PREFIX + "/{number}/{year:int}", current),
        Route(PREFIX + "/{number}/{year:int}/" + DRAFT, draft),
        Route(PREFIX + "/{number}/{year:int}/{edition:int}", page),
        Route(PREFIX + "/{number}/{year:int}/{edition:int}.pdf", pdf),
    ]
