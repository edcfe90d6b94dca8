"""The declarative base and the columns every domain row carries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from enum import Enum

from sqlalchemy import CheckConstraint, DateTime, Integer, MetaData, Table, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from kvalitet.models.enums import UnitKind

# Named constraints, so migrations can drop and alter them by a stable name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The unit kinds' words, for code that wants them as plain text (kvalitet.models.enums is their home).
UNIT_KINDS = UnitKind.values()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Entity(Base):
    """A domain row: UUID identity, timestamps and a version for optimistic concurrency.

    UUIDs (not serials) so that an export imported into another database keeps its ids and
    integrators can mirror rows by id. `version` is SQLAlchemy's version counter: every ORM
    UPDATE says `WHERE version = <the version read>`, so a stale write matches no row and is
    refused (StaleDataError) instead of overwriting a newer one.
    """

    __abstract__ = True

    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()")
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version, "eager_defaults": True}


def model_table(model: type[Base]) -> Table:
    """`model.__table__`, which SQLAlchemy types as any FromClause; every model here maps a Table."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def one_of(column: str, values: type[Enum] | Iterable[str], name: str | None = None) -> CheckConstraint:
    """A CHECK that `column` holds one of `values` (an enumeration of kvalitet.models.enums, or the
    words themselves): enumerations as text, checked by the database.

    Text plus CHECK rather than a PostgreSQL ENUM type: adding a value is one constraint swap
    in a migration, not an `ALTER TYPE` that cannot run inside a transaction on older servers.
    """
    listed = ", ".join(f"'{getattr(v, 'value', v)}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or f"{column}_valid")


def kinds_subset(column: str = "applies_to", *, may_be_empty: bool = False) -> CheckConstraint:
    """A CHECK that an array column holds only unit kinds, and at least one (unless `may_be_empty`)."""
    listed = ", ".join(f"'{v}'" for v in UNIT_KINDS)
    some = "" if may_be_empty else f" AND cardinality({column}) > 0"
    return CheckConstraint(f"{column} <@ ARRAY[{listed}]::varchar[]{some}", name=f"{column}_valid")
