"""The DAM storage backends: one conformance suite run on file, memory and a real S3 server,
then what is particular to each backend (S3 outages and multipart aborts, atomic files)."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dam.storage import ObjectNotFound, StorageError, check_key, open_storage
from dam.storage.base import content_disposition
from dam.storage.local import LocalStorage
from dam.storage.memory import MemoryStorage
from dam.storage.s3 import S3Storage

MiB = 1024 * 1024
LARGE_SIZE = 12 * MiB + 12345  # above the 5 MiB test threshold: a multipart upload on S3

BAD_KEYS = [
    "",
    "../x",
    "/etc/passwd",
    "a/../../b",
    "a\\b",
    "a/./b",
    "a\x00b",
    "a//b",
    "a/",
    ".",
    "..",
    "a b",
    "é.jpg",
    "x" * 1025,
]
BAD_PREFIXES = ["../", "/etc", "a/../", "a\\", "a\x00", "./a"]


class Boom(Exception):
    """What a failing test stream raises."""


class FailingStream(io.RawIOBase):
    """A non-seekable stream that returns ``fail_after`` bytes, then raises :class:`Boom`."""

    def __init__(self, fail_after: int) -> None:
        self.remaining = fail_after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.remaining <= 0:
            raise Boom("the stream broke")
        count = min(len(buffer), self.remaining)
        buffer[:count] = b"x" * count
        self.remaining -= count
        return count


class OneWayStream(io.RawIOBase):
    """A non-seekable view of a file, like a request body (forces the streaming paths)."""

    def __init__(self, source) -> None:
        self.source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def write_random_file(path: Path, size: int) -> str:
    """Write ``size`` random bytes to ``path`` in chunks; return their SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for start in range(0, size, MiB):
            chunk = os.urandom(min(MiB, size - start))
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def streamed_sha256(chunks) -> tuple[str, int, int]:
    """SHA-256, total size and largest chunk of an iterable of chunks."""
    digest, total, largest = hashlib.sha256(), 0, 0
    for chunk in chunks:
        digest.update(chunk)
        total += len(chunk)
        largest = max(largest, len(chunk))
    return digest.hexdigest(), total, largest


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the conformance suite: every backend ----------------------------------------------------


def test_put_stream_then_open_reads_the_same_bytes(storage):
    data = os.urandom(100_000)
    storage.put_stream("originals/ab/photo.jpg", io.BytesIO(data), "image/jpeg")

    with storage.open("originals/ab/photo.jpg") as stream:
        assert stream.read() == data
    assert storage.size("originals/ab/photo.jpg") == len(data)
    assert storage.exists("originals/ab/photo.jpg")


def test_put_file_then_download_to(storage, tmp_path):
    source = tmp_path / "source.bin"
    checksum = write_random_file(source, 70_000)
    target = tmp_path / "copy" / "target.bin"
    target.parent.mkdir()

    storage.put_file("files/source.bin", source, "application/octet-stream")
    storage.download_to("files/source.bin", target)

    assert hashlib.sha256(target.read_bytes()).hexdigest() == checksum
    assert sorted(p.name for p in target.parent.iterdir()) == ["target.bin"]  # no temp left


def test_put_replaces_an_existing_object(storage):
    storage.put_stream("k.txt", io.BytesIO(b"first version, longer"))
    storage.put_stream("k.txt", io.BytesIO(b"second"))

    with storage.open("k.txt") as stream:
        assert stream.read() == b"second"
    assert storage.size("k.txt") == 6


def test_empty_object(storage):
    storage.put_stream("empty", io.BytesIO(b""))

    assert storage.size("empty") == 0
    assert list(storage.iter_chunks("empty")) == []


def test_large_object_round_trip_is_streamed(storage, tmp_path):
    source = tmp_path / "large.bin"
    checksum = write_random_file(source, LARGE_SIZE)

    storage.put_file("large/from-file.bin", source)
    with source.open("rb") as raw:
        storage.put_stream("large/from-stream.bin", OneWayStream(raw))

    for key in ("large/from-file.bin", "large/from-stream.bin"):
        assert storage.size(key) == LARGE_SIZE
        assert streamed_sha256(storage.iter_chunks(key, 256 * 1024)) == (
            checksum,
            LARGE_SIZE,
            256 * 1024,
        )
        with storage.open(key) as stream:
            assert streamed_sha256(iter(lambda s=stream: s.read(MiB), b""))[:2] == (
                checksum,
                LARGE_SIZE,
            )


