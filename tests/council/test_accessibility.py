"""A published edition of each shipped municipality's report, opened in a real browser (Debian's
Chromium through Playwright) and checked by axe-core: no serious or critical violation. The same
check given a page broken on purpose (no language, an image with no text, text too faint to
read) reports them, so a pass means something. Each page is photographed as a reader sees it.

And the PDF of each, read back with pikepdf and pypdf: PDF/A identification and PDF/UA's in its
XMP, an output intent, every font embedded, a structure tree with the section headings, the
document's language, and its text holding the section titles and a figure."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from axe_playwright_python.async_playwright import Axe
from pypdf import PdfReader

from kvalitet.app import create_app
from tests.support.browser import browser
from tests.support.cycle import Cycle
from tests.support.serving import serving
from tests.support.udir import import_fixtures

SHIPPED = {"5501": "tromso", "1860": "vestvagoy", "3301": "drammen"}
SERIOUS = {"serious", "critical"}


@pytest.fixture
async def published(gql, database, demo) -> dict[str, dict]:
    """Each shipped municipality's 2025 report (demo data, the indicator fixtures), a section
    written and an edition published: number → the edition (pageUrl, pdfUrl, content)."""
    await import_fixtures(database)
    cycle = Cycle(gql)
    found = {}
    for number in SHIPPED:
        municipality = (await gql("query ($n: String!) { municipality(number: $n) { id } }", {"n": number}))[
            "municipality"
        ]
        made = await cycle.mutate(
            "createCouncilReport",
            {"municipalityId": municipality["id"], "year": 2025},
            "councilReport { id version sections { key version } }",
        )
        report = made["councilReport"]
        first = report["sections"][0]
        await cycle.mutate(
            "editCouncilReportSection",
            {
                "reportId": report["id"],
                "key": first["key"],
                "text": "Sektoren vurderer at elevene trives.\n\nTiltakene videreføres.",
                "version": first["version"],
            },
            "section { version }",
        )
        edition = await cycle.mutate(
            "publishCouncilReport",
            {"id": report["id"], "version": report["version"]},
            "edition { pageUrl pdfUrl content }",
        )
        found[number] = edition["edition"]
    return found


@pytest.fixture
def origin(settings, profiles):
    """The app under a real uvicorn, for the browser: 'http://127.0.0.1:port'."""
    app = create_app(settings.model_copy(update={"webhook_worker": False}), profiles=profiles)
    with serving(app, lifespan="on") as port:
        yield f"http://127.0.0.1:{port}"


def _serious(results) -> list[tuple[str, str]]:
    return [(v["id"], v["impact"]) for v in results.response["violations"] if v["impact"] in SERIOUS]


async def test_each_municipalitys_page_passes_axe_and_a_broken_one_does_not(published, origin, tmp_path):
    axe = Axe()
    async with browser() as chromium:
        page = await chromium.new_page(viewport={"width": 1024, "height": 900})
        for number, edition in published.items():
            await page.goto(origin + edition["pageUrl"])
            assert await page.locator("h1").count() == 1
            assert await page.locator("section h2").count() == len(edition["content"]["sections"])
            shot = tmp_path / f"{number}.png"
            await page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000, "a page, not a blank"
            results = await axe.run(page)
            assert _serious(results) == [], (number, results.generate_report())

        # The control: the same page, broken on purpose, is reported.
        html = await (await page.request.get(origin + published["5501"]["pageUrl"])).text()
        broken = html.replace('<html lang="nb">', "<html>").replace(
            "<main>",
            '<main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            '<p style="color:#c8c8c8;background:#ffffff">Svak tekst</p>',
        )
        await page.set_content(broken)
        found = {rule for rule, _ in _serious(await axe.run(page))}
        assert {"html-has-lang", "image-alt", "color-contrast"} <= found


def _tags(node, kinds: set[str]) -> None:
    """Add the structure types (`/H1`, `/Table` …) found under `node` to `kinds`, depth first."""
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            kinds.add(str(kid["/S"]))
            _tags(kid, kinds)


async def test_each_municipalitys_pdf_is_archivable_and_tagged(published, client):
    for number, edition in published.items():
        answer = await client.get(edition["pdfUrl"])
        assert answer.status_code == 200, number
        with pikepdf.open(io.BytesIO(answer.content)) as pdf:
            meta = pdf.open_metadata()
            assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "A"), number
            assert meta.get("pdfuaid:part") == "1", number
            assert meta.get("dc:title", "").startswith(edition["content"]["title"])
            assert str(pdf.Root.Lang) == edition["content"]["locale"]
            assert "/OutputIntents" in pdf.Root and len(pdf.Root.OutputIntents) >= 1
            assert pdf.Root.MarkInfo.Marked is True
            fonts = [font for page in pdf.pages for font in (page.Resources.get("/Font") or {}).values()]
            assert fonts, number
            for font in fonts:
                descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), number
            kinds: set[str] = set()
            _tags(pdf.Root.StructTreeRoot, kinds)
            assert {"/H1", "/H2", "/Table", "/Figure"} <= kinds, (number, kinds)
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
        flat = re.sub(r"\s+", " ", text)
        for section in edition["content"]["sections"]:
            assert section["title"] in flat, (number, section["title"])
        figures = [
            point["municipality"]["value"]
            for section in edition["content"]["sections"]
            for series in section.get("indicators") or []
            for point in series["points"]
            if point["municipality"] and point["municipality"]["value"]
        ]
        assert figures, f"{number}: the fixtures give the municipality figures"
        shown = f"{float(figures[0]):.{0 if '.' not in figures[0] else 1}f}".replace(".", ",")
        assert shown in flat, (number, shown)
