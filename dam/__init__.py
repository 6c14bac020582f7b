"""Vitrine's DAM: assets in S3-compatible storage with rights, lifecycle and renditions.

The DAM builds on the PIM (it imports :mod:`pim`; the PIM never imports it) and plugs into
the app through the ``vitrine.plugins`` entry point: :func:`init_app`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach storage and media settings, declare the tasks, register views and commands."""
    from dam import (  # noqa: F401 - tasks declares queue tasks
        cli,
        context,
        dashboard,
        imaging,
        models,  # noqa: F401 - registers the tables
        tasks,
        thumbnails,
    )
    from dam.api import init_app as init_api
    from dam.demo import load_demo_assets
    from dam.search import ASSETS
    from dam.web import init_app as init_web

    imaging.set_pixel_limit(app.config["MAX_IMAGE_PIXELS"])
    context.init_app(app)
    app.extensions.setdefault("vitrine_demo_loaders", []).append(load_demo_assets)
    app.extensions.setdefault("vitrine_search_sources", []).append(ASSETS)
    init_web(app)
    init_api(app)
    cli.init_app(app)
    dashboard.init_app(app)
    thumbnails.init_app(app)
