"""Fixtures of the search backend suite: every test runs on each backend.

``postgres_table``  ``postgres_table()`` → a new table name, dropped after the test.
``open_store``  parametrized ``memory`` / ``whoosh`` / ``postgresql``: a factory opening
                backend instances on one store of the test — one dict (memory), a folder
                in ``tmp_path`` (Whoosh) or a table of its own, dropped afterwards
                (PostgreSQL at ``VITRINE_TEST_POSTGRES_URL``, never skipped).
``backend``     the first instance of that store.
"""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import create_engine

from pim.config import sqlalchemy_url
from pim.search.memory import MemoryBackend
from pim.search.postgres_backend import PostgresBackend
from pim.search.whoosh_backend import WhooshBackend

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def search_postgres_url() -> str:
    return os.environ.get("VITRINE_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


@pytest.fixture
def postgres_table(search_postgres_url):
    """``postgres_table()`` → a unique table name; the tables are dropped after the test."""
    names: list[str] = []

    def new_name() -> str:
        names.append(f"search_test_{secrets.token_hex(6)}")
        return names[-1]

    yield new_name
    if names:
        engine = create_engine(sqlalchemy_url(search_postgres_url))
        with engine.begin() as connection:
            for name in names:
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        engine.dispose()


@pytest.fixture(params=["memory", "whoosh", "postgresql"])
def open_store(request, tmp_path, search_postgres_url, postgres_table):
    """``open_store()`` → a new backend instance on the test's store (closed afterwards)."""
    opened = []
    table = postgres_table() if request.param == "postgresql" else ""
    memory = MemoryBackend()

    def open_backend():
        if request.param == "memory":
            backend = memory
        elif request.param == "whoosh":
            backend = WhooshBackend(tmp_path / "index")
        else:
            backend = PostgresBackend(search_postgres_url, table=table)
        opened.append(backend)
        return backend

    yield open_backend
    for backend in opened:
        backend.close()


@pytest.fixture
def backend(open_store):
    return open_store()
