"""Vestvågøy's calendar of meetings and milestones, added to the GraphQL API by the profile.

The core knows nothing of it: the profile's `kvalitet_graphql_query_types` hook contributes
`Query.vestvagoyCalendar`, served from the profile's `data/calendar.yaml`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated

import strawberry

from kvalitet.plugins.content import CalendarEntry


@strawberry.type(description="A meeting or milestone in Vestvågøy's development-plan calendar.")
class VestvagoyCalendarEntry:
    week: int | None = strawberry.field(description="Week number, as the plan gives it.")
    date: dt.date | None = strawberry.field(
        description="The day, where the plan gives one; null otherwise (`from` and `to` leave such entries out)."
    )
    time: str | None = strawberry.field(description="HH:MM or HH:MM-HH:MM.")
    topic: str = strawberry.field(description="Topic or arena («tema/arena»).")
    reading: str | None = strawberry.field(description="Reading task («lesing»).")
    participants: str | None = strawberry.field(description="Participants or responsible, by role.")


def calendar_query_type(entries: Callable[[], Sequence[CalendarEntry]]) -> type:
    """A query type whose one field serves `entries()` (read when asked, not at import)."""

    @strawberry.type
    class VestvagoyQuery:
        @strawberry.field(
            description="Vestvågøy's calendar of meetings and milestones, in plan order. With "
            "`from` and/or `to` (inclusive), only the dated entries in that range."
        )
        def vestvagoy_calendar(
            self,
            from_: Annotated[dt.date | None, strawberry.argument(name="from")] = None,
            to: dt.date | None = None,
        ) -> list[VestvagoyCalendarEntry]:
            selected = []
            for entry in entries():
                if from_ is not None or to is not None:
                    if entry.date is None:
                        continue
                    if (from_ is not None and entry.date < from_) or (to is not None and entry.date > to):
                        continue
                selected.append(
                    VestvagoyCalendarEntry(
                        week=entry.week,
                        date=entry.date,
                        time=entry.time,
                        topic=entry.topic,
                        reading=entry.reading,
                        participants=entry.participants,
                    )
                )
            return selected

    return VestvagoyQuery
