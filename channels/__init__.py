"""Syndication: product feeds for sales channels (CSV, NDJSON, Google Merchant…).

Builds on the DAM and the PIM (it imports both; neither imports it) and plugs into the app
through the ``vitrine.plugins`` entry point: :func:`init_app`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Declare the tables and the queue task, register the pull URL and the commands."""
    from channels import (  # noqa: F401 - models registers the tables, tasks the queue task
        api,
        cli,
        models,
        panel,
        tasks,
        views,
        web,
    )
    from channels.demo import load_demo_feeds

    app.extensions.setdefault("vitrine_demo_loaders", []).append(load_demo_feeds)
    web.init_app(app)
    cli.init_app(app)
    views.init_app(app)
    panel.init_app(app)
    api.init_app(app)
