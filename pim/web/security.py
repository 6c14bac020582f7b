"""Security of the browser UI: response headers, sign-in gate, permissions, safe redirects."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from pim.web.blueprint import bp

#: Sent with every response; the UI needs no inline script or style and no third party.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

#: Endpoints of the blueprint reachable without signing in.
PUBLIC_ENDPOINTS = {"web.login"}
#: Endpoints every signed-in user reaches, whatever their role.
SIGNED_IN_ENDPOINTS = {"web.logout"}


def init_app(app: Flask) -> None:
    """Add the security headers to every response of the application."""
    app.after_request(add_security_headers)


def add_security_headers(response):
    """Set the headers of :data:`SECURITY_HEADERS` (a view may have set stricter ones)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@bp.before_request
def require_sign_in():
    """Every page but the sign-in form needs a signed-in user allowed to read the catalogue.

    Suppliers cannot read the catalogue: they reach only the views marked
    :func:`supplier_portal` (their imports and products), and the home page sends them there.
    """
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if request.endpoint in SIGNED_IN_ENDPOINTS:
        return None
    if current_user.can("supplier_portal"):
        if request.endpoint == "web.index":
            return redirect(url_for("web.imports"))
        if not getattr(current_app.view_functions.get(request.endpoint), "supplier_portal", False):
            abort(403)
        return None
    if not current_user.can("read"):
        abort(403)
    return None


def supplier_portal(view):
    """Mark a view as part of the supplier portal: suppliers may reach it (the view still
    checks what they may see). Put it under the route decorator."""
    view.supplier_portal = True
    return view


def require(action: str):
    """Decorator: answer 403 unless the signed-in user's role allows ``action``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated or not current_user.can(action):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
