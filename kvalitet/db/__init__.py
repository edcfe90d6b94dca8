"""Database access: the async engine, sessions, and the change log written on every flush."""

from .audit import current_actor
from .engine import Database

__all__ = ["Database", "current_actor"]
