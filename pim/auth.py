"""Authentication: password hashing, browser sessions (Flask-Login) and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from flask import Flask, Request
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from pim.extensions import db, login_manager
from pim.models import ApiToken, Role, User
from pim.models.types import utcnow

TOKEN_PREFIX = "vtr_"  # noqa: S105 (a marker, not a secret)
MIN_PASSWORD_LENGTH = 8


class AuthError(ValueError):
    """A user or token operation was refused; the message says why."""


def init_app(app: Flask) -> None:
    """Bind Flask-Login: session users for the browser, bearer tokens for the API."""
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_request)


def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _load_user_from_request(request: Request) -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return user_for_token(db.session, token.strip())


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session, email: str, role: str, password: str, name: str = "") -> User:
    """Create a user; refuses a duplicate e-mail, an unknown role or a short password."""
    email = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise AuthError(f"unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AuthError(f"a user with e-mail {email} already exists")
    user = User(email=email, role=role, name=name, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    return user


def normalise_email(email: str) -> str:
    """Lower-case and validate the rough shape of an e-mail address."""
    email = (email or "").strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in email) or len(email) > 254:
        raise AuthError(f"{email!r} is not a valid e-mail address")
    return email


def authenticate(session, email: str, password: str) -> User | None:
    """Return the active user with these credentials, else None (no hint which part failed)."""
    try:
        email = normalise_email(email)
    except AuthError:
        return None
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


def set_password(user: User, password: str) -> None:
    """Replace a user's password (hashed)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password must be at least {MIN_PASSWORD_LENGTH} characters long")
    user.password_hash = generate_password_hash(password)


def issue_token(session, user: User, name: str = "") -> str:
    """Create a personal API token for ``user`` and return the secret (shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, name=name, prefix=token[:12], token_hash=hash_token(token)))
    session.flush()
    return token


def user_for_token(session, token: str) -> User | None:
    """The active user owning an unrevoked token, else None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user


def revoke_token(session, token_row: ApiToken) -> None:
    """Revoke a token; it stops working at once."""
    token_row.revoked_at = utcnow()
    session.flush()
