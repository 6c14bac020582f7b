"""The DAM's resources in the REST API, under ``/api/v1/assets`` (see :mod:`pim.api`).

Modules: :mod:`~dam.api.common` (blueprint, representations, ETags),
:mod:`~dam.api.schemas`, :mod:`~dam.api.assets` (list, upload, get, PATCH, trash,
versions), :mod:`~dam.api.links` and :mod:`~dam.api.files` (renditions, downloads).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add the assets resources to the app's API."""
    from dam.api import assets, files, links  # noqa: F401 - routes of the blueprint
    from dam.api.common import blp
    from pim.api import register_blueprint

    register_blueprint(app, blp)
