"""What every catalogue resource of the API shares: representation (trimming, ETag),
create / upsert / delete through the services, and NDJSON batch upserts.

A :class:`Resource` says how one kind of item is found, written and serialised; the views
of :mod:`pim.api.products` and :mod:`pim.api.product_models` are thin wrappers around the
functions below, and further resources (attributes, assets…) follow the same pattern.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from flask import Response, current_app, request, url_for
from marshmallow import Schema, ValidationError
from sqlalchemy import select

from pim.api import auth, etags
from pim.api.problems import ApiError, marshmallow_errors, problem_errors
from pim.services.errors import ConflictError, InvalidData, Problem
from pim.services.structure_cache import Structure

#: Lines a batch upsert accepts; more is a 413.
MAX_BATCH_LINES = 1000
NDJSON = "application/x-ndjson"
#: Query arguments that make a representation differ from the full one.
TRIM_ARGS = ("locales", "scope", "attributes", "with_completeness")


@dataclass(frozen=True)
class Resource:
    """How the API reads and writes one kind of item (a product, a product model)."""

    name: str  # "product", in messages
    key: str  # "identifier" / "code": the URL key and the payload field
    model: type
    endpoint: str  # the single-item view, for Location headers
    create: Callable  # (session, payload, actor, structure) -> item
    update: Callable  # (session, item, payload, actor, *, expected_version, structure)
    delete: Callable  # (session, item, actor)
    to_standard: Callable  # (session, item, with_completeness) -> dict
    create_schema: type[Schema]
    #: (session, payloads, actor, structure) -> BulkResult: creates many new items at once
    #: (the importers' writers); batch upserts send it the lines that create items
    bulk_create: Callable | None = None

    def find(self, session, key: str):
        """The item with this key, or None."""
        if "\x00" in key:
            return None
        column = getattr(self.model, self.key)
        return session.scalar(select(self.model).where(column == key))

    def get_or_404(self, session, key: str):
        item = self.find(session, key)
        if item is None:
            raise ApiError(404, f"{self.name} {key!r} does not exist.")
        return item

    def location(self, item) -> str:
        return url_for(self.endpoint, **{self.key: getattr(item, self.key)})


# --- representation ------------------------------------------------------------------------


def representation(resource: Resource, session, item, args: dict) -> tuple[dict, str]:
    """The item's standard format trimmed by ``args``, and its ETag."""
    doc = resource.to_standard(session, item, bool(args.get("with_completeness")))
    doc = trim(doc, args)
    variant = {k: args[k] for k in TRIM_ARGS if args.get(k)}
    if "completeness" in doc:
        variant["completeness"] = doc["completeness"]
    return doc, etags.representation_tag(item, variant)


def trim(doc: dict, args: dict) -> dict:
    """Keep only the values (and completeness) of the requested attributes, locales and
    channel; values without a locale or scope are always kept."""
    attributes = set(args.get("attributes") or ())
    locales = set(args.get("locales") or ())
    scope = args.get("scope")
    if not (attributes or locales or scope):
        return doc
    values = {}
    for code, entries in doc["values"].items():
        if attributes and code not in attributes:
            continue
        kept = [
            e
            for e in entries
            if (not locales or e.get("locale") is None or e["locale"] in locales)
            and (not scope or e.get("scope") is None or e["scope"] == scope)
        ]
        if kept:
            values[code] = kept
    doc = {**doc, "values": values}
    if "completeness" in doc:
        doc["completeness"] = [
            c
            for c in doc["completeness"]
            if (not scope or c["channel"] == scope) and (not locales or c["locale"] in locales)
        ]
    return doc


def check_trim_args(structure: Structure, args: dict) -> None:
    """422 for a channel or locale that does not exist (a typo would silently trim all)."""
    scope = args.get("scope")
    if scope and scope not in structure.channels:
        raise ApiError(
            422,
            "Unknown channel.",
            errors=[{"field": "scope", "message": f"unknown channel {scope!r}"}],
        )
    unknown = [code for code in args.get("locales") or () if code not in structure.locales]
    if unknown:
        message = f"unknown locales: {', '.join(unknown)}"
        raise ApiError(422, "Unknown locale.", errors=[{"field": "locales", "message": message}])


def item_response(resource: Resource, session, item, args: dict, status: int = 200) -> Response:
    """The item as JSON with its ETag (and Location after a creation); 304 when the
    client's ``If-None-Match`` already names it."""
    doc, tag = representation(resource, session, item, args)
    if request.method in ("GET", "HEAD") and (cached := etags.not_modified(tag)) is not None:
        return cached
    response = json_response(doc, status)
    response.set_etag(tag)
    if status == 201:
        response.headers["Location"] = resource.location(item)
    return response


def documented_errors(blueprint, *codes: int):
    """Decorator: declare these problem responses of a view in the OpenAPI document."""

    def decorator(view):
        for code in codes:
            view = blueprint.alt_response(code, response=HTTPStatus(code).name)(view)
        return view

    return decorator


