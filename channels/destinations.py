"""Where a feed's output goes besides Vitrine's own storage: a local folder or a bucket.

A destination is a storage URL (``file:///srv/feeds`` or ``s3://bucket/prefix?…``, opened
with :func:`dam.storage.open_storage`, so S3 credentials come from the usual AWS chain). The
file is stored there as ``<feed code>.<extension>[.gz]``, replacing the previous one in one
step (local: rename; S3: a single PUT). Without a destination, the output is only served by
Vitrine at the feed's pull URL (:mod:`channels.web`).
"""

from __future__ import annotations

from pathlib import Path

from channels.models import Feed
from dam.storage import StorageError, open_storage


class DeliveryError(Exception):
    """The output could not be stored at the destination; the message says where and why."""


def file_name(feed: Feed, extension: str) -> str:
    """The name of the feed's file at its destination."""
    return f"{feed.code}.{extension}" + (".gz" if feed.gzip else "")


def deliver(feed: Feed, path: Path, extension: str, content_type: str) -> str | None:
    """Copy the output file ``path`` to the feed's destination; returns where (or None)."""
    if not feed.destination_url:
        return None
    name = file_name(feed, extension)
    try:
        target = open_storage(feed.destination_url)
    except ValueError as error:
        raise DeliveryError(f"destination {feed.destination_url}: {error}") from None
    try:
        target.put_file(name, path, "application/gzip" if feed.gzip else content_type)
    except StorageError as error:
        raise DeliveryError(f"delivery failed: {error}") from None
    finally:
        target.close()
    return f"{feed.destination_url.split('?')[0].rstrip('/')}/{name}"


def pull_path(feed: Feed) -> str:
    """The path (under Vitrine's base URL) channels fetch the current output from."""
    return f"/feeds/{feed.code}/{feed.secret_token}"