def test_open_returns_a_streaming_file_object(storage):
    storage.put_stream("lines.txt", io.BytesIO(b"line one\nline two\nlast"))

    stream = storage.open("lines.txt")
    assert stream.readable()
    assert stream.read(4) == b"line"
    assert stream.read(5) == b" one\n"
    assert list(stream) == [b"line two\n", b"last"]
    assert stream.read() == b""
    stream.close()
    assert stream.closed


def test_iter_chunks_respects_the_chunk_size(storage):
    data = os.urandom(10_000)
    storage.put_stream("c.bin", io.BytesIO(data))

    chunks = list(storage.iter_chunks("c.bin", chunk_size=3000))

    assert b"".join(chunks) == data
    assert all(len(chunk) <= 3000 for chunk in chunks)


def test_exists_size_and_idempotent_delete(storage):
    storage.put_stream("a/b.txt", io.BytesIO(b"abc"))
    assert storage.exists("a/b.txt")
    assert not storage.exists("a/c.txt")
    assert not storage.exists("a")  # a "directory" is not an object

    storage.delete("a/b.txt")
    storage.delete("a/b.txt")
    storage.delete("never/there.txt")

    assert not storage.exists("a/b.txt")
    with pytest.raises(ObjectNotFound):
        storage.size("a/b.txt")


def test_missing_object_raises_object_not_found(storage, tmp_path):
    target = tmp_path / "out.bin"
    for call in (
        lambda: storage.open("no/such.jpg"),
        lambda: storage.size("no/such.jpg"),
        lambda: list(storage.iter_chunks("no/such.jpg")),
        lambda: storage.download_to("no/such.jpg", target),
    ):
        with pytest.raises(ObjectNotFound) as caught:
            call()
        assert "no/such.jpg" in str(caught.value)
        assert caught.value.key == "no/such.jpg"
        assert isinstance(caught.value, StorageError)
    assert not target.exists()


def test_keys_lists_nested_keys_under_a_prefix(storage):
    keys = ["a/b/c.txt", "a/b/d.txt", "a/e.txt", "ab.txt", "z/y/x/w.txt"]
    for key in keys:
        storage.put_stream(key, io.BytesIO(key.encode()))

    assert sorted(storage.keys()) == sorted(keys)
    assert sorted(storage.keys("a/")) == ["a/b/c.txt", "a/b/d.txt", "a/e.txt"]
    assert sorted(storage.keys("a")) == ["a/b/c.txt", "a/b/d.txt", "a/e.txt", "ab.txt"]
    assert sorted(storage.keys("a/b/")) == ["a/b/c.txt", "a/b/d.txt"]
    assert sorted(storage.keys("a/b/c")) == ["a/b/c.txt"]
    assert sorted(storage.keys("z/y/x/w.txt")) == ["z/y/x/w.txt"]
    assert list(storage.keys("nothing/")) == []
    assert list(storage.keys("a/e.txt/")) == []


