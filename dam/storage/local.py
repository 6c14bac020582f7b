"""Objects as files under a local directory (``file:///srv/vitrine/media``).

A key is a path below the root: ``originals/ab/cd.jpg`` is ``<root>/originals/ab/cd.jpg``.
Writes go to a temporary file in the target's directory, then ``os.replace`` it: a reader
sees the old object or the new one, never a partial one, and a failed write (or a crash)
leaves no object. Temporary names contain ``~``, which keys cannot, so they can never clash
with a key and :meth:`LocalStorage.keys` skips them.

Limits: the root is created by the first write (or :meth:`~LocalStorage.check`), not when
the storage is opened; files are created with mode 0600 (``mkstemp``); directories emptied by
:meth:`~LocalStorage.delete` stay; unlike S3, ``a`` and ``a/b`` cannot both be objects (the
second write fails with :class:`StorageError`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from dam.storage.base import CHUNK_SIZE, Storage, check_key, check_prefix, is_key

TEMP_PREFIX = ".~tmp-"


class LocalStorage(Storage):
    """A directory of files; see the module docstring."""

    kind = "file"

    def __init__(self, root: str | os.PathLike, url: str | None = None) -> None:
        self.root = Path(root)
        if not self.root.is_absolute():
            raise ValueError(f"a file storage needs an absolute directory, not {str(root)!r}")
        self.url = url or self.root.as_uri()

    def path(self, key: str) -> Path:
        """The file that holds ``key`` (for code that must hand a path to another program)."""
        return self.root / check_key(key)

    def put_stream(self, key: str, fileobj: BinaryIO, content_type: str | None = None) -> None:
        """Copy the stream into a temporary file and move it over the key's file."""
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
        except OSError as error:
            raise self.error("store", key, error) from error
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(fileobj, out, CHUNK_SIZE)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            if isinstance(error, OSError):
                raise self.error("store", key, error) from error
            raise

    def open(self, key: str) -> BinaryIO:
        """The object's file, opened for reading."""
        path = self.path(key)
        try:
            return path.open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise self.not_found(key) from None
        except OSError as error:
            raise self.error("read", key, error) from error

    def size(self, key: str) -> int:
        """The file's size."""
        path = self.path(key)
        try:
            status = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise self.not_found(key) from None
        except OSError as error:
            raise self.error("read the size of", key, error) from error
        if not stat.S_ISREG(status.st_mode):
            raise self.not_found(key)
        return status.st_size

    def delete(self, key: str) -> None:
        """Remove the file if there is one."""
        path = self.path(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            pass
        except OSError as error:
            raise self.error("delete", key, error) from error

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Walk the directory holding ``prefix`` and yield the keys of the files below it."""
        return self._walk(check_prefix(prefix))

    def _walk(self, prefix: str) -> Iterator[str]:
        start = self.root / prefix.rpartition("/")[0]

        def fail(error: OSError) -> None:
            if not isinstance(error, FileNotFoundError | NotADirectoryError):
                raise self.error("list keys under", prefix or "/", error) from error

        for directory, _, files in os.walk(start, onerror=fail):
            relative = Path(directory).relative_to(self.root).as_posix()
            for name in files:
                key = name if relative == "." else f"{relative}/{name}"
                if key.startswith(prefix) and is_key(key):
                    yield key

    def check(self) -> None:
        """Create the root if needed and make sure a file can be written in it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(prefix=TEMP_PREFIX, dir=self.root):
                pass
        except OSError as error:
            raise self.error("write in the root directory", None, error) from error
