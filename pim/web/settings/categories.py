"""Category trees: the tree view with a create form, moving a category (drag and drop on
the tree, or the "move" form without JavaScript), edit (labels, order), delete (refused
while a channel uses the tree), history.

The move route answers JSON to the tree's script (``Accept: application/json``) and
redirects with a message otherwise; both post the same fields (``category``, ``parent``
and the CSRF token).
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from pim.extensions import db
from pim.models import Category
from pim.services import structure
from pim.services.errors import Problem
from pim.web.blueprint import bp
from pim.web.settings import category_tree
from pim.web.settings.common import (
    changed,
    configure,
    get_or_404,
    labels_from,
    locale_codes,
    save,
    ui_actor,
    versions_of,
    whole_number,
)


@bp.get("/settings/categories")
@configure
def settings_categories():
    """Every tree, the move form and the create form."""
    return _render_trees(_blank(request.args.get("parent", "")))


@bp.post("/settings/categories")
@configure
def settings_category_create():
    """Create a category (a new tree when no parent is chosen)."""
    problems: list[Problem] = []
    data = {
        "code": request.form.get("code", "").strip(),
        "parent": request.form.get("parent") or None,
        **_fields(problems),
    }
    outcome = save(lambda: structure.create_category(db.session, data, ui_actor()), problems)
    if not outcome.saved:
        return _render_trees(data, errors=outcome.errors), 422
    flash(_("Created the category %(code)s.", code=data["code"]), "success")
    return redirect(url_for("web.settings_categories", _anchor=f"category-{data['code']}"))


@bp.get("/settings/categories/<code>")
@configure
def settings_category(code: str):
    """The edit form, the move form, deletion and history of one category."""
    category = get_or_404(Category, code)
    return _render_edit(category, structure.category_state(category))


@bp.post("/settings/categories/<code>")
@configure
def settings_category_update(code: str):
    """Save labels and order."""
    category = get_or_404(Category, code)
    problems: list[Problem] = []
    data = _fields(problems)
    outcome = save(
        lambda: structure.update_category(db.session, category, data, ui_actor()), problems
    )
    if not outcome.saved:
        return _render_edit(category, {"code": code, **data}, outcome.errors), 422
    saved = _("Saved the category %(code)s.", code=code)
    unchanged = _("Nothing to save: the category %(code)s is unchanged.", code=code)
    flash(changed(outcome.result, saved, unchanged), "success")
    return redirect(url_for("web.settings_category", code=code))


@bp.post("/settings/move/category")
@configure
def settings_category_move():
    """Move ``category`` and its subtree under ``parent`` (blank: make it a tree)."""
    code, parent = request.form.get("category", ""), request.form.get("parent") or None
    category = get_or_404(Category, code)
    problems = _move_problems(category, parent)
    outcome = save(
        lambda: structure.move_category(db.session, category, parent, ui_actor()), problems
    )
    wants_json = request.accept_mimetypes.best == "application/json"
    if not outcome.saved:
        reasons = "; ".join(p.message for p in outcome.problems)
        message = _("%(code)s was not moved: %(reasons)s", code=code, reasons=reasons)
        if wants_json:
            return jsonify(error=message), 422
        move = {"category": code, "parent": parent or "", "error": message}
        return _render_trees(_blank(), move=move), 422
    if parent:
        text = _("Moved %(code)s under %(parent)s.", code=code, parent=parent)
    else:
        text = _("%(code)s is now a category tree.", code=code)
    flash(text, "success")
    if wants_json:
        return jsonify(message=text)
    return redirect(url_for("web.settings_categories", _anchor=f"category-{code}"))


@bp.post("/settings/categories/<code>/delete")
@configure
def settings_category_delete(code: str):
    """Delete a category and its subtree (``confirm`` ticked); refused while a channel uses
    the tree."""
    category = get_or_404(Category, code)
    problems = []
    if request.form.get("confirm") != "1":
        message = _("tick the box to confirm: the subcategories go too")
        problems.append(Problem(message, field="confirm"))
    outcome = save(lambda: structure.delete_category(db.session, category, ui_actor()), problems)
    if not outcome.saved:
        category = get_or_404(Category, code)
        return _render_edit(category, structure.category_state(category), outcome.errors), 422
    flash(_("Deleted the category %(code)s and its subcategories.", code=code), "success")
    return redirect(url_for("web.settings_categories"))


def _blank(parent: str = "") -> dict:
    return {"code": "", "parent": parent, "labels": {}, "sort_order": 0}


def _fields(problems: list[Problem]) -> dict:
    return {
        "labels": labels_from(request.form, locale_codes()),
        "sort_order": whole_number(request.form, "sort_order", problems),
    }


def _move_problems(category: Category, parent: str | None) -> list[Problem]:
    """A channel's tree must stay a root: moving it under another category is refused.
    (The move service does not check this; the other checks are its own.)"""
    if parent and category.parent_id is None and structure.category_in_use(db.session, category):
        message = _("is the category tree of a channel; change the channel first")
        return [Problem(message, field="parent")]
    return []


def _render_trees(data: dict, errors: dict | None = None, move: dict | None = None):
    forest = category_tree.load(db.session)
    return render_template(
        "settings/categories.html",
        forest=forest,
        ordered=forest.depth_first(),
        data=data,
        errors=errors or {},
        move=move or {"category": "", "parent": "", "error": None},
        locales=locale_codes(),
    )


def _render_edit(category: Category, data: dict, errors: dict | None = None):
    forest = category_tree.load(db.session)
    inside = category.path
    return render_template(
        "settings/category_edit.html",
        category=category,
        data=data,
        errors=errors or {},
        locales=locale_codes(),
        forest=forest,
        targets=[c for c in forest.depth_first() if not c.path.startswith(inside)],
        subtree=len(structure.subtree_ids(db.session, category)) - 1,
        versions=versions_of("category", category),
    )
