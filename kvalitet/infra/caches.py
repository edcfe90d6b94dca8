"""Small in-process caches: least-recently-used, and timed. Written here rather than taken from
a library because each is a dozen lines and needs no thread safety (one event loop per process)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class LRUCache(Generic[V]):
    """A dict that forgets its least recently used entries beyond `size`."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class TimedCache:
    """Values kept for `seconds`; after that a key is missing again (and is looked up anew)."""

    def __init__(self, seconds: float, size: int = 10_000):
        self.seconds = seconds
        self.size = size
        self._items: dict[Hashable, tuple[Any, float]] = {}

    def get(self, key: Hashable) -> Any:
        found = self._items.get(key)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]

    def put(self, key: Hashable, value: Any) -> None:
        if len(self._items) >= self.size:
            self._items.clear()
        self._items[key] = (value, time.monotonic() + self.seconds)
