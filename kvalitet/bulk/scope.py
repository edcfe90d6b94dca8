"""Which rows are a municipality's: the export's definition (from the ownership map), which an
import also holds the rows it wrote to."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Table,
    any_,
    bindparam,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kvalitet.access.ownership import OWNERSHIP, Owned, scoped
from kvalitet.bulk.codec import TABLES, BulkError, examples, table_of
from kvalitet.models.base import Base, Entity

# Change-log rows of rows that are not exported: their changes name the secrets.
_SECRET_ENTITIES = ("ApiKey", "WebhookSubscription")


def municipality_scopes(municipality_id: uuid.UUID) -> dict[str, ColumnElement[bool]]:
    """For each exported table, which of its rows are the municipality's (from the ownership
    map: the rows that name it, and the rows below them)."""

    def theirs(model: type[Base], rule: Owned, table: Table):
        return table.c[rule.municipality] == municipality_id if rule.municipality else false()

    by_table = {model.__tablename__: model for model in OWNERSHIP}
    scopes = {
        name: scoped(by_table[name], table_of(name), theirs, apart=True) for name in TABLES if name != "national_goal"
    }
    goal = table_of("goal")
    # National goals are nobody's: an export holds those its plans' goals link to.
    linked = select(goal.c.national_goal_id).where(scopes["goal"], goal.c.national_goal_id.is_not(None))
    scopes["national_goal"] = table_of("national_goal").c.id.in_(linked)
    scopes["change_log"] = scopes["change_log"] & table_of("change_log").c.entity_type.not_in(_SECRET_ENTITIES)
    return scopes


async def require_municipality(source: AsyncConnection | AsyncSession, municipality_id: uuid.UUID) -> None:
    table = table_of("municipality")
    found = await source.scalar(select(table.c.id).where(table.c.id == municipality_id))
    if found is None:
        raise BulkError(f"No municipality with id {municipality_id}.")


async def refuse_rows_of_others(
    connection: AsyncConnection, municipality_id: uuid.UUID, inserted: dict[str, list[uuid.UUID]]
) -> None:
    """Refuse the import when a row it wrote is not the municipality's, or refers to a row that
    is not: each row must be one an export of the municipality would hold (`municipality_scopes`, the
    export's own definition), and so must every row its foreign keys name (its whole parent
    chain, and links such as an assessment's criterion), national goals excepted. Checked in
    the database after the inserts, in the import's transaction, with one statement a table."""
    scopes = municipality_scopes(municipality_id)
    for name, ids in inserted.items():
        table = table_of(name)
        # IS NOT TRUE: a row whose owner column is NULL (a national indicator) is nobody's, so
        # not the municipality's either (`NOT (NULL = id)` would be NULL and let it through).
        wrong: list[ColumnElement[bool]] = [scopes[name].is_not(true())]
        for key in table.foreign_keys:
            target = key.column.table.name
            if target in scopes and target != "national_goal":
                theirs = select(key.column).where(scopes[target])
                wrong.append(key.parent.is_not(None) & key.parent.not_in(theirs))
        if name == "change_log":
            wrong += _change_log_links(scopes)
        imported = table.c.id == any_(bindparam(f"{name}_ids", ids, type_=ARRAY(table.c.id.type)))
        found = (await connection.scalars(select(table.c.id).where(imported, or_(*wrong)).limit(4))).all()
        if found:
            raise BulkError(
                f"{name} row(s) {examples(found)} belong to another municipality than {municipality_id} (or refer to "
                "another's rows): an export holds one municipality's rows only. Nothing was imported."
            )


def _change_log_links(scopes: dict[str, ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    """A change-log row names its unit and entity without foreign keys: an imported one must
    not name another municipality's unit, nor add to the history of another's row."""
    log = table_of("change_log").c
    units = table_of("unit")
    wrong: list[ColumnElement[bool]] = [
        log.unit_id.is_not(None) & log.unit_id.not_in(select(units.c.id).where(scopes["unit"]))
    ]
    owned = [name for name in TABLES if name not in ("national_goal", "change_log")]
    known: list[str] = []
    for model in OWNERSHIP:
        table = model.__table__
        name = model.__tablename__
        if name in owned and issubclass(model, Entity):  # only entities have a history
            known.append(model.__name__)
            others = select(table.c.id).where(~scopes[name])
            wrong.append((log.entity_type == model.__name__) & log.entity_id.in_(others))
    wrong.append(log.entity_type.not_in(known))
    return wrong
