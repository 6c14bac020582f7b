"""Browser views (blueprint ``web``): sign-in, the product list, product and model pages,
imports and the supplier portal, and the structure settings (:mod:`pim.web.settings`).

Views are thin: parse the request, call a service, commit once (or roll back), render.
Templates live in the repository's ``templates/``, styles in ``static/css/vitrine.css``;
no inline script or style is allowed by the Content-Security-Policy.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the browser blueprint, its template filters and the security headers."""
    from pim.web import (  # noqa: F401
        account,
        auth_views,
        dashboard,
        display,
        import_profiles,
        imports,
        mass_edit,
        pages,
        product_models,
        products,
        security,
        settings,
        translation_exchange,
        translation_tasks,
        words,
    )
    from pim.web.blueprint import bp

    app.register_blueprint(bp)
    security.init_app(app)
    display.init_app(app)
    words.init_app(app)
    pages.init_app(app)
    imports.init_app(app)