@pytest.mark.parametrize("key", BAD_KEYS, ids=lambda key: repr(key)[:24])
def test_every_method_refuses_an_invalid_key(storage, tmp_path, key):
    source = tmp_path / "source.bin"
    source.write_bytes(b"data")
    calls = {
        "put_stream": lambda: storage.put_stream(key, io.BytesIO(b"data")),
        "put_file": lambda: storage.put_file(key, source),
        "open": lambda: storage.open(key),
        "iter_chunks": lambda: next(storage.iter_chunks(key)),
        "download_to": lambda: storage.download_to(key, tmp_path / "out.bin"),
        "exists": lambda: storage.exists(key),
        "size": lambda: storage.size(key),
        "delete": lambda: storage.delete(key),
        "download_url": lambda: storage.download_url(
            key, filename="x.txt", content_type="text/plain"
        ),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError, match="storage key"):
            call()
            pytest.fail(f"{name} accepted {key!r}")

    assert list(storage.keys()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.bin"]  # nothing escaped


@pytest.mark.parametrize("prefix", BAD_PREFIXES, ids=repr)
def test_keys_refuses_an_invalid_prefix_before_iterating(storage, prefix):
    with pytest.raises(ValueError):
        storage.keys(prefix)


def test_a_failing_stream_stores_nothing(storage):
    storage.put_stream("kept.txt", io.BytesIO(b"old"))

    with pytest.raises(Boom):
        storage.put_stream("broken.bin", FailingStream(100_000))
    with pytest.raises(Boom):
        storage.put_stream("kept.txt", FailingStream(10))

    assert not storage.exists("broken.bin")
    assert sorted(storage.keys()) == ["kept.txt"]
    with storage.open("kept.txt") as stream:
        assert stream.read() == b"old"


def test_download_url(storage):
    storage.put_stream("docs/robe.jpg", io.BytesIO(b"JPEG DATA"), "image/jpeg")

    url = storage.download_url(
        "docs/robe.jpg", filename='Robe "été" 2025.jpg', content_type="image/jpeg", expires=60
    )

    if storage.kind in ("file", "memory"):
        assert url is None
        return
    assert url.startswith(storage.client.meta.endpoint_url + "/")
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        assert response.read() == b"JPEG DATA"
        disposition = response.headers["Content-Disposition"]
        assert response.headers["Content-Type"] == "image/jpeg"
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Robe%20%22%C3%A9t%C3%A9%22%202025.jpg" in disposition
    assert 'filename="Robe __t__ 2025.jpg"' in disposition


def test_check_passes_on_a_usable_storage(storage):
    storage.check()


def test_url_and_kind(storage):
    assert storage.kind in ("file", "memory", "s3")
    assert storage.url.startswith(f"{storage.kind}://")
    assert open_storage(storage.url).kind == storage.kind


def test_concurrent_writes_and_reads(storage):
    errors = []

    def work(number: int) -> None:
        try:
            for round_ in range(5):
                data = f"{number}-{round_}".encode() * 100
                storage.put_stream(f"t/{number}.txt", io.BytesIO(data))
                with storage.open(f"t/{number}.txt") as stream:
                    assert stream.read() == data
        except Exception as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(storage.keys("t/")) == [f"t/{n}.txt" for n in range(6)]


# --- keys, errors, URLs -------------------------------------------------------------------


def test_check_key_accepts_relative_posix_paths():
    assert check_key("originals/ab/cd/0123abcd.jpg") == "originals/ab/cd/0123abcd.jpg"
    assert check_key("a-b_c.d/...") == "a-b_c.d/..."
    assert check_key("x" * 1024)


def test_storage_errors_survive_pickling():
    original = ObjectNotFound("memory storage memory://: no object k", "k")
    error = pickle.loads(pickle.dumps(original))  # noqa: S301 (our own bytes)

    assert type(error) is ObjectNotFound
    assert error.key == "k"
    assert str(error) == "memory storage memory://: no object k"


def test_content_disposition_escapes_the_file_name():
    value = content_disposition('a"b\\c\r\né.pdf')

    assert value.startswith('attachment; filename="a_b_c___.pdf"; ')
    assert value.endswith("filename*=UTF-8''a%22b%5Cc%0D%0A%C3%A9.pdf")
    assert content_disposition("x.pdf", attachment=False).startswith('inline; filename="x.pdf"')


@pytest.mark.parametrize(
    "url",
    [
        "ftp://host/x",
        "file://relative/dir",
        "file:relative",
        "memory://name/path",
        "s3://",
        "s3://AKIDEXAMPLE:TOPSECRETVALUE@bucket/prefix",
        "s3://bucket/prefix?aws_secret_access_key=TOPSECRETVALUE",
        "s3://bucket/../up",
        "s3://bucket/prefix?addressing_style=sideways",
    ],
)
def test_open_storage_refuses_bad_urls(url):
    with pytest.raises(ValueError) as caught:
        open_storage(url)
    assert "TOPSECRETVALUE" not in str(caught.value)


def test_memory_storages_share_content_by_name():
    name = f"shared-{os.getpid()}-{time.monotonic_ns()}"
    writer = open_storage(f"memory://{name}")
    writer.put_stream("k", io.BytesIO(b"shared"))

    assert open_storage(f"memory://{name}").size("k") == 6
    assert not open_storage("memory://").exists("k")
    assert isinstance(writer, MemoryStorage)


# --- file backend ------------------------------------------------------------------------------


def test_file_storage_creates_its_root_on_first_write(tmp_path):
    root = tmp_path / "deep" / "media"
    storage = open_storage(root.as_uri())
    assert isinstance(storage, LocalStorage)
    assert not root.exists()  # opening has no side effect

    storage.put_stream("a/b.txt", io.BytesIO(b"x"))

    assert (root / "a" / "b.txt").read_bytes() == b"x"
    assert storage.path("a/b.txt") == root / "a" / "b.txt"


def test_file_storage_check_creates_the_root_and_reports_unwritable_dirs(tmp_path):
    root = tmp_path / "media"
    open_storage(root.as_uri()).check()
    assert root.is_dir()

    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    with pytest.raises(StorageError, match="cannot write in the root directory"):
        open_storage((blocker / "media").as_uri()).check()


def test_file_storage_failing_stream_leaves_no_partial_or_temporary_file(tmp_path):
    root = tmp_path / "media"
    storage = LocalStorage(root)
    storage.put_stream("dir/kept.bin", io.BytesIO(b"old"))

    with pytest.raises(Boom):
        storage.put_stream("dir/new.bin", FailingStream(3 * MiB))
    with pytest.raises(Boom):
        storage.put_stream("dir/kept.bin", FailingStream(3 * MiB))

    assert sorted(p.name for p in (root / "dir").iterdir()) == ["kept.bin"]
    assert (root / "dir" / "kept.bin").read_bytes() == b"old"


def test_file_storage_keys_skip_temporary_and_foreign_files(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put_stream("a/real.txt", io.BytesIO(b"x"))
    (tmp_path / "a" / ".~tmp-abc123").write_bytes(b"partial")  # a crashed write
    (tmp_path / "a" / "with space.txt").write_bytes(b"not a key")

    assert list(storage.keys()) == ["a/real.txt"]


def test_file_storage_errors_are_storage_errors(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put_stream("a", io.BytesIO(b"a file where a directory is needed"))

    with pytest.raises(StorageError, match=r"cannot store a/b\.txt"):
        storage.put_stream("a/b.txt", io.BytesIO(b"x"))
    with pytest.raises(StorageError, match="cannot store k"):
        storage.put_file("k", tmp_path / "missing.bin")


def test_file_storage_url_with_encoded_path(tmp_path):
    root = tmp_path / "with space"
    storage = open_storage(root.as_uri())

    assert storage.root == root
    assert storage.url == root.as_uri()


# --- S3 backend ------------------------------------------------------------------------------


@pytest.fixture
def s3_storage(s3_server, s3_bucket):
    """An S3 storage under a fresh prefix (5 MiB multipart threshold)."""
    storage = open_storage(
        s3_server.storage_url(s3_bucket, f"s3-tests/{time.monotonic_ns()}"),
        multipart_threshold=5 * MiB,
        multipart_chunksize=5 * MiB,
    )
    yield storage
    storage.close()


def test_s3_client_computes_checksums_only_when_required(s3_storage):
    config = s3_storage.client.meta.config
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"
    assert config.s3 == {"addressing_style": "path"}
    assert config.retries == {"total_max_attempts": 4, "mode": "standard"}  # 1 + 3 retries
    assert (config.connect_timeout, config.read_timeout) == (5, 60)
    headers = []
    s3_storage.client.meta.events.register(
        "before-send.s3.*", lambda request, **_: headers.append(dict(request.headers))
    )

    s3_storage.put_stream("sum.txt", io.BytesIO(b"checksum me"))

    assert headers
    sent = {name.lower() for request in headers for name in request}
    assert not {name for name in sent if "checksum" in name}


def test_s3_multipart_upload_is_used_above_the_threshold(s3_storage, s3_server, tmp_path):
    source = tmp_path / "large.bin"
    write_random_file(source, LARGE_SIZE)

    s3_storage.put_file("multi.bin", source)

    client = s3_server.client()
    head = client.head_object(Bucket=s3_storage.bucket, Key=f"{s3_storage.prefix}/multi.bin")
    client.close()
    assert head["ETag"].strip('"').endswith("-3")  # 3 parts of 5 MiB; not an integrity check


def test_s3_failed_multipart_stream_is_aborted_and_leaves_nothing(s3_storage, s3_server):
    with pytest.raises(Boom):
        s3_storage.put_stream("aborted.bin", FailingStream(9 * MiB))

    assert not s3_storage.exists("aborted.bin")
    assert list(s3_storage.keys()) == []
    client = s3_server.client()
    uploads = client.list_multipart_uploads(Bucket=s3_storage.bucket, Prefix=s3_storage.prefix)
    client.close()
    assert uploads.get("Uploads", []) == []


def test_s3_forged_or_expired_download_urls_are_refused(s3_storage):
    s3_storage.put_stream("secret.pdf", io.BytesIO(b"%PDF"))
    url = s3_storage.download_url(
        "secret.pdf", filename="s.pdf", content_type="application/pdf", attachment=False
    )
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        assert response.headers["Content-Disposition"].startswith('inline; filename="s.pdf"')

    position = url.index("X-Amz-Signature=") + len("X-Amz-Signature=")
    forged = url[:position] + ("0" if url[position] != "0" else "1") + url[position + 1 :]
    expired = s3_storage.download_url(
        "secret.pdf", filename="s.pdf", content_type="application/pdf", expires=1
    )
    time.sleep(2.1)

    for refused in (forged, expired):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(refused, timeout=10)  # noqa: S310 (loopback)
        assert caught.value.code == 403
        caught.value.close()
    with pytest.raises(ValueError, match="expires"):
        s3_storage.download_url("secret.pdf", filename="s", content_type="x/y", expires=0)


def test_s3_prefixes_keep_storages_apart(s3_server):
    bucket = s3_server.new_bucket()
    root = open_storage(s3_server.storage_url(bucket))
    left = open_storage(s3_server.storage_url(bucket, "left"))
    right = open_storage(s3_server.storage_url(bucket, "right/nested"))
    root.put_stream("same.txt", io.BytesIO(b"root"))
    left.put_stream("same.txt", io.BytesIO(b"left"))
    right.put_stream("same.txt", io.BytesIO(b"right"))

    assert list(left.keys()) == ["same.txt"]
    assert list(right.keys()) == ["same.txt"]
    # the bucket's root sees the others' objects under their full names only
    assert sorted(root.keys()) == ["left/same.txt", "right/nested/same.txt", "same.txt"]
    assert [b"".join(s.iter_chunks("same.txt")) for s in (root, left, right)] == [
        b"root",
        b"left",
        b"right",
    ]

    left.delete("same.txt")
    assert root.exists("same.txt") and right.exists("same.txt")
    for storage in (root, left, right):
        storage.close()


def test_s3_outage_raises_storage_errors_naming_the_endpoint(tmp_path):
    endpoint = f"http://127.0.0.1:{closed_port()}"
    storage = S3Storage.from_url(
        f"s3://bucket/originals?endpoint_url={endpoint}&region=us-east-1",
        connect_timeout=0.5,
        max_attempts=1,
    )
    source = tmp_path / "x.jpg"
    source.write_bytes(b"x" * 1000)
    started = time.monotonic()

    with pytest.raises(StorageError) as caught:
        storage.put_file("ab/x.jpg", source)

    message = str(caught.value)
    assert message.startswith("S3 storage s3://bucket/originals: cannot upload ab/x.jpg: ")
    assert f"endpoint {endpoint} unreachable" in message
    assert "\n" not in message
    assert time.monotonic() - started < 5
    for call in (
        storage.check,
        lambda: storage.exists("ab/x.jpg"),  # an outage is not "missing"
        lambda: storage.open("ab/x.jpg"),
        lambda: list(storage.keys()),
        lambda: storage.put_stream("ab/y.jpg", io.BytesIO(b"y")),
        lambda: storage.delete("ab/x.jpg"),
    ):
        with pytest.raises(StorageError, match="unreachable") as caught:
            call()
        assert type(caught.value) is StorageError
    storage.close()


def test_s3_missing_bucket(s3_server):
    bucket = f"missing-{time.monotonic_ns()}"
    storage = open_storage(s3_server.storage_url(bucket, "p"))

    with pytest.raises(StorageError, match=f"bucket {bucket} does not exist"):
        storage.check()
    with pytest.raises(StorageError, match="NoSuchBucket") as caught:
        storage.put_stream("k", io.BytesIO(b"x"))
    assert type(caught.value) is StorageError
    storage.close()


def test_s3_url_parameters(s3_server):
    storage = open_storage(
        "s3://my-bucket/some/prefix/?endpoint_url=http%3A%2F%2F127.0.0.1%3A9&region=eu-west-3"
        "&addressing_style=virtual"
    )

    assert (storage.bucket, storage.prefix, storage.region) == (
        "my-bucket",
        "some/prefix",
        "eu-west-3",
    )
    assert storage.client.meta.endpoint_url == "http://127.0.0.1:9"
    assert storage.client.meta.config.s3 == {"addressing_style": "virtual"}
    assert storage.describe() == "S3 storage s3://my-bucket/some/prefix"
    storage.close()
