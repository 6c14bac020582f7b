"""Browser views of the DAM (blueprint ``dam``): library, asset detail, uploads, downloads,
renditions and the product media panel.

The DAM plugs into the PIM's pages through two generic hooks of ``app.extensions``:
``vitrine_sections`` (the "Assets" navigation entry leads to :func:`library`) and
``vitrine_product_panels`` (product and model pages show :func:`panel.media_panel`).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, its template helpers and the PIM page hooks."""
    from dam.web import assets, files, library, panel, public, uploads  # noqa: F401 - views
    from dam.web.blueprint import bp
    from dam.web.common import rendition_url
    from dam.web.words import register as register_words

    app.register_blueprint(bp)
    app.register_blueprint(public.bp)
    app.add_template_global(rendition_url, "rendition_url")
    register_words()
    app.extensions.setdefault("vitrine_sections", {})["assets"] = "dam.library"
    panels = app.extensions.setdefault("vitrine_product_panels", [])
    if panel.media_panel not in panels:
        panels.append(panel.media_panel)
