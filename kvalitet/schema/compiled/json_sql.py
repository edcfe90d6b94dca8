"""SQL expressions that write one value as JSON text, exactly as the default path would.

The compiled path builds the response as text in PostgreSQL (not with `json_build_object`,
whose output has spaces and whose arguments are capped at 100), so each value is rendered the
way strawberry renders it: timestamps as Python's `isoformat()`, enums by name, Relay ids as
base64 of "Type:uuid", cursors as `kvalitet.schema.reading.pagination.encode_cursor` makes them. Strings
are escaped by PostgreSQL's `to_json`, which leaves non-ASCII as UTF-8 (the default path
escapes it as \\uXXXX): the same JSON value either way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, DateTime, Integer, String, Text, Uuid, case, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

# JSON text, built in SQL; the columns it is made from are of any type.
JsonText = ColumnElement[str]


def sql_text(value: str) -> JsonText:
    """A constant string, written into the SQL (response keys and type names, never input)."""
    return literal_column("'" + value.replace("'", "''") + "'", type_=Text)


def json_object(members: list[tuple[str, JsonText]]) -> JsonText:
    """An object of (response key, JSON text) members, in order. Keys are GraphQL names or
    aliases (letters, digits, `_`), so they need no escaping."""
    if not members:
        return sql_text("{}")  # every field skipped by @skip/@include
    parts: list[JsonText] = []
    for index, (key, value) in enumerate(members):
        parts += [sql_text(("{" if index == 0 else ",") + '"' + key + '":'), value]
    parts.append(sql_text("}"))
    return concat(*parts)


def concat(*parts: JsonText) -> JsonText:
    """Text parts joined with `||`. Every part must be non-null (the renderings below make sure);
    `||` is cheaper than `concat()`, which looks up each argument's output function per call."""
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.op("||", return_type=Text)(part)
    return joined.self_group()


def _or_null(column: ColumnElement[Any], rendered: JsonText, nullable: bool) -> JsonText:
    """`null` where the column is NULL (for renderings that would not stay NULL themselves)."""
    return case((column.is_(None), sql_text("null")), else_=rendered) if nullable else rendered


def quoted(expression: JsonText) -> JsonText:
    """Text known to need no escaping (digits, dates, uuids, base64) as a JSON string."""
    return concat(sql_text('"'), expression, sql_text('"'))


def iso_timestamp(column: ColumnElement[Any], separator: str = "T") -> JsonText:
    """A timestamptz as Python writes an aware UTC datetime: `isoformat()` (or `str()` with a
    space separator), microseconds only when there are any, then `+00:00`."""
    utc = func.timezone(sql_text("UTC"), column)
    written = func.to_char(utc, sql_text(f'YYYY-MM-DD"{separator}"HH24:MI:SS.US'), type_=Text)
    return concat(func.replace(written, sql_text(".000000"), sql_text(""), type_=Text), sql_text("+00:00"))


def scalar_json(
    column: ColumnElement[Any], kind: str, nullable: bool, enum_names: dict[str, str] | None = None
) -> JsonText:
    """`column` as JSON text for a GraphQL scalar of `kind` (see `kvalitet.schema.compiled.reads`)."""
    if kind in ("string", "int", "boolean"):
        # to_json escapes strings; integers and booleans print as JSON already. NULL stays NULL.
        rendered = func.to_json(column).cast(Text) if kind == "string" else column.cast(Text)
        return func.coalesce(rendered, sql_text("null"), type_=Text) if nullable else rendered
    if kind == "datetime":
        return _or_null(column, quoted(iso_timestamp(column)), nullable)
    if kind == "date":
        return _or_null(column, quoted(func.to_char(column, sql_text("YYYY-MM-DD"))), nullable)
    if kind == "json":
        # jsonb's text is JSON (keys in jsonb's order, which is also the order the default path
        # gets them in, decoded from the same text).
        rendered = column.cast(Text)
        return func.coalesce(rendered, sql_text("null"), type_=Text) if nullable else rendered
    if kind == "enum":
        return enum_json(column, enum_names or {})
    if kind == "enum_list":
        elements = func.unnest(column).table_valued("element", with_ordinality="position").render_derived()
        items = select(
            func.string_agg(
                enum_json(elements.c.element, enum_names or {}), aggregate_order_by(sql_text(","), elements.c.position)
            )
        ).scalar_subquery()
        return _or_null(column, json_array(items), nullable)
    raise ValueError(f"no JSON rendering for {kind}")


