"""Staging an upload: stream it to a local temporary file while hashing it.

The SHA-256 computed here (never an S3 ETag) names the original in storage, so identical
files are stored once and duplicates are found before anything is written.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _

CHUNK = 1024 * 1024
#: Largest file one upload may bring (videos included).
MAX_UPLOAD_BYTES = 2 * 1024**3


class UploadTooLarge(ValueError):
    """The upload exceeds :data:`MAX_UPLOAD_BYTES`; the message names the file."""


@dataclass(frozen=True)
class Staged:
    """A file on local disk with its hash, size and first bytes (for sniffing)."""

    path: Path
    sha256: str
    size: int
    head: bytes


def original_key(sha256: str) -> str:
    """Storage key of an original: content-addressed, fanned out by the first hex digits."""
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"


@contextmanager
def staged(
    fileobj: BinaryIO, name: str, *, max_bytes: int = MAX_UPLOAD_BYTES, workdir=None
) -> Iterator[Staged]:
    """Copy ``fileobj`` to a temporary file chunk by chunk; delete it on exit."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, raw_path = tempfile.mkstemp(prefix="vitrine-upload-", dir=workdir)
    path = Path(raw_path)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := fileobj.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(
                        _(
                            "%(name)s: larger than the upload limit of %(max_bytes)s MiB",
                            name=name,
                            max_bytes=max_bytes // 1024**2,
                        )
                    )
                if len(head) < 4096:
                    head += chunk[: 4096 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        yield Staged(path=path, sha256=digest.hexdigest(), size=size, head=head)
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def staged_path(path: Path, name: str, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Iterator[Staged]:
    """Hash a file that is already on local disk (bulk imports) without copying it."""
    digest = hashlib.sha256()
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadTooLarge(
            _(
                "%(name)s: larger than the upload limit of %(max_bytes)s MiB",
                name=name,
                max_bytes=max_bytes // 1024**2,
            )
        )
    with path.open("rb") as handle:
        head = handle.read(4096)
        digest.update(head)
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    yield Staged(path=path, sha256=digest.hexdigest(), size=size, head=head)
