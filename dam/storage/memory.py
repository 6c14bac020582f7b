"""Objects in a dict, for tests and demos (``memory://`` or ``memory://name``).

``memory://`` is a fresh empty store each time it is opened. ``memory://name`` is shared by
every storage opened with that name in the process, so an app and a test opening the same
URL see the same objects (use a unique name per test to keep tests apart).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import BinaryIO

from dam.storage.base import CHUNK_SIZE, Storage, check_key, check_prefix

_stores: dict[str, _Store] = {}
_stores_lock = threading.Lock()


class _Store:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.lock = threading.Lock()


class MemoryStorage(Storage):
    """Objects as bytes in a dict guarded by a lock; see the module docstring."""

    kind = "memory"

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.url = f"memory://{name}"
        if not name:
            self._store = _Store()
            return
        with _stores_lock:
            self._store = _stores.setdefault(name, _Store())

    def put_stream(self, key: str, fileobj: BinaryIO, content_type: str | None = None) -> None:
        """Read the whole stream, then store it in one step (a failing stream stores nothing)."""
        check_key(key)
        buffer = io.BytesIO()
        try:
            while chunk := fileobj.read(CHUNK_SIZE):
                buffer.write(chunk)
        except OSError as error:
            raise self.error("store", key, error) from error
        with self._store.lock:
            self._store.objects[key] = buffer.getvalue()

    def open(self, key: str) -> BinaryIO:
        """A ``BytesIO`` over the object (later writes do not change it)."""
        return io.BytesIO(self._get(key))

    def size(self, key: str) -> int:
        """The object's length."""
        return len(self._get(key))

    def delete(self, key: str) -> None:
        """Forget the object if there is one."""
        check_key(key)
        with self._store.lock:
            self._store.objects.pop(key, None)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """The keys starting with ``prefix``, as they were when iteration started."""
        check_prefix(prefix)
        with self._store.lock:
            return iter([key for key in self._store.objects if key.startswith(prefix)])

    def check(self) -> None:
        """A memory storage is always usable."""

    def _get(self, key: str) -> bytes:
        check_key(key)
        with self._store.lock:
            data = self._store.objects.get(key)
        if data is None:
            raise self.not_found(key)
        return data