def enum_json(column: ColumnElement[Any], names: dict[str, str]) -> JsonText:
    """A stored enum value as its GraphQL name (a JSON string); NULL (or an unknown value) as null."""
    return case(
        *((column == value, sql_text('"' + name + '"')) for value, name in names.items()),
        else_=sql_text("null"),
    )


def global_id(type_name: str, id_column: ColumnElement[Any]) -> JsonText:
    """strawberry's Relay id: standard base64 of "Type:uuid" (PostgreSQL wraps base64 every 76
    characters; the newlines are removed)."""
    # At most 76 characters of base64 (57 bytes): no line break to remove.
    return _base64_id(sql_text(type_name + ":"), id_column, wrapped=len(type_name) + 1 + 36 > 57)


def global_id_of(type_name: ColumnElement[Any], id_column: ColumnElement[Any]) -> JsonText:
    """`global_id` of a type named by a column (the change log's rows are of many types)."""
    return _base64_id(concat(type_name, sql_text(":")), id_column, wrapped=True)


def _base64_id(prefix: JsonText, id_column: ColumnElement[Any], *, wrapped: bool) -> JsonText:
    raw = func.convert_to(concat(prefix, id_column.cast(Text)), sql_text("UTF8"))
    encoded = func.encode(raw, sql_text("base64"), type_=Text)
    if not wrapped:
        return quoted(encoded)
    return quoted(func.replace(encoded, literal_column("E'\\n'"), sql_text(""), type_=Text))


def cursor_text(values: list[tuple[ColumnElement[Any], str]]) -> JsonText:
    """`encode_cursor` in SQL: URL-safe base64 (unpadded) of the compact JSON list of the sort
    values as `str()` writes them; text through `to_json`, which escapes as `json.dumps` with
    `ensure_ascii=False` does (quote, backslash, \\b \\f \\n \\r \\t, other controls as \\u00xx)."""
    parts: list[JsonText] = [sql_text("[")]
    for index, (column, kind) in enumerate(values):
        if index:
            parts.append(sql_text(","))
        parts.append(cursor_value(column, kind))
    parts.append(sql_text("]"))
    encoded = func.encode(func.convert_to(concat(*parts), sql_text("UTF8")), sql_text("base64"))
    return func.rtrim(func.translate(encoded, literal_column("E'+/\\n'"), sql_text("-_")), sql_text("="))


def cursor_value(column: ColumnElement[Any], kind: str) -> JsonText:
    """One sort value as a JSON string (null for NULL)."""
    if kind == "text":
        return func.coalesce(func.to_json(column).cast(Text), sql_text("null"))
    if kind == "datetime":
        value = iso_timestamp(column, separator=" ")
    elif kind == "date":
        value = func.to_char(column, "YYYY-MM-DD")
    else:
        value = column.cast(Text)
    return func.coalesce(concat(sql_text('"'), value, sql_text('"')), sql_text("null"))


def column_kind(column: ColumnElement[Any]) -> str | None:
    """A column's kind for cursors (uuid, datetime, date, int, text), None for any other."""
    kind = column.type
    if isinstance(kind, Uuid):
        return "uuid"
    if isinstance(kind, DateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, Integer):
        return "int"
    if isinstance(kind, String):
        return "text"
    return None


def json_array(items: JsonText) -> JsonText:
    """`[` + comma-joined items (NULL when none) + `]`."""
    return concat(sql_text("["), func.coalesce(items, sql_text("")), sql_text("]"))


__all__ = [
    "column_kind",
    "concat",
    "cursor_text",
    "global_id",
    "global_id_of",
    "json_array",
    "json_object",
    "quoted",
    "scalar_json",
    "sql_text",
]
