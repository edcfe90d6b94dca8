"""Database access: the async engine, sessions, and the change log written on every flush."""

from kvalitet.db.audit import current_actor
from kvalitet.db.engine import Database

__all__ = ["Database", "current_actor"]
