"""My account: every signed-in user chooses the interface language and manages their own
API tokens (create one, shown once; revoke). Administrators manage everybody's under
Settings → Users."""

from __future__ import annotations

from babel import Locale as BabelLocale
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pim.extensions import db
from pim.i18n import UI_LOCALES
from pim.services import accounts
from pim.services.errors import InvalidData
from pim.web.blueprint import bp


def language_choices() -> list[tuple[str, str]]:
    """Each UI language in its own name (``français``), as CLDR writes it."""
    return [(code, BabelLocale.parse(code).get_display_name(code)) for code in UI_LOCALES]


@bp.get("/account")
@login_required
def account():
    return _render()


@bp.post("/account/language")
@login_required
def account_language():
    try:
        accounts.set_interface_language(db.session, current_user, request.form.get("ui_locale"))
    except InvalidData as invalid:
        db.session.rollback()
        return _render(errors=[p.message for p in invalid.problems]), 422
    db.session.commit()
    flash(_("Saved your interface language."), "success")
    return redirect(url_for("web.account"))


@bp.post("/account/tokens")
@login_required
def account_token_create():
    """Create a token and show it on this answer only (never in a redirect or a cookie)."""
    if not current_user.can("read"):
        return _render(errors=[_("Your role does not use the API.")]), 403
    try:
        token = accounts.issue_personal_token(db.session, current_user, request.form.get("name"))
    except InvalidData:
        db.session.rollback()
        return _render(errors=[_("Name the token (1–100 characters).")]), 422
    db.session.commit()
    return _render(new_token=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def account_token_revoke(token_id: int):
    count = accounts.revoke_tokens(db.session, current_user, token_id)
    db.session.commit()
    if count:
        flash(_("Revoked the token: it stops working at once."), "success")
    else:
        flash(_("No such active token."), "error")
    return redirect(url_for("web.account", _anchor="tokens"))


def _render(errors=None, new_token: str | None = None):
    tokens = sorted(
        (t for t in current_user.tokens if t.revoked_at is None),
        key=lambda t: t.created_at,
        reverse=True,
    )
    return render_template(
        "account.html",
        languages=language_choices(),
        tokens=tokens,
        errors=errors or [],
        new_token=new_token,
    )
