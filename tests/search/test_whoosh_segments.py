"""Whoosh: quick writes do not merge segments (a save never waits for a merge); the
periodic maintenance merges them and nothing changes for searches."""

from __future__ import annotations

from pim.search.base import Document, Query, tokens
from pim.search.whoosh_backend import WhooshBackend


def test_small_writes_leave_segments_that_maintenance_merges(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    try:
        for n in range(12):
            backend.update([Document("product", n, tokens=tokens(f"crew {n}"), stamp=str(n))])
        assert len(backend._index.reader().leaf_readers()) >= 12  # one segment per write
        before = backend.search(Query(words=["crew"], sort="key", limit=100))
        backend.maintain()
        assert len(backend._index.reader().leaf_readers()) < 12
        after = backend.search(Query(words=["crew"], sort="key", limit=100))
        assert after.keys == before.keys and after.total == 12
    finally:
        backend.close()
