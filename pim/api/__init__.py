"""The REST API under ``/api/v1``: JSON resources described by an OpenAPI 3 document that
flask-smorest builds from the same marshmallow schemas that validate requests.

Modules: :mod:`~pim.api.auth` (bearer tokens, roles), :mod:`~pim.api.problems` (RFC 9457
errors), :mod:`~pim.api.schemas`, :mod:`~pim.api.pagination` (cursors),
:mod:`~pim.api.etags` (ETag, If-Match, If-None-Match), :mod:`~pim.api.filters`,
:mod:`~pim.api.resources` (what the catalogue resources share), the resources
(:mod:`~pim.api.products`, :mod:`~pim.api.product_models`) and :mod:`~pim.api.docs`
(``/api/v1/openapi.json`` and the browsable ``/api/v1/docs``).

Plugins add their resources with :func:`register_blueprint` (the PIM never imports them)::

    from flask_smorest import Blueprint
    from pim.api import API_PREFIX, register_blueprint

    blp = Blueprint("api_assets", __name__, url_prefix=f"{API_PREFIX}/assets")
    ...  # MethodView classes; ``permissions``, ``max_body``, ``accepts`` class attributes
    register_blueprint(app, blp)
"""

from __future__ import annotations

from http import HTTPStatus

import flask_smorest
from flask import Flask, current_app, request
from flask_smorest.utils import prepare_response

from pim.api import auth, limits, problems
from pim.api.schemas import ProblemSchema
from pim.extensions import csrf

API_PREFIX = "/api/v1"
API_VERSION = "1.0"
#: Default largest request body of an API call; a view class may set ``max_body``.
DEFAULT_MAX_BODY = 10 * 1024 * 1024
JSON_TYPES = ("application/json",)
BODY_METHODS = {"POST", "PUT", "PATCH"}

DESCRIPTION = """\
Vitrine's catalogue over HTTP. Authenticate with a personal token:
`Authorization: Bearer vtr_…` (create one on your profile page).

* Errors are `application/problem+json` documents (RFC 9457) with a machine-readable
  `code`; validation errors list `errors: [{field, message}]`.
* Lists use cursor pagination: follow `next` until it is null; `limit` is 1–100.
* Every single item has an `ETag`; send it back in `If-Match` on PATCH and DELETE to get
  `412` instead of overwriting someone else's change; `If-None-Match` on GET gives `304`.
* `PATCH` merges: scalar fields are replaced, `values` are merged per attribute, locale
  and scope, `associations` per type. Sending the same payload twice records no new version.
* `PATCH` on a list with `Content-Type: application/x-ndjson` upserts up to 1,000 items,
  one JSON object per line, and answers one status line per input line.
"""


class VitrineApi(flask_smorest.Api):
    """flask-smorest's Api, minus its app-wide JSON error handler (the UI keeps its HTML
    pages) and with every documented error as ``application/problem+json``."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """Errors are handled per API blueprint (see :func:`problems.install`)."""

    def _register_responses(self):
        for status in HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, problems.MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Any other error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, problems.MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_app(app: Flask) -> None:
    """Create the API, its documentation routes and the PIM's resources."""
    app.config.setdefault("API_MAX_BODY", DEFAULT_MAX_BODY)
    api = VitrineApi(
        spec_kwargs={
            "title": "Vitrine API",
            "version": API_VERSION,
            "openapi_version": "3.0.3",
            "info": {"description": DESCRIPTION},
            "security": [{"bearerAuth": []}],
        }
    )
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "personal token"}
    )
    app.extensions["vitrine_api"] = api
    app.before_request(problems.unmatched_route(API_PREFIX))
    limits.init_app(app, API_PREFIX)

    from pim.api import docs, imports, jobs, product_models, products

    docs.init_app(app)
    register_blueprint(app, products.blp)
    register_blueprint(app, product_models.blp)
    from pim.api import attributes, categories, families, reference, users  # structure

    register_blueprint(app, attributes.blp)
    register_blueprint(app, attributes.groups_blp)
    register_blueprint(app, families.blp)
    register_blueprint(app, categories.blp)
    for blueprint in reference.BLUEPRINTS:  # channels, locales, currencies, association types
        register_blueprint(app, blueprint)
    register_blueprint(app, users.blp)
    register_blueprint(app, imports.profiles_blp)
    register_blueprint(app, imports.blp)
    register_blueprint(app, jobs.blp)
    register_blueprint(app, jobs.mass_edits_blp)
    jobs.init_app(app)  # the job kinds of the PIM; plugins add theirs
    from pim.api import translations, webhooks

    register_blueprint(app, webhooks.blp)
    register_blueprint(app, translations.blp)


def register_blueprint(app: Flask, blueprint: flask_smorest.Blueprint) -> None:
    """Add a flask-smorest blueprint of resources to the API.

    Its routes then need a bearer token and the role's permission, answer every error
    as a problem document, refuse bodies over the size limit and of the wrong type, are
    exempt from CSRF (no cookie is used) and appear in the OpenAPI document and the docs.

    View classes may declare ``permissions`` (method → action, default ``read`` for GET
    and ``edit`` otherwise), ``max_body`` (bytes, for uploads) and ``accepts`` (method →
    media types, default JSON).
    """
    if not getattr(blueprint, "vitrine_api_ready", False):  # once per process, not per app
        problems.install(blueprint)
        blueprint.before_request(auth.authenticate)
        blueprint.before_request(check_body)
        blueprint.vitrine_api_ready = True
    csrf.exempt(blueprint)
    app.extensions["vitrine_api"].register_blueprint(blueprint)


def check_body() -> None:
    """413 for a body over the view's limit, 415 for a body of a type it does not take."""
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", view)
    limit = getattr(view_class, "max_body", None) or current_app.config["API_MAX_BODY"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise problems.ApiError(413, problems.too_large_detail())
    if request.method not in BODY_METHODS:
        return
    accepted = getattr(view_class, "accepts", {}).get(request.method, JSON_TYPES)
    mimetype = request.mimetype
    if mimetype in accepted or (mimetype.endswith("+json") and "application/json" in accepted):
        return
    raise problems.ApiError(415, f"Send the body as {' or '.join(accepted)}.")
