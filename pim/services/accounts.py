"""Writes to user accounts (the users settings page calls them): create, change name, role,
translator locales, password and status, revoke API tokens; each change is recorded in the
user's history (resource type ``user``; passwords never are).

:mod:`pim.auth` owns accounts (hashing, tokens, sign-in) and has no update function yet;
these build on it and raise :class:`InvalidData` like the structure services, so the page
shows each problem next to its field. Like every service they flush and never commit.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from pim.auth import MIN_PASSWORD_LENGTH, AuthError, create_user, issue_token, normalise_email
from pim.auth import revoke_token as revoke_one
from pim.auth import set_password as hash_password
from pim.models import Locale, Role, User
from pim.services import history
from pim.services.actors import Actor
from pim.services.errors import InvalidData, Problem

RESOURCE = "user"
ROLES = tuple(role.value for role in Role)


def user_state(user: User) -> dict:
    """What the history records of an account."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "locales": list(user.locales or []),
        "active": user.active,
    }


def create_account(session, payload: dict, actor: Actor) -> User:
    """Create a user: ``email``, ``name``, ``role``, ``password``, ``locales`` (translators)."""
    subject = f"user {payload.get('email')!r}"
    problems = _email_problems(session, payload.get("email", ""))
    problems += _role_problems(payload.get("role"))
    problems += _password_problems(payload.get("password") or "")
    locales = _locales(session, payload, problems)
    if problems:
        raise InvalidData(subject, problems)
    try:
        user = create_user(
            session, payload["email"], payload["role"], payload["password"], payload.get("name", "")
        )
    except AuthError as error:  # a race on the e-mail: one Problem like the others
        raise InvalidData(subject, [Problem(str(error), field="email")]) from None
    user.locales = locales
    session.flush()
    _record(session, user, actor, None)
    return user


def update_account(session, user: User, payload: dict, actor: Actor):
    """Change ``name``, ``role``, ``locales``, ``active`` or ``password`` (when not blank).

    Refused when it would leave no active administrator, or would deactivate the actor.
    Returns the recorded version, None when nothing changed.
    """
    subject = f"user {user.email!r}"
    problems = _role_problems(payload.get("role", user.role))
    password = payload.get("password") or ""
    if password:
        problems += _password_problems(password)
    locales = _locales(session, payload, problems)
    role, active = payload.get("role", user.role), payload.get("active", user.active)
    problems += _lockout_problems(session, user, role, active, actor)
    if problems:
        raise InvalidData(subject, problems)
    before = user_state(user)
    user.name = payload.get("name", user.name)
    user.role, user.active, user.locales = role, bool(active), locales
    if password:
        hash_password(user, password)
    session.flush()
    return _record(session, user, actor, before, "password changed" if password else None)


def revoke_tokens(session, user: User, token_id: int | None = None) -> int:
    """Revoke one active token (``token_id``) or all of them; returns how many."""
    live = [t for t in user.tokens if t.revoked_at is None]
    if token_id is not None:
        live = [t for t in live if t.id == token_id]
    for token in live:
        revoke_one(session, token)
    return len(live)


def _record(session, user: User, actor: Actor, before: dict | None, comment=None):
    return history.record(
        session,
        resource_type=RESOURCE,
        resource_id=user.id,
        resource_key=user.email,
        snapshot=user_state(user),
        actor=actor,
        before=before,
        comment=comment,
    )


def _email_problems(session, email: str) -> list[Problem]:
    try:
        email = normalise_email(email)
    except AuthError:
        return [Problem(_("is not a valid e-mail address"), field="email")]
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        return [
            Problem(_("a user with e-mail %(email)s already exists", email=email), field="email")
        ]
    return []


def _role_problems(role) -> list[Problem]:
    if role not in ROLES:
        return [Problem(_("choose one of %(roles)s", roles=", ".join(ROLES)), field="role")]
    return []


def _password_problems(password: str) -> list[Problem]:
    if len(password) < MIN_PASSWORD_LENGTH:
        message = _("must be at least %(count)s characters long", count=MIN_PASSWORD_LENGTH)
        return [Problem(message, field="password")]
    return []


def _locales(session, payload: dict, problems: list[Problem]) -> list[str]:
    """The locales a translator may edit (known codes only); other roles have none."""
    if payload.get("role") != Role.TRANSLATOR.value:
        return []
    codes = list(dict.fromkeys(payload.get("locales") or []))
    known = set(session.scalars(select(Locale.code).where(Locale.code.in_(codes))))
    unknown = [code for code in codes if code not in known]
    if unknown:
        problems.append(
            Problem(_("unknown: %(unknown)s", unknown=", ".join(unknown)), field="locales")
        )
    return [code for code in codes if code in known]


def _lockout_problems(session, user: User, role: str, active, actor: Actor) -> list[Problem]:
    problems = []
    if not active and user.active and actor.user_id == user.id:
        problems.append(Problem(_("you cannot deactivate your own account"), field="active"))
    stays_admin = role == Role.ADMIN.value and bool(active)
    if user.role == Role.ADMIN.value and user.active and not stays_admin:
        others = session.scalar(
            select(func.count(User.id)).where(
                User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id
            )
        )
        if not others:
            message = _("is the last active administrator; make another user admin first")
            problems.append(Problem(message, field="role"))
    return problems


def set_interface_language(session, user: User, language: str | None) -> None:
    """The UI language ``user`` chose (``fr``…), or None to follow their browser."""
    from pim.i18n import UI_LOCALES

    language = language or None
    if language is not None and language not in UI_LOCALES:
        raise InvalidData(
            _("user %(email)s", email=user.email),
            [
                Problem(
                    _("choose one of %(ui_locales)s", ui_locales=", ".join(UI_LOCALES)),
                    field="ui_locale",
                )
            ],
        )
    user.ui_locale = language
    session.flush()


def issue_personal_token(session, user: User, name: str) -> str:
    """A new API token of ``user`` named ``name`` (1–100 characters); the secret is
    returned once and only its hash is kept."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidData(_("the token"), [Problem(_("name it (1–100 characters)"), field="name")])
    return issue_token(session, user, name=name)
