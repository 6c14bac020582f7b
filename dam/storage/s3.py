"""Objects in an S3 bucket (AWS or compatible: SeaweedFS, MinIO, Ceph, Garage…).

``s3://BUCKET/PREFIX?endpoint_url=http://127.0.0.1:8333&region=us-east-1`` stores ``key``
as ``PREFIX/key`` in ``BUCKET``. Query parameters (all optional): ``endpoint_url`` (for a
server other than AWS; path-style addressing is then the default), ``region`` (default:
the AWS environment/config, else ``us-east-1``), ``addressing_style`` (``path`` or
``virtual``). Credentials come from the usual AWS chain (environment, config files,
instance role), never from the URL.

Uploads stream; above ``multipart_threshold`` (8 MiB) they are multipart, and a failed one
is aborted by boto3, so no object appears. Checksums are computed and validated only when
the operation requires them (``when_required``), as S3-compatible servers do not all
support the newer default ones; integrity is the caller's job (hash while streaming), never
the ETag's. Every botocore/boto3 error becomes a :class:`StorageError` naming the key and
the cause (for a connection failure, the endpoint).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import boto3
import urllib3.exceptions
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
)

from dam.storage.base import (
    CHUNK_SIZE,
    Storage,
    StorageError,
    check_key,
    check_prefix,
    content_disposition,
    is_key,
)

MiB = 1024 * 1024
DEFAULT_REGION = "us-east-1"
MAX_PRESIGN_EXPIRY = 7 * 24 * 3600  # what SigV4 allows
URL_PARAMETERS = frozenset({"endpoint_url", "region", "addressing_style"})
_BUCKET = re.compile(r"[A-Za-z0-9._-]{1,255}")
_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
#: What a library may raise while talking to S3 or reading a response.
_TRANSPORT_ERRORS = (BotoCoreError, ClientError, Boto3Error, urllib3.exceptions.HTTPError, OSError)


class S3Storage(Storage):
    """Objects under ``prefix/`` in an S3 bucket; see the module docstring.

    The keyword arguments tune the client: the multipart threshold and part size, the
    number of parallel part uploads, the timeouts (seconds), and ``max_attempts``, the
    number of *retries* after the first attempt (botocore's meaning of the setting).
    """

    kind = "s3"

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        addressing_style: str | None = None,
        multipart_threshold: int = 8 * MiB,
        multipart_chunksize: int = 8 * MiB,
        max_concurrency: int = 4,
        connect_timeout: float = 5,
        read_timeout: float = 60,
        max_attempts: int = 3,
        url: str | None = None,
    ) -> None:
        if not _BUCKET.fullmatch(bucket or ""):
            raise ValueError(f"invalid S3 bucket name {bucket!r}")
        if addressing_style not in (None, "path", "virtual"):
            raise ValueError(f"addressing_style must be path or virtual, not {addressing_style!r}")
        self.bucket = bucket
        self.prefix = check_key(prefix.strip("/")) if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        self.url = url or _build_url(bucket, self.prefix, endpoint_url, region, addressing_style)
        session = boto3.session.Session()
        self.region = region or session.region_name or DEFAULT_REGION
        config = Config(
            region_name=self.region,
            signature_version="s3v4",
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            s3={"addressing_style": addressing_style or ("path" if endpoint_url else "auto")},
        )
        try:
            self.client = session.client("s3", endpoint_url=endpoint_url, config=config)
        except (BotoCoreError, ValueError) as error:
            message = f"{self.describe()}: cannot create the S3 client: {error}"
            raise StorageError(message) from error
        self.transfer_config = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=max_concurrency,
            preferred_transfer_client="classic",
        )

    @classmethod
    def from_url(cls, url: str, **options) -> S3Storage:
        """Open ``s3://BUCKET/PREFIX?…``; ``options`` go to the constructor (timeouts, sizes)."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.hostname:
            raise ValueError("an S3 storage URL looks like s3://BUCKET/PREFIX?endpoint_url=…")
        if "@" in parts.netloc:
            raise ValueError(
                "an S3 storage URL cannot hold credentials: use the AWS environment or "
                "configuration (AWS_ACCESS_KEY_ID, AWS_PROFILE, …)"
            )
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
        if unknown := set(query) - URL_PARAMETERS:
            raise ValueError(
                f"unknown S3 storage URL parameter(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(URL_PARAMETERS))}"
            )
        single = {name: values[-1] or None for name, values in query.items()}
        return cls(parts.netloc, unquote(parts.path), url=url, **single, **options)

    def describe(self) -> str:
        """``S3 storage s3://bucket/prefix`` (the endpoint appears in connection errors)."""
        return f"S3 storage s3://{self.bucket}/{self.prefix}"

    # --- writes ---------------------------------------------------------------------------

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        """Upload a local file (multipart, in parallel parts, above the threshold)."""
        name = self._name(key)
        with self._translate("upload", key):
            self.client.upload_file(
                str(path),
                self.bucket,
                name,
                ExtraArgs=_extra_args(content_type),
                Config=self.transfer_config,
            )

    def put_stream(self, key: str, fileobj: BinaryIO, content_type: str | None = None) -> None:
        """Upload a stream (multipart above the threshold; aborted if the stream fails)."""
        name = self._name(key)
        with self._translate("upload", key):
            self.client.upload_fileobj(
                fileobj,
                self.bucket,
                name,
                ExtraArgs=_extra_args(content_type),
                Config=self.transfer_config,
            )

    def delete(self, key: str) -> None:
        """Delete the object (S3 deletes are idempotent)."""
        name = self._name(key)
        with self._translate("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=name)

    # --- reads ----------------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        """A buffered reader over the GET response body, read as it is consumed."""
        name = self._name(key)
        with self._translate("read", key):
            response = self.client.get_object(Bucket=self.bucket, Key=name)
        raw = _BodyReader(response["Body"], self, key)
        return io.BufferedReader(raw, buffer_size=CHUNK_SIZE)

    def size(self, key: str) -> int:
        """``ContentLength`` of a HEAD request."""
        name = self._name(key)
        with self._translate("read the size of", key):
            return self.client.head_object(Bucket=self.bucket, Key=name)["ContentLength"]

    def keys(self, prefix: str = "") -> Iterator[str]:
        """List the bucket under ``PREFIX/prefix``, page by page."""
        return self._list(check_prefix(prefix))

    def _list(self, prefix: str) -> Iterator[str]:
        base = f"{self.prefix}/" if self.prefix else ""
        paginator = self.client.get_paginator("list_objects_v2")
        with self._translate("list keys under", prefix or "/"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=base + prefix):
                for entry in page.get("Contents", ()):
                    key = entry["Key"].removeprefix(base)
                    if is_key(key):  # objects other tools wrote with other names
                        yield key

    def download_url(
        self,
        key: str,
        *,
        filename: str,
        content_type: str,
        expires: int = 300,
        attachment: bool = True,
    ) -> str | None:
        """A presigned GET URL that makes S3 answer with this file name and content type."""
        name = self._name(key)
        if not 0 < expires <= MAX_PRESIGN_EXPIRY:
            raise ValueError(f"expires must be 1 to {MAX_PRESIGN_EXPIRY} seconds, not {expires}")
        params = {
            "Bucket": self.bucket,
            "Key": name,
            "ResponseContentDisposition": content_disposition(filename, attachment=attachment),
            "ResponseContentType": content_type,
        }
        with self._translate("sign a download URL for", key):
            return self.client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires
            )

    def check(self) -> None:
        """HEAD the bucket: raises unless it exists and the credentials may use it."""
        with self._translate("reach the bucket", None):
            self.client.head_bucket(Bucket=self.bucket)

    def close(self) -> None:
        """Close the client's connection pool."""
        self.client.close()

    # --- helpers --------------------------------------------------------------------------

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _translate(self, action: str, key: str | None) -> _Translating:
        return _Translating(self, action, key)

    def reason(self, error: BaseException) -> str:
        """A short explanation of a library error, naming the endpoint when unreachable."""
        if isinstance(error, EndpointConnectionError | ConnectTimeoutError):
            return f"endpoint {self.client.meta.endpoint_url} unreachable ({error})"
        if isinstance(error, ClientError):
            details = error.response.get("Error", {})
            code = details.get("Code") or error.response.get("ResponseMetadata", {}).get(
                "HTTPStatusCode", "?"
            )
            message = details.get("Message") or _status_message(code)
            return f"{code}: {message} ({error.operation_name})"
        return str(error).strip() or type(error).__name__


class _Translating:
    """Turns library errors raised inside the ``with`` block into storage errors."""

    def __init__(self, storage: S3Storage, action: str, key: str | None) -> None:
        self.storage, self.action, self.key = storage, action, key

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or isinstance(error, StorageError):
            return False
        if not isinstance(error, _TRANSPORT_ERRORS):
            return False  # e.g. the caller's stream failed: its own exception goes through
        if self.key and _is_not_found(error):
            raise self.storage.not_found(self.key) from None
        if self.key is None and _is_not_found(error):
            reason = f"bucket {self.storage.bucket} does not exist"
        else:
            reason = self.storage.reason(error)
        raise self.storage.error(self.action, self.key, reason) from error


class _BodyReader(io.RawIOBase):
    """A GET response body as a raw stream whose read errors are :class:`StorageError`."""

    def __init__(self, body, storage: S3Storage, key: str) -> None:
        self._body = body
        self._storage = storage
        self._key = key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._body.read(len(buffer))
        except _TRANSPORT_ERRORS as error:
            raise self._storage.error("read", self._key, self._storage.reason(error)) from error
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


def _is_not_found(error: BaseException) -> bool:
    if not isinstance(error, ClientError):
        return False
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in _NOT_FOUND_CODES or (status == 404 and code != "NoSuchBucket")


def _status_message(code: object) -> str:
    return {"403": "access denied", "400": "bad request", "404": "not found"}.get(
        str(code), "error"
    )


def _extra_args(content_type: str | None) -> dict[str, str]:
    return {"ContentType": content_type} if content_type else {}


def _build_url(
    bucket: str,
    prefix: str,
    endpoint_url: str | None,
    region: str | None,
    addressing_style: str | None,
) -> str:
    query = {"endpoint_url": endpoint_url, "region": region, "addressing_style": addressing_style}
    encoded = urlencode({name: value for name, value in query.items() if value})
    return f"s3://{bucket}/{prefix}" + (f"?{encoded}" if encoded else "")
