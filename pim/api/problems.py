"""Errors of the REST API as ``application/problem+json`` documents (RFC 9457).

Every error under ``/api/v1`` has the same shape::

    {"type": "https://vitrine.dev/problems/validation", "title": "Validation failed",
     "status": 422, "detail": "…", "code": "validation_failed",
     "errors": [{"field": "values.name", "message": "…", "locale": "en_US"}]}

``code`` is the machine-readable part (stable, documented); ``errors`` is only present for
validation failures. A server error is logged and answered with a generic problem: no
stack trace ever leaves the server.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.routing import RequestRedirect

from pim.extensions import db
from pim.services.errors import ConflictError, InvalidData, NotFound, Problem

PROBLEM_TYPE_BASE = "https://vitrine.dev/problems/"
MEDIA_TYPE = "application/problem+json"

#: status → (code, type slug, title). Other statuses use werkzeug's name.
KNOWN = {
    400: ("bad_request", "bad-request", "Bad request"),
    401: ("unauthorized", "unauthorized", "Unauthorized"),
    403: ("forbidden", "forbidden", "Forbidden"),
    404: ("not_found", "not-found", "Not found"),
    405: ("method_not_allowed", "method-not-allowed", "Method not allowed"),
    406: ("not_acceptable", "not-acceptable", "Not acceptable"),
    409: ("conflict", "conflict", "Conflict"),
    412: ("precondition_failed", "precondition-failed", "Precondition failed"),
    413: ("payload_too_large", "payload-too-large", "Payload too large"),
    415: ("unsupported_media_type", "unsupported-media-type", "Unsupported media type"),
    422: ("validation_failed", "validation", "Validation failed"),
    429: ("too_many_requests", "too-many-requests", "Too many requests"),
    500: ("internal_error", "internal-error", "Internal server error"),
    503: ("service_unavailable", "service-unavailable", "Service unavailable"),
}
#: What a 401 says, whatever the reason (no hint whether the token exists, is revoked…).
UNAUTHORIZED_DETAIL = "A valid bearer token is required."
#: webargs nests its messages under the location they came from.
_LOCATIONS = {"json", "query", "querystring", "view_args", "headers", "form", "files"}
#: marshmallow's Dict field nests key and value errors under these names.
_DICT_PARTS = {"key", "value"}


class ApiError(Exception):
    """Raise anywhere in an API request to answer with a problem document."""

    def __init__(self, status: int, detail: str | None = None, *, errors=None, headers=None):
        super().__init__(detail or "")
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem_response(
    status: int, detail: str | None = None, *, errors=None, headers=None, title=None
) -> Response:
    """A ``application/problem+json`` response."""
    code, slug, known_title = KNOWN.get(status, (None, None, None))
    try:
        name = HTTPStatus(status).phrase
    except ValueError:
        name = "Error"
    code = code or re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    body = {
        "type": PROBLEM_TYPE_BASE + (slug or code.replace("_", "-")),
        "title": title or known_title or name,
        "status": status,
        "detail": detail or known_title or name,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def unauthorized() -> ApiError:
    """The one 401 of the API: same body for a missing, unknown, revoked or bad token."""
    return ApiError(401, UNAUTHORIZED_DETAIL, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def problem_errors(problems: list[Problem]) -> list[dict]:
    """Service problems as ``errors`` items: ``values.<attribute>`` for value problems."""
    out = []
    for problem in problems:
        field = f"values.{problem.attribute}" if problem.attribute else problem.field
        item = {"field": field, "message": problem.message}
        if problem.locale:
            item["locale"] = problem.locale
        if problem.scope:
            item["scope"] = problem.scope
        out.append(item)
    return out


def marshmallow_errors(messages, *, strip_location: bool = False) -> list[dict]:
    """marshmallow's nested messages as a flat list of ``{"field": "a.b", "message"}``."""
    if strip_location and isinstance(messages, dict) and set(messages) <= _LOCATIONS:
        return [e for msgs in messages.values() for e in marshmallow_errors(msgs)]
    return [{"field": field, "message": message} for field, message in _flatten(messages, ())]


