"""Search: one interface, two backends (Whoosh, PostgreSQL full text), never stale.

* :mod:`pim.search.base` — documents, queries, results and the backend protocol;
* :mod:`pim.search.backends` — ``open_backend(VITRINE_SEARCH_URL)``;
* :mod:`pim.search.query` — the query syntax users type;
* :mod:`pim.search.documents` — products' and models' documents, built from the database;
* :mod:`pim.search.indexer` — change tracking, indexing after commit, drift check, reindex;
* :mod:`pim.search.service` — what views and the API call: parse, search, load rows;
* :mod:`pim.search.cli` — ``vitrine search reindex|check|query``.

Plugins add kinds of items with :class:`~pim.search.indexer.SearchSource` objects in
``app.extensions["vitrine_search_sources"]`` (the DAM adds assets).
"""

from __future__ import annotations

import threading
from functools import cached_property

from flask import Flask


class SearchContext:
    """The app's search backend, opened on first use (one per process)."""

    def __init__(self, url: str):
        self.url = url
        self._lock = threading.Lock()

    @cached_property
    def backend(self):
        from pim.search.backends import open_backend

        with self._lock:
            return open_backend(self.url)


def init_app(app: Flask) -> None:
    from pim.search import cli, indexer, tasks  # noqa: F401 - tasks declares queue tasks

    app.extensions["vitrine_search"] = SearchContext(app.config["SEARCH_URL"])
    app.extensions.setdefault("vitrine_search_sources", [])
    indexer.install()
    cli.init_app(app)
