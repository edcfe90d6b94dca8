"""A real browser for tests: Debian's Chromium (`chromium`), driven by Playwright.

`.ci/run` installs Chromium and sets `KVALITET_REQUIRE_BROWSER=1`, so in CI a missing browser
fails the test. On a developer's machine without it (the README's test command needs only
Python and pip) the test is skipped, and says why."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator

import pytest

# Every host name but loopback resolves to nothing: the page sees a closed network.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("KVALITET_REQUIRE_BROWSER"):
            pytest.fail("KVALITET_REQUIRE_BROWSER is set, and there is no `chromium` on PATH")
        pytest.skip("no `chromium` on PATH (Debian: apt-get install chromium)")
    return found


@contextlib.asynccontextmanager
async def browser(*args: str) -> AsyncIterator:
    """A headless Chromium started with `args`, closed after the block."""
    from playwright.async_api import async_playwright

    path = chromium_path()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=path, args=list(args))
        try:
            yield launched
        finally:
            await launched.close()
