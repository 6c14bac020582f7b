"""The storage interface every DAM backend implements, its errors and the key rules.

A storage holds opaque objects (bytes) under keys. A key is a relative POSIX path of
segments made of ``[A-Za-z0-9._-]`` (``originals/ab/cd/abcd….jpg``), checked by
:func:`check_key` in every method of every backend: a key can never name anything outside
the storage's root, whatever the backend does with it.

Backends raise :class:`StorageError` (and :class:`ObjectNotFound` for a missing object) with
a one-line message naming the backend and the key; the errors of the underlying libraries
(``OSError``, botocore, boto3) never leak out of them.
"""

from __future__ import annotations

import abc
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, ClassVar
from urllib.parse import quote

CHUNK_SIZE = 64 * 1024
MAX_KEY_LENGTH = 1024
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")
#: Characters kept as they are in the ASCII ``filename="…"`` of a Content-Disposition.
_PLAIN_FILENAME = re.compile(r"[^A-Za-z0-9 !#$&'()+,.;=@\[\]^_`{}~-]")


class StorageError(Exception):
    """A storage operation failed; ``str()`` names the backend, the key and the cause."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key

    def __reduce__(self):
        # Job queues pickle exceptions: keep the key, not only the message.
        return (type(self), (str(self), self.key))


class ObjectNotFound(StorageError):
    """There is no object under the key."""


def check_key(key: str) -> str:
    """Return ``key`` if it is a valid storage key, else raise :class:`ValueError`.

    Valid: ``/``-separated segments of ``[A-Za-z0-9._-]``, none empty, ``.`` or ``..``, at
    most :data:`MAX_KEY_LENGTH` characters. So no absolute path, no traversal, no
    backslash, NUL or other character a backend could interpret.
    """
    if not isinstance(key, str):
        raise ValueError(f"a storage key must be a string, not {type(key).__name__}")
    if not key:
        raise ValueError("a storage key cannot be empty")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"a storage key has at most {MAX_KEY_LENGTH} characters: {key[:60]!r}…")
    for segment in key.split("/"):
        if segment in ("", ".", "..") or not _SEGMENT.fullmatch(segment):
            raise ValueError(
                f"invalid storage key {key!r}: it must be a relative path of segments made "
                "of letters, digits, '.', '_' and '-' (no empty, '.' or '..' segment)"
            )
    return key


def is_key(key: str) -> bool:
    """Whether :func:`check_key` accepts ``key``."""
    try:
        check_key(key)
    except ValueError:
        return False
    return True


def check_prefix(prefix: str) -> str:
    """Return ``prefix`` if it is the start of a valid key (or empty), else raise ValueError."""
    if prefix == "":
        return prefix
    if not isinstance(prefix, str):
        raise ValueError(f"a key prefix must be a string, not {type(prefix).__name__}")
    check_key(prefix.removesuffix("/"))
    return prefix


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """A ``Content-Disposition`` value naming ``filename``, safe for any name (RFC 6266).

    ``attachment; filename="plain ascii"; filename*=UTF-8''percent-encoded`` (``inline``
    instead of ``attachment`` when asked): old clients read the ASCII fallback, in which
    quotes, backslashes, control and non-ASCII characters become ``_``.
    """
    kind = "attachment" if attachment else "inline"
    fallback = _PLAIN_FILENAME.sub("_", filename) or "download"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class Storage(abc.ABC):
    """Objects under keys; see the module docstring. Implementations are thread-safe."""

    kind: ClassVar[str]
    #: the URL the storage was opened with (never with secrets: they do not go in URLs)
    url: str

    @abc.abstractmethod
    def put_stream(self, key: str, fileobj: BinaryIO, content_type: str | None = None) -> None:
        """Store what ``fileobj.read()`` returns, streamed, under ``key`` (replacing it).

        Either the whole stream is stored or nothing is: an exception from the stream leaves
        no object (and propagates as it is).
        """

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        """Store the local file ``path`` under ``key``, streamed."""
        check_key(key)
        try:
            with Path(path).open("rb") as source:
                self.put_stream(key, source, content_type)
        except OSError as error:
            raise self.error("store", key, error) from error

    @abc.abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary file object streaming the object; raises :class:`ObjectNotFound`."""

    def iter_chunks(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Yield the object's bytes in chunks (for streaming HTTP responses).

        The object is opened on the first ``next()``: call :meth:`size` or :meth:`exists`
        first to answer 404 before starting a response.
        """
        with self.open(key) as stream:
            while chunk := stream.read(chunk_size):
                yield chunk

    def download_to(self, key: str, path: Path) -> None:
        """Stream the object into the local file ``path`` (written whole or not at all)."""
        check_key(key)
        path = Path(path)
        with self.open(key) as stream:
            try:
                with _replacing(path) as out:
                    shutil.copyfileobj(stream, out, CHUNK_SIZE)
            except OSError as error:
                raise self.error("download", key, error) from error

    def exists(self, key: str) -> bool:
        """Whether there is an object under ``key``."""
        try:
            self.size(key)
        except ObjectNotFound:
            return False
        return True

    @abc.abstractmethod
    def size(self, key: str) -> int:
        """The object's size in bytes; raises :class:`ObjectNotFound`."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object under ``key``; nothing happens when there is none."""

    @abc.abstractmethod
    def keys(self, prefix: str = "") -> Iterator[str]:
        """Yield every key starting with ``prefix`` (a plain string prefix), in no set order."""

    def download_url(
        self,
        key: str,
        *,
        filename: str,
        content_type: str,
        expires: int = 300,
        attachment: bool = True,
    ) -> str | None:
        """A URL a browser can fetch the object from directly, valid ``expires`` seconds.

        ``None`` when the backend has no such URL (file, memory): the web layer streams the
        object itself then, with :func:`content_disposition`.
        """
        check_key(key)
        return None

    @abc.abstractmethod
    def check(self) -> None:
        """Raise :class:`StorageError` unless the storage is reachable and usable."""

    def close(self) -> None:  # noqa: B027 (optional hook, most backends hold nothing)
        """Release connections; the storage should not be used afterwards."""

    # --- for implementations ------------------------------------------------------------

    def describe(self) -> str:
        """How messages name this storage, e.g. ``file storage file:///srv/media``."""
        return f"{self.kind} storage {self.url}"

    def error(self, action: str, key: str | None, cause: object) -> StorageError:
        """A :class:`StorageError` saying that ``action`` on ``key`` failed because of ``cause``."""
        target = f" {key}" if key else ""
        reason = str(cause).strip() or type(cause).__name__
        return StorageError(f"{self.describe()}: cannot {action}{target}: {reason}", key)

    def not_found(self, key: str) -> ObjectNotFound:
        """The :class:`ObjectNotFound` for ``key``."""
        return ObjectNotFound(f"{self.describe()}: no object {key}", key)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[BinaryIO]:
    """A temporary file beside ``path`` that replaces it when the block succeeds."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
