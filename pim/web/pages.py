"""Sections that arrive in later releases, the hooks plugins fill them with, and the error
pages.

Plugins (the DAM, the channels) register themselves in ``app.extensions``; the PIM never
imports them:

* ``vitrine_sections``: section name → endpoint; the navigation entry of a placeholder
  section leads there once a plugin provides it (``{"assets": "dam.library"}``);
* ``vitrine_product_panels``: callables ``(owner) -> Markup | None`` whose HTML product
  and product model pages show in their panels area.
"""

from __future__ import annotations

from flask import Flask, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from pim.web.blueprint import bp

#: Navigation entries not built yet: endpoint suffix → (title, what is coming).
PLACEHOLDERS = {
    "assets": (
        _l("Assets"),
        _l("Images and documents arrive with the digital asset management (DAM) release."),
    ),
    "channels": (
        _l("Channels"),
        _l("Channel settings and feed previews arrive with the channels release."),
    ),
}

ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
}


def init_app(app: Flask) -> None:
    """HTML error pages for the browser UI."""
    for code in ERROR_TITLES:
        app.register_error_handler(code, error_page)
    app.register_error_handler(CSRFError, csrf_error)


def _placeholder_view(name: str):
    """A view announcing section ``name`` (replaced when its release lands)."""
    title, message = PLACEHOLDERS[name]

    def view():
        endpoint = current_app.extensions.get("vitrine_sections", {}).get(name)
        if endpoint:
            return redirect(url_for(endpoint))
        return render_template("placeholder.html", title=title, message=message)

    view.__name__ = f"{name}_placeholder"
    return view


for _name in PLACEHOLDERS:
    bp.add_url_rule(f"/{_name}", endpoint=_name, view_func=_placeholder_view(_name))


def product_panels(owner) -> list:
    """The HTML of every registered panel for a product or product model page."""
    panels = []
    for render in current_app.extensions.get("vitrine_product_panels", ()):
        html = render(owner)
        if html:
            panels.append(html)
    return panels


def error_page(error):
    """A plain page saying what went wrong, with the right status code."""
    code = getattr(error, "code", 500) or 500
    return (
        render_template(
            "error.html", code=code, title=ERROR_TITLES.get(code) or _("Error"), error=error
        ),
        code,
    )


def csrf_error(error: CSRFError):
    """A form without a valid CSRF token (expired page, or a forged request)."""
    message = _(
        "The form has expired or did not come from this site. Reload the page and try again."
    )
    return render_template("error.html", code=400, title=_("Form expired"), message=message), 400
