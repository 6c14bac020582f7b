"""Cursor pagination, stable under concurrent inserts and deletes.

Lists are ordered by row id (ids are never reused); the cursor is the last id of the page,
base64url-encoded so that clients treat it as opaque (``aWQ6NDI`` is ``id:42``). A row
inserted while a client pages through lands after the cursor or before it, never shifts a
page, and no row is seen twice.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from flask import request

from pim.api.problems import ApiError

_PREFIX = "id:"


def encode_cursor(last_id: int) -> str:
    """The opaque cursor after row ``last_id``."""
    raw = f"{_PREFIX}{last_id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str | None) -> int:
    """The id a cursor stands for (0 without one); 422 for a cursor we did not make."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    number = raw.removeprefix(_PREFIX)
    if not raw.startswith(_PREFIX) or not number.isdigit() or len(number) > 18:
        raise ApiError(
            422,
            "The cursor is not one this API made.",
            errors=[{"field": "cursor", "message": "invalid cursor; follow the next link"}],
        )
    return int(number)


#: Ids of a search result are checked against the other filters this many at a time.
CANDIDATE_CHUNK = 500


def paginate(session, query, id_column, *, after: int, limit: int, candidates=None):
    """``(rows, next_cursor)``: up to ``limit`` rows of ``query`` with an id after
    ``after``, in id order; ``next_cursor`` is None on the last page.

    ``candidates`` (ids found by the search index) restricts the rows; they are tried in
    chunks so that no query carries thousands of ids.
    """
    query = query.where(id_column > after).order_by(id_column)
    if candidates is None:
        rows = list(session.scalars(query.limit(limit + 1)))
    else:
        rows = []
        ids = sorted(i for i in candidates if i > after)
        for start in range(0, len(ids), CANDIDATE_CHUNK):
            chunk = ids[start : start + CANDIDATE_CHUNK]
            rows += session.scalars(query.where(id_column.in_(chunk)).limit(limit + 1 - len(rows)))
            if len(rows) > limit:
                break
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].id)


def next_url(cursor: str | None) -> str | None:
    """This request's URL with ``cursor`` replaced (None when there is no next page)."""
    if cursor is None:
        return None
    args = [(k, v) for k, values in request.args.lists() if k != "cursor" for v in values]
    args.append(("cursor", cursor))
    return f"{request.base_url}?{urlencode(args)}"
