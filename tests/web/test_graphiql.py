"""GraphiQL on a closed network: the page and every asset come from the service itself.

A real Chromium, which can resolve no host but loopback, opens `/graphql`, writes a query with a
bearer token in the headers pane, runs it, and reads the answer; it asked nothing of any other
host. Strawberry's own page (assets from unpkg.com) under the same browser never leaves
"Loading…", which is what the test would see if the service's page still used a CDN."""

from __future__ import annotations

import httpx
import pytest
from strawberry.http.ides import get_graphql_ide_html

from kvalitet.app import create_app
from kvalitet.web import graphiql
from tests.support.browser import OFFLINE, browser
from tests.support.serving import serving

QUERY = "{ me { id } }"


@pytest.fixture
def server(secure_settings, profiles):
    """The origin ('http://127.0.0.1:port') of the app under a real uvicorn."""
    app = create_app(secure_settings.model_copy(update={"webhook_worker": False}), profiles=profiles)
    with serving(app, lifespan="on") as port:
        yield f"http://127.0.0.1:{port}"


async def test_the_page_and_its_assets_come_from_the_service(server):
    async with httpx.AsyncClient(base_url=server) as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "https://" not in page.text and "http://" not in page.text
        for name in (*graphiql.STYLES, *graphiql.SCRIPTS):
            asset = await http.get(f"{graphiql.ASSETS_PATH}/{name}")
            assert asset.status_code == 200, name
            assert asset.content, name
            kind = "text/css" if name.endswith(".css") else "text/javascript"
            assert asset.headers["content-type"].startswith(kind), name
            assert asset.headers.get("etag"), name  # a browser may keep it
        assert (await http.get(f"{graphiql.ASSETS_PATH}/../app.py")).status_code == 404


async def test_graphiql_runs_a_query_with_no_network(server, token):
    bearer = token("sector_admin", municipality="5501", subject="browser")
    asked = []
    async with browser(OFFLINE) as chromium:
        page = await chromium.new_page()
        page.on("request", lambda request: asked.append(request.url))
        await page.goto(f"{server}/graphql")
        await page.wait_for_selector(".graphiql-execute-button", timeout=20_000)
        await page.evaluate(
            "(query) => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(query)",
            QUERY,
        )
        await page.click("text=Headers")
        await page.evaluate(
            "(headers) => document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')"
            ".CodeMirror.setValue(headers)",
            f'{{"Authorization": "Bearer {bearer}"}}',
        )
        await page.click(".graphiql-execute-button")
        await page.wait_for_selector(".result-window >> text=user:browser", timeout=20_000)
        answer = await page.inner_text(".result-window")
    assert '"anonymous"' not in answer and "errors" not in answer, answer  # the token was sent, and taken
    assert asked and all(url.startswith(server) for url in asked), asked


async def test_a_page_of_cdn_assets_does_not_start_in_the_same_browser(server):
    """The control: the same browser, given strawberry's page, shows no GraphiQL."""
    async with browser(OFFLINE) as chromium:
        page = await chromium.new_page()
        await page.route(
            f"{server}/cdn-page", lambda route: route.fulfill(body=get_graphql_ide_html(), content_type="text/html")
        )
        await page.goto(f"{server}/cdn-page")
        await page.wait_for_timeout(3_000)
        assert await page.query_selector(".graphiql-execute-button") is None
        assert "Loading" in await page.inner_text("body")
