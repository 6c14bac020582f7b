"""Sign in and sign out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from pim.auth import authenticate
from pim.extensions import db
from pim.web.blueprint import bp
from pim.web.security import safe_next

#: Deliberately vague: never say whether the e-mail or the password was wrong.
LOGIN_FAILED = _l("Invalid e-mail or password.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; on POST check the credentials and start a session."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(target or _start_page(current_user))
        return render_template("login.html", next=safe_next(request.args.get("next")))
    email = request.form.get("email", "")
    user = authenticate(db.session, email, request.form.get("password", ""))
    if user is None:
        db.session.rollback()
        flash(str(LOGIN_FAILED), "error")  # the session stores text, not lazy strings
        return render_template(
            "login.html", next=safe_next(request.form.get("next")), email=email
        ), 401
    session.clear()  # a fresh session on sign-in: nothing carried over from before
    login_user(user)
    db.session.commit()  # authenticate() recorded last_login_at
    return redirect(target or _start_page(user))


def _start_page(user) -> str:
    """Where a user lands after signing in: suppliers on their imports, others on the
    dashboard."""
    return url_for("web.imports" if user.can("supplier_portal") else "web.index")


@bp.post("/logout")
def logout():
    """End the session (POST only, with the CSRF token, so no link can sign anyone out)."""
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("web.login"))
