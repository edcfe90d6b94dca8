"""Where an edition of the council report and a draft's preview are served (kvalitet.web.council),
for the API's `pageUrl`, `pdfUrl` and `previewUrl` and the routes alike."""

from __future__ import annotations

PREFIX = "/meldinger"
DRAFT = "utkast"


def edition_path(number: str, year: int, edition: int) -> str:
    return f"{PREFIX}/{number}/{year}/{edition}"


def draft_path(number: str, year: int) -> str:
    return f"{PREFIX}/{number}/{year}/{DRAFT}"
