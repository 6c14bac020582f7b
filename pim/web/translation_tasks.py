"""The translators' task list (``/translations``): per locale of the user, the products and
models with missing or outdated translations of their own, a page at a time, each linking
to its editor in that locale.

Translators, editors and admins see it (the ``translate`` permission); it links to the
XLIFF export (pending units of the locale) and import pages.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from pim.extensions import db
from pim.services import translation_tasks
from pim.services.structure_cache import Structure
from pim.web.blueprint import bp
from pim.web.security import require


@bp.get("/translations", endpoint="translation_tasks")
@require("translate")
def translation_tasks_page():
    """One locale's items to translate (``?locale=``, default the user's first), paged."""
    structure = Structure.current(db.session)
    page = translation_tasks.task_page(
        db.session,
        structure,
        current_user,
        locale=request.args.get("locale") or None,
        page=max(1, min(request.args.get("page", 1, type=int) or 1, 10_000)),
    )
    return render_template(
        "translations/tasks.html",
        page=page,
        editor_url=lambda task: editor_url(structure, task),
    )


def editor_url(structure: Structure, task: translation_tasks.Task) -> str:
    """The item's page showing the task's locale (in the first channel that has it)."""
    channel = next(
        (
            code
            for code in sorted(structure.channels)
            if task.locale in structure.channels[code].locales
        ),
        None,
    )
    params = {"scope": channel, "locale": task.locale} if channel else {}
    if task.kind == "product":
        return url_for("web.product_page", identifier=task.code, **params)
    return url_for("web.model_page", code=task.code, **params)