def ndjson_request_body(schema_name: str) -> dict:
    """The OpenAPI request body of a batch upsert: NDJSON lines of ``schema_name``."""
    return {
        "required": True,
        "description": f"Up to {MAX_BATCH_LINES} lines, each a JSON object ({schema_name}).",
        "content": {NDJSON: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


def json_response(doc, status: int = 200) -> Response:
    return current_app.response_class(
        json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n",
        status=status,
        mimetype="application/json",
    )


# --- writes --------------------------------------------------------------------------------


@dataclass
class Outcome:
    item: object
    created: bool
    changed: bool


def upsert(
    resource: Resource, session, key: str, payload: dict, *, expected_version=None, structure=None
) -> Outcome:
    """Create the item ``key`` from ``payload`` or merge ``payload`` into it.

    The payload's key, when given, must be ``key`` (items are not renamed through the
    API). An unchanged item records no version: the services compare states.
    """
    if payload.get(resource.key, key) != key:
        raise InvalidData(
            f"{resource.name} {key!r}",
            [_problem(resource.key, "must be the key of the URL (items are not renamed here)")],
        )
    structure = structure or Structure.current(session)
    item = resource.find(session, key)
    if item is None:
        item = resource.create(session, {**payload, resource.key: key}, auth.actor(), structure)
        return Outcome(item, created=True, changed=True)
    version = resource.update(
        session, item, payload, auth.actor(), expected_version=expected_version, structure=structure
    )
    return Outcome(item, created=False, changed=version is not None)


def _problem(field: str, message: str) -> Problem:
    return Problem(message, field=field)


def create(resource: Resource, session, payload: dict):
    """POST: a new item; 409 when the key is taken."""
    key = payload[resource.key]
    if resource.find(session, key) is not None:
        raise ApiError(409, f"{resource.name} {key!r} already exists; PATCH it to change it.")
    return resource.create(session, payload, auth.actor(), Structure.current(session))


# --- batch upsert --------------------------------------------------------------------------


def batch_upsert(resource: Resource, session, body: bytes) -> Response:
    """Apply an NDJSON body, one item per line; answer one NDJSON status line per input
    line. A bad line does not affect the others.

    Lines that create an item (its key is new to the catalogue and to the batch) go
    through the resource's bulk writer, validated one by one and inserted together;
    every other line is applied on its own, in order, in its own savepoint.
    """
    lines = [(n, raw) for n, raw in enumerate(body.split(b"\n"), start=1) if raw.strip()]
    if len(lines) > MAX_BATCH_LINES:
        raise ApiError(
            413, f"A batch holds at most {MAX_BATCH_LINES} lines; this one has {len(lines)}."
        )
    structure = Structure.current(session)
    results: dict[int, dict] = {}
    parsed = []
    schema = resource.create_schema()  # one instance: building one costs more than a load
    for number, raw in lines:
        loaded = _parse_line(resource, schema, number, raw)
        if "status_code" in loaded:
            results[number] = loaded
        else:
            parsed.append((number, loaded["payload"]))
    fresh, rest = _split_creations(resource, session, parsed)
    if fresh:
        results.update(_bulk_create(resource, session, fresh, structure))
    for number, payload in rest:
        results[number] = _batch_line(resource, session, number, payload, structure)
    session.commit()
    out = "".join(json.dumps(results[n], ensure_ascii=False) + "\n" for n, _raw in lines)
    return current_app.response_class(out, status=200, mimetype=NDJSON)


def _parse_line(resource: Resource, schema: Schema, number: int, raw: bytes) -> dict:
    """``{"payload": …}`` for a line that holds, else its status line (400 or 422)."""
    result = {"line": number, resource.key: None}
    try:
        data = json.loads(raw)
    except ValueError:  # also UnicodeDecodeError
        return {
            **result,
            "status_code": 400,
            "errors": [{"field": None, "message": "not valid JSON"}],
        }
    if isinstance(data, dict) and isinstance(data.get(resource.key), str):
        result[resource.key] = data[resource.key]
    try:
        return {"payload": schema.load(data)}
    except ValidationError as error:
        return {**result, "status_code": 422, "errors": marshmallow_errors(error.messages)}


def _split_creations(resource: Resource, session, parsed: list) -> tuple[list, list]:
    """The lines the bulk writer can create, and the others (in their order)."""
    if resource.bulk_create is None:
        return [], parsed
    column = getattr(resource.model, resource.key)
    keys = [payload[resource.key] for _n, payload in parsed]
    stored = set(session.scalars(select(column).where(column.in_(keys)))) if keys else set()
    fresh, rest, seen = [], [], set()
    for number, payload in parsed:
        key = payload[resource.key]
        if key in stored or key in seen or "associations" in payload:
            rest.append((number, payload))
        else:
            fresh.append((number, payload))
        seen.add(key)
    return fresh, rest


def _bulk_create(resource: Resource, session, fresh: list, structure) -> dict[int, dict]:
    payloads = [payload for _n, payload in fresh]
    outcome = resource.bulk_create(session, payloads, auth.actor(), structure)
    refused = {index: reason for index, _key, reason in outcome.failed}
    column = getattr(resource.model, resource.key)
    keys = [payload[resource.key] for payload in payloads]
    versions = dict(
        session.execute(select(column, resource.model.version).where(column.in_(keys))).all()
    )
    results = {}
    for index, (number, payload) in enumerate(fresh):
        key = payload[resource.key]
        line = {"line": number, resource.key: key}
        if index in outcome.problems:
            line.update(status_code=422, errors=problem_errors(outcome.problems[index]))
        elif index in refused or key not in versions:
            message = refused.get(index, "was not created")
            line.update(status_code=409, errors=[{"field": None, "message": message}])
        else:
            line.update(status_code=201, version=versions[key])
        results[number] = line
    return results


def _batch_line(resource: Resource, session, number: int, payload: dict, structure) -> dict:
    result = {"line": number, resource.key: payload[resource.key]}
    try:
        with session.begin_nested():
            outcome = upsert(resource, session, payload[resource.key], payload, structure=structure)
    except InvalidData as invalid:
        return {**result, "status_code": 422, "errors": problem_errors(invalid.problems)}
    except ConflictError as conflict:
        return {**result, "status_code": 409, "errors": [{"field": None, "message": str(conflict)}]}
    status = 201 if outcome.created else 204
    return {**result, "status_code": status, "version": outcome.item.version}
