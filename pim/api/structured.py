"""What the code-keyed structure resources of the API share (attributes, families,
categories, channels…): find by code, represent with an ETag, list by cursor, and turn a
service's refusal into the right problem. An :class:`Entity` bundles these for one kind of
row, so that most views are one call (``ATTRIBUTE.patch(code, payload)``).

A structure entity has no version column; its ETag is ``"<row id>-<digest>"``, the digest
of the representation itself (the ``*_state`` of :mod:`pim.services.structure`), so it
changes exactly when what a client sees changes, and a deleted and re-created entity never
matches an old tag.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Response, request, url_for
from sqlalchemy import String, cast, or_, select

from pim.api import auth, etags
from pim.api.pagination import decode_cursor, next_url, paginate
from pim.api.problems import ApiError, problem_errors
from pim.api.resources import json_response
from pim.extensions import db
from pim.services.errors import InvalidData, Problem

#: The ``ETag`` header as the OpenAPI document shows it.
ETAG_HEADER = {
    "ETag": {"description": "digest of the representation", "schema": {"type": "string"}}
}
#: Methods that write the structure need ``configure``, as in the settings UI.
CONFIGURE = {"POST": "configure", "PATCH": "configure", "DELETE": "configure"}


def state_tag(item_id: int, doc: dict) -> str:
    """The unquoted ETag of a representation."""
    raw = json.dumps(doc, sort_keys=True, default=str, ensure_ascii=False).encode()
    return f"{item_id}-{hashlib.sha256(raw).hexdigest()[:16]}"


def find(session, model, key: str, column=None):
    """The row whose ``column`` (``model.code`` by default) is ``key``, or None."""
    if "\x00" in key:
        return None
    column = column if column is not None else model.code
    return session.scalar(select(model).where(column == key))


def get_or_404(session, model, key: str, what: str, column=None):
    """The row named ``key`` or a 404 problem naming it."""
    row = find(session, model, key, column)
    if row is None:
        raise ApiError(404, f"{what} {key!r} does not exist.")
    return row


def check_if_match(item_id: int, doc: dict) -> None:
    """412 when ``If-Match`` names no tag of the current representation (``*`` matches)."""
    etags.match(state_tag(item_id, doc))


def respond(item_id: int, doc: dict, status: int = 200, location: str | None = None) -> Response:
    """The representation with its ETag (Location after a creation); 304 when the GET's
    ``If-None-Match`` already names it."""
    tag = state_tag(item_id, doc)
    if request.method in ("GET", "HEAD") and (cached := etags.not_modified(tag)) is not None:
        return cached
    response = json_response(doc, status)
    response.set_etag(tag)
    if location:
        response.headers["Location"] = location
    return response


def page(session, query, id_column, args: dict, to_doc: Callable) -> Response:
    """One page of ``query`` in id order: ``{"items": [...], "next": url|null}``."""
    rows, cursor = paginate(
        session, query, id_column, after=decode_cursor(args.get("cursor")), limit=args["limit"]
    )
    return json_response({"items": [to_doc(row) for row in rows], "next": next_url(cursor)})


def like_pattern(text: str) -> str:
    """A LIKE pattern (escape character ``\\``) matching ``text`` anywhere."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_clause(text: str, code_column, labels_column):
    """Rows whose code or any label contains ``text`` (case-insensitive for ASCII).

    Labels are searched in their stored JSON text, which SQLite keeps with non-ASCII
    characters escaped (``\\u00e9``): the escaped form of ``text`` is tried as well.
    """
    labels = cast(labels_column, String)
    clauses = [
        code_column.ilike(like_pattern(text), escape="\\"),
        labels.ilike(like_pattern(text), escape="\\"),
    ]
    escaped = json.dumps(text)[1:-1]
    if escaped != text:
        clauses.append(labels.ilike(like_pattern(escaped), escape="\\"))
    return or_(*clauses)


def check_key(payload: dict, key: str, field: str = "code") -> None:
    """422 when the payload names another item than the URL (nothing is renamed)."""
    if field in payload and payload[field] != key:
        raise InvalidData(
            f"item {key!r}",
            [Problem("must be the key of the URL (codes cannot be changed)", field=field)],
        )


@contextmanager
def refusal_is_conflict(subject: str, verb: str = "deleted") -> Iterator[None]:
    """A service's refusal (the item is in use) becomes a 409 naming why."""
    try:
        yield
    except InvalidData as refused:
        reasons = "; ".join(p.message for p in refused.problems)
        raise ApiError(
            409, f"{subject} cannot be {verb}: {reasons}", errors=problem_errors(refused.problems)
        ) from None


@dataclass(frozen=True)
class Entity:
    """One kind of code-keyed structure row and the services that write it."""

    name: str  # "attribute group", in messages
    model: type
    state: Callable  # row -> representation (the state its history records)
    endpoint: str  # the single-item view, for Location headers
    create: Callable  # (session, payload, actor) -> row
    update: Callable | None = None  # (session, row, payload, actor) -> version or None
    delete: Callable | None = None  # (session, row, actor); refusals become 409

    def get(self, code: str):
        """The row ``code``, or a 404 problem."""
        return get_or_404(db.session, self.model, code, self.name)

    def respond(self, row, status: int = 200) -> Response:
        location = url_for(self.endpoint, code=row.code) if status == 201 else None
        return respond(row.id, self.state(row), status, location)

    def page(self, query, args: dict) -> Response:
        return page(db.session, query, self.model.id, args, self.state)

    def post(self, payload: dict) -> Response:
        """Create the row; 409 when the code is taken."""
        if find(db.session, self.model, payload["code"]) is not None:
            raise ApiError(409, f"{self.name} {payload['code']!r} already exists; PATCH it.")
        row = self.create(db.session, payload, auth.actor())
        db.session.commit()
        return self.respond(row, 201)

    def patch(self, code: str, payload: dict) -> Response:
        """Apply the fields given (``If-Match`` honoured; no change records no version)."""
        row = self.get(code)
        check_key(payload, code)
        check_if_match(row.id, self.state(row))
        self.update(db.session, row, payload, auth.actor())
        db.session.commit()
        return self.respond(row)

    def remove(self, code: str) -> tuple[str, int]:
        """Delete the row (``If-Match`` honoured); 409 naming why when it is in use."""
        row = self.get(code)
        check_if_match(row.id, self.state(row))
        with refusal_is_conflict(f"{self.name} {code!r}"):
            self.delete(db.session, row, auth.actor())
        db.session.commit()
        return "", 204
