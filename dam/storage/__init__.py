"""Where the DAM keeps its files: one :class:`Storage` interface, three backends.

:func:`open_storage` picks the backend from a URL (the ``DAM_STORAGE_URL`` setting):

- ``file:///srv/vitrine/media``: a local directory (:mod:`dam.storage.local`);
- ``memory://`` or ``memory://name``: a dict, for tests and demos (:mod:`dam.storage.memory`);
- ``s3://BUCKET/PREFIX?endpoint_url=…&region=…``: an S3 bucket (:mod:`dam.storage.s3`).
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from dam.storage.base import ObjectNotFound, Storage, StorageError, check_key

__all__ = ["ObjectNotFound", "Storage", "StorageError", "check_key", "open_storage"]

SCHEMES = ("file", "memory", "s3")


def open_storage(url: str, **options) -> Storage:
    """The storage a URL names; ``options`` go to the backend's constructor (S3 tuning).

    Raises :class:`ValueError` with an explanation for a malformed or unknown URL. Nothing
    is created or contacted here: :meth:`Storage.check` does that.
    """
    scheme = urlsplit(url).scheme
    if scheme == "file":
        return _open_file(url, **options)
    if scheme == "memory":
        return _open_memory(url, **options)
    if scheme == "s3":
        from dam.storage.s3 import S3Storage  # boto3 is slow to import: only when used

        return S3Storage.from_url(url, **options)
    raise ValueError(
        f"unknown storage URL scheme {scheme!r}: use file:///absolute/dir, memory:// or "
        "s3://bucket/prefix"
    )


def _open_file(url: str, **options) -> Storage:
    from dam.storage.local import LocalStorage

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or parts.query or not parts.path.startswith("/"):
        raise ValueError(f"a file storage URL names an absolute directory: file:///dir, not {url}")
    return LocalStorage(unquote(parts.path), url=url, **options)


def _open_memory(url: str, **options) -> Storage:
    from dam.storage.memory import MemoryStorage

    parts = urlsplit(url)
    if parts.path.strip("/") or parts.query:
        raise ValueError(f"a memory storage URL is memory:// or memory://name, not {url}")
    return MemoryStorage(parts.netloc, **options)
