"""Open the search backend a ``SEARCH_URL`` names.

* ``memory://`` — :class:`~pim.search.memory.MemoryBackend` (tests; nothing persists);
* ``whoosh:///abs/path`` — :class:`~pim.search.whoosh_backend.WhooshBackend` in that folder;
* ``postgresql://user@host/db?table=name`` — :class:`~pim.search.postgres_backend.
  PostgresBackend`, in table ``name`` (default ``search_document``); the other query
  parameters are the connection's.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pim.search.base import SearchBackend


def open_backend(url: str) -> SearchBackend:
    """The backend for ``url``; ``ValueError`` naming it when the form is not supported."""
    parts = urlsplit(url)
    if parts.scheme == "memory" and not (parts.netloc or parts.path or parts.query):
        from pim.search.memory import MemoryBackend

        return MemoryBackend()
    if parts.scheme == "whoosh" and not parts.netloc and parts.path.startswith("/"):
        from pim.search.whoosh_backend import WhooshBackend

        return WhooshBackend(parts.path)
    if parts.scheme in ("postgresql", "postgresql+psycopg") and parts.netloc:
        from pim.search.postgres_backend import PostgresBackend

        options = parse_qsl(parts.query, keep_blank_values=True)
        tables = [value for name, value in options if name == "table"]
        rest = urlencode([(name, value) for name, value in options if name != "table"])
        database = urlunsplit(parts._replace(query=rest))
        return PostgresBackend(database, tables[-1]) if tables else PostgresBackend(database)
    raise ValueError(
        f"search URL {url!r} is not supported: use memory://, whoosh:///absolute/path "
        "or postgresql://user@host/database[?table=name]"
    )
