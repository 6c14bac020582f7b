"""Users and roles: the list with a create form, the edit form (name, role, translator
locales, new password, active), API tokens (revoke one or all), history. Admins only
(``manage_users``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from pim.extensions import db
from pim.models import ApiToken, Role, User
from pim.services import accounts, history
from pim.web.blueprint import bp
from pim.web.settings.common import changed, locale_codes, manage_users, save, ui_actor

#: What each role may do, as the page explains it.
ROLE_HELP = {
    Role.ADMIN: _l("configures the structure, users and channels, and edits everything"),
    Role.EDITOR: _l("edits products and assets, runs imports"),
    Role.TRANSLATOR: _l("edits the localizable values of their locales"),
    Role.SUPPLIER: _l("uses the supplier portal only"),
    Role.VIEWER: _l("reads the catalogue"),
}


@bp.get("/settings/users")
@manage_users
def settings_users():
    """Every user with role, status and active tokens, and the form adding one."""
    blank = {"email": "", "name": "", "role": Role.EDITOR.value, "locales": []}
    return _render_list(blank)


@bp.post("/settings/users")
@manage_users
def settings_user_create():
    """Create a user; 422 with the form kept (never the password) when refused."""
    data = _submitted()
    data["email"] = request.form.get("email", "").strip()
    payload = {**data, "password": request.form.get("password", "")}
    outcome = save(lambda: accounts.create_account(db.session, payload, ui_actor()))
    if not outcome.saved:
        return _render_list(data, outcome.errors), 422
    created = outcome.result
    flash(
        _("Created the user %(email)s (%(role)s).", email=created.email, role=created.role),
        "success",
    )
    return redirect(url_for("web.settings_users"))


@bp.get("/settings/users/<int:user_id>")
@manage_users
def settings_user(user_id: int):
    """The edit form, tokens and history of a user."""
    user = _user_or_404(user_id)
    return _render_edit(user, accounts.user_state(user))


@bp.post("/settings/users/<int:user_id>")
@manage_users
def settings_user_update(user_id: int):
    """Save name, role, locales, status and (when typed) a new password."""
    user = _user_or_404(user_id)
    data = {**_submitted(), "active": request.form.get("active") == "1"}
    payload = {**data, "password": request.form.get("password", "")}
    outcome = save(lambda: accounts.update_account(db.session, user, payload, ui_actor()))
    if not outcome.saved:
        return _render_edit(user, {"email": user.email, **data}, outcome.errors), 422
    saved = _("Saved the user %(email)s.", email=user.email)
    unchanged = _("Nothing to save: the user %(email)s is unchanged.", email=user.email)
    flash(changed(outcome.result, saved, unchanged), "success")
    return redirect(url_for("web.settings_user", user_id=user.id))


@bp.post("/settings/users/<int:user_id>/tokens/revoke")
@manage_users
def settings_user_revoke_tokens(user_id: int):
    """Revoke the token ``token`` (an id), or every active token when none is given."""
    user = _user_or_404(user_id)
    token = request.form.get("token", type=int)
    count = accounts.revoke_tokens(db.session, user, token)
    db.session.commit()
    message = ngettext(
        "Revoked %(num)d token of %(email)s.",
        "Revoked %(num)d tokens of %(email)s.",
        count,
        email=user.email,
    )
    flash(message, "success")
    return redirect(url_for("web.settings_user", user_id=user.id, _anchor="tokens"))


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _submitted() -> dict:
    form = request.form
    return {
        "name": form.get("name", "").strip(),
        "role": form.get("role", ""),
        "locales": form.getlist("locales"),
    }


def _render_list(data: dict, errors: dict | None = None):
    active_tokens = (
        select(func.count(ApiToken.id))
        .where(ApiToken.user_id == User.id, ApiToken.revoked_at.is_(None))
        .scalar_subquery()
    )
    rows = db.session.execute(select(User, active_tokens).order_by(User.email)).all()
    return render_template(
        "settings/users.html", rows=rows, data=data, errors=errors or {}, **_choices()
    )


def _render_edit(user: User, data: dict, errors: dict | None = None):
    return render_template(
        "settings/user_edit.html",
        user=user,
        data=data,
        errors=errors or {},
        tokens=sorted(user.tokens, key=lambda t: t.created_at, reverse=True),
        versions=history.list_versions(db.session, accounts.RESOURCE, user.id),
        **_choices(),
    )


def _choices() -> dict:
    return {"roles": ROLE_HELP, "locales": locale_codes()}
