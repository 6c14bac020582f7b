"""URL converters shared by every blueprint."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: Largest id of an ``INTEGER`` column (PostgreSQL's int4; SQLite stores more, but the
#: schema is the same on both).
MAX_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` limited to the ids a table can hold: a larger number matches no route
    (404) rather than reaching the database."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
