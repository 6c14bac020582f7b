"""Bearer-token authentication and role checks of the REST API.

``Authorization: Bearer vtr_…`` names a personal token (only its SHA-256 is stored). The
token's user acts with their role, as in the UI. The API never reads or writes the session
cookie: every request carries its token.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from pim.api.problems import ApiError, unauthorized
from pim.auth import TOKEN_PREFIX, hash_token
from pim.extensions import db
from pim.models import ApiToken, Source, User
from pim.models.types import utcnow
from pim.services.actors import Actor

#: ``last_used_at`` is written at most this often per token (not one write per request).
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: Permission of a method when the view declares none (see :func:`authorize`).
DEFAULT_PERMISSIONS = {"GET": "read", "HEAD": "read", "OPTIONS": "read"}
WRITE_PERMISSION = "edit"


def authenticate() -> None:
    """Before each API request: find the token's user or answer 401, then check the role."""
    user = token_user(request.headers.get("Authorization", ""))
    if user is None:
        raise unauthorized()
    g.api_user = user
    authorize(user)


def token_user(header: str) -> User | None:
    """The active user of an unrevoked token in an ``Authorization`` header, else None."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        return None
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii() or not token.isprintable():
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
        row.last_used_at = now
        try:
            db.session.commit()  # nothing else is pending yet: the request has not started
        except OperationalError:  # a busy SQLite during a read: the touch can wait
            db.session.rollback()
            row = db.session.scalar(select(ApiToken).where(ApiToken.id == row.id))
    return row.user


def authorize(user: User) -> None:
    """403 unless the user may read the catalogue and use this method of this view.

    A view class declares ``permissions = {"PATCH": "edit", ...}``; by default reading
    needs ``read`` and any other method needs ``edit`` (what the UI checks to edit
    products). Every API call needs ``read``: suppliers use their portal, not the API.
    """
    view = current_app.view_functions.get(request.endpoint)
    declared = getattr(getattr(view, "view_class", view), "permissions", {})
    needed = {"read", declared.get(request.method) or _default_permission(request.method)}
    if not all(user.can(action) for action in needed):
        raise ApiError(403, "Your role does not allow this operation.")


def _default_permission(method: str) -> str:
    return DEFAULT_PERMISSIONS.get(method, WRITE_PERMISSION)


def current_user() -> User:
    """The user of the request's token."""
    return g.api_user


def actor() -> Actor:
    """The author recorded on the versions this request writes."""
    return Actor.for_user(g.api_user, Source.API)


def check_translation(user: User, structure, payload: dict, item) -> None:
    """A translator (``translate`` without ``edit``) may only change the localizable values
    of their locales on existing items, as on the product page; 403 otherwise."""
    if user.can("edit"):
        return
    if item is None:
        raise ApiError(403, "Your role may change translations of existing items only.")
    others = sorted(key for key in payload if key != "values")
    if others:
        raise ApiError(403, f"Your role may only change translations, not {', '.join(others)}.")
    allowed = set(user.locales or ()) or structure.active_locales
    for code, entries in payload.get("values", {}).items():
        attribute = structure.attributes.get(code)
        for entry in entries:
            locale = entry.get("locale")
            if attribute is None or not attribute.localizable or locale not in allowed:
                where = f"values.{code}" + (f" in {locale}" if locale else "")
                raise ApiError(403, f"Your role may not change {where}.")
