"""``/api/v1/users``: user accounts, keyed by their numeric ``id`` (an e-mail may contain
characters that need escaping in a URL; the id never changes). Administrators only: every
method, reading included, needs ``manage_users``.

As on the users settings page: a PATCH changes name, role, translator locales, status or
password; DELETE deactivates the account (versions keep referring to it, so it is never
removed). Password and token hashes never leave the server; a password is write only.
"""

from __future__ import annotations

import secrets

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import or_, select

from pim.api import API_PREFIX, auth
from pim.api.problems import ApiError
from pim.api.resources import documented_errors
from pim.api.structure_schemas import (
    UserCreateSchema,
    UserListArgs,
    UserPageSchema,
    UserSchema,
    UserWriteSchema,
)
from pim.api.structured import (
    ETAG_HEADER,
    check_if_match,
    like_pattern,
    page,
    refusal_is_conflict,
    respond,
)
from pim.auth import AuthError, normalise_email
from pim.extensions import db
from pim.models import User
from pim.services import accounts
from pim.services.errors import InvalidData, Problem

blp = Blueprint(
    "users",
    __name__,
    url_prefix=f"{API_PREFIX}/users",
    description="User accounts (administrators only), keyed by numeric id.",
)
#: Ids are 32-bit: a larger number names nobody (and must not reach the database).
MAX_ID = 2**31 - 1
MANAGE_USERS = dict.fromkeys(("GET", "HEAD", "POST", "PATCH", "DELETE"), "manage_users")


def user_doc(user: User) -> dict:
    """A user as the API shows it: never the password or token hashes."""
    return {
        "id": user.id,
        **accounts.user_state(user),
        "created": user.created_at.isoformat(),
        "last_login": user.last_login_at.isoformat() if user.last_login_at else None,
    }


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id) if user_id <= MAX_ID else None
    if user is None:
        raise ApiError(404, f"user {user_id} does not exist.")
    return user


def _respond(user: User, status: int = 200):
    location = url_for("users.UserItem", user_id=user.id) if status == 201 else None
    return respond(user.id, user_doc(user), status, location)


@blp.route("")
class UserCollection(MethodView):
    permissions = MANAGE_USERS

    @blp.arguments(UserListArgs, location="query", unknown=RAISE)
    @blp.response(200, UserPageSchema)
    @documented_errors(blp, 401, 403, 422)
    def get(self, args):
        """List users

        In creation order; filters ``role``, ``active`` and ``search`` (e-mail or name).
        """
        query = select(User)
        if args.get("role"):
            query = query.where(User.role == args["role"])
        if args.get("active") is not None:
            query = query.where(User.active.is_(args["active"]))
        if args.get("search"):
            pattern = like_pattern(args["search"])
            query = query.where(
                or_(User.email.ilike(pattern, escape="\\"), User.name.ilike(pattern, escape="\\"))
            )
        return page(db.session, query, User.id, args, user_doc)

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 413, 415, 422)
    def post(self, payload):
        """Create a user

        ``email`` and ``role`` are required; ``locales`` only matter for translators.
        Without ``password`` a random one is set and never shown: the account then works
        with tokens only until an administrator sets a password.
        """
        if not payload.get("password"):
            payload["password"] = secrets.token_urlsafe(24)
        user = accounts.create_account(db.session, payload, auth.actor())
        db.session.commit()
        return _respond(user, 201)


@blp.route("/<int:user_id>")
class UserItem(MethodView):
    permissions = MANAGE_USERS

    @blp.response(200, UserSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 304, 401, 403, 404)
    def get(self, user_id):
        """Get a user"""
        return _respond(_user(user_id))

    @blp.arguments(UserWriteSchema)
    @blp.response(200, UserSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404, 412, 413, 415, 422)
    def patch(self, payload, user_id):
        """Update a user

        The fields given replace the stored ones; the e-mail is fixed. Refused (422)
        when it would leave no active administrator or deactivate yourself. The same
        payload twice records no new version.
        """
        user = _user(user_id)
        _check_email(user, payload)
        check_if_match(user.id, user_doc(user))
        merged = {**accounts.user_state(user), **payload}
        accounts.update_account(db.session, user, merged, auth.actor())
        db.session.commit()
        return _respond(user)

    @blp.response(204, description="Deactivated")
    @documented_errors(blp, 401, 403, 404, 409, 412)
    def delete(self, user_id):
        """Deactivate a user

        The account stays (history refers to it) but can no longer sign in or use its
        tokens; PATCH ``active: true`` restores it. 409 for yourself or the last active
        administrator.
        """
        user = _user(user_id)
        check_if_match(user.id, user_doc(user))
        merged = {**accounts.user_state(user), "active": False}
        with refusal_is_conflict(f"user {user.email!r}", "deactivated"):
            accounts.update_account(db.session, user, merged, auth.actor())
        db.session.commit()
        return "", 204


def _check_email(user: User, payload: dict) -> None:
    """422 when the payload names another e-mail than the user's (it cannot change)."""
    if "email" not in payload:
        return
    try:
        same = normalise_email(payload["email"]) == user.email
    except AuthError:
        same = False
    if not same:
        problem = Problem("cannot be changed (the key of a user is its id)", field="email")
        raise InvalidData(f"user {user.email!r}", [problem])