def _flatten(messages, path: tuple):
    if isinstance(messages, dict):
        for key, inner in messages.items():
            key = str(key)
            if key == "_schema":
                yield from _flatten(inner, path)
            elif key in _DICT_PARTS and path and isinstance(inner, list | dict):
                # Dict(keys=…, values=…) reports under "key"/"value": the key is the field
                yield from _flatten(inner, path)
            else:
                yield from _flatten(inner, (*path, key))
    elif isinstance(messages, list | tuple):
        for inner in messages:
            yield from _flatten(inner, path)
    else:
        yield (".".join(path) or None), str(messages)


# --- handlers ----------------------------------------------------------------------------


def handle_api_error(error: ApiError) -> Response:
    """An :class:`ApiError` raised by a view or a hook."""
    return problem_response(error.status, error.detail, errors=error.errors, headers=error.headers)


def handle_http_exception(error: HTTPException) -> Response:
    """An HTTP error raised by Flask, werkzeug or webargs (validation, bad JSON, 413…)."""
    status = error.code or 500
    if status >= 500:
        return handle_server_error(error)
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 400 and messages:
        return problem_response(400, "The request body is not valid JSON.", headers=headers)
    if status == 422 and messages is not None:
        errors = marshmallow_errors(messages, strip_location=True)
        return problem_response(
            422, "The request has invalid fields.", errors=errors, headers=headers
        )
    if status == 401:
        return handle_api_error(unauthorized())
    if status == 413:
        return problem_response(413, too_large_detail(), headers=headers)
    return problem_response(status, _description(error), headers=headers)


def _description(error: HTTPException) -> str | None:
    return error.description if isinstance(error.description, str) else None


def too_large_detail() -> str:
    """What a 413 says: the limit of this request."""
    limit = request.max_content_length or current_app.config.get("API_MAX_BODY")
    return f"The request body is larger than the limit of {limit} bytes."


def handle_invalid_data(error: InvalidData) -> Response:
    """A service refused a write: 422 with one entry per problem."""
    return problem_response(
        422, f"{error.subject} was not saved.", errors=problem_errors(error.problems)
    )


def handle_not_found(error: NotFound) -> Response:
    return problem_response(404, str(error))


def handle_conflict(error: ConflictError) -> Response:
    """412 when the client sent If-Match (its version is stale), else 409 (a concurrent
    save won the race: retry)."""
    status = 412 if request.headers.get("If-Match") else 409
    return problem_response(status, str(error))


def handle_server_error(error: Exception) -> Response:
    """Anything unexpected: logged with its traceback, answered with a generic 500."""
    original = getattr(error, "original_exception", None) or error
    current_app.logger.error("API error on %s %s", request.method, request.path, exc_info=original)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the answer must go out whatever the session's state
        current_app.logger.exception("rollback after an API error failed")
    return problem_response(500, "The server could not process the request.")


def install(blueprint: Blueprint) -> None:
    """Make every error of ``blueprint``'s views a problem document.

    Handlers are registered per status code as well as per class: the browser UI registers
    HTML pages for some codes at the app level, and Flask prefers a code handler.
    """
    for code in default_exceptions:
        blueprint.register_error_handler(code, handle_http_exception)
    blueprint.register_error_handler(HTTPException, handle_http_exception)
    blueprint.register_error_handler(ApiError, handle_api_error)
    blueprint.register_error_handler(InvalidData, handle_invalid_data)
    blueprint.register_error_handler(NotFound, handle_not_found)
    blueprint.register_error_handler(ConflictError, handle_conflict)
    blueprint.register_error_handler(Exception, handle_server_error)


def unmatched_route(prefix: str):
    """A before-request hook: under ``prefix``, a URL or method that matches no API route
    gets a problem (404/405) instead of the UI's HTML error page."""

    def hook():
        error = request.routing_exception
        if error is None or isinstance(error, RequestRedirect):
            return None
        if request.path != prefix and not request.path.startswith(prefix + "/"):
            return None
        return handle_http_exception(error)

    return hook
