"""Fixtures for the DAM tests.

``storage``    function, parametrized ``file`` / ``memory`` / ``s3``: an empty storage of
               each backend in turn (the S3 one under a fresh prefix of ``s3_bucket``, with
               a 5 MiB multipart threshold so that multipart uploads stay quick to test).
``s3_bucket``  session: one bucket on ``s3_server`` shared by the DAM tests (a bucket
               costs the server a volume: make new ones only when a test needs its own).
"""

from __future__ import annotations

import secrets

import pytest

from dam.storage import open_storage

MiB = 1024 * 1024
TEST_MULTIPART_THRESHOLD = 5 * MiB  # the smallest part S3 accepts


@pytest.fixture(scope="session")
def s3_bucket(s3_server):
    """A bucket on the test S3 server, shared by the run's DAM tests."""
    return s3_server.new_bucket()


@pytest.fixture(params=["file", "memory", "s3"])
def storage(request, tmp_path):
    """An empty storage on each backend in turn; closed after the test."""
    if request.param == "file":
        opened = open_storage((tmp_path / "media").as_uri())
    elif request.param == "memory":
        opened = open_storage("memory://")
    else:
        server = request.getfixturevalue("s3_server")
        bucket = request.getfixturevalue("s3_bucket")
        opened = open_storage(
            server.storage_url(bucket, f"tests/{secrets.token_hex(6)}"),
            multipart_threshold=TEST_MULTIPART_THRESHOLD,
            multipart_chunksize=TEST_MULTIPART_THRESHOLD,
        )
    yield opened
    opened.close()
