"""Options of select attributes: add one, save the labels, swatches and order of all,
remove one (refused while products use it). They show on the attribute's edit page.

Inputs: the add form has ``option_code``, ``option_swatch`` and ``option-label-<locale>``;
the table of options lists its codes in hidden ``opt`` inputs, each row with
``opt-<code>-label-<locale>``, ``opt-<code>-swatch`` and ``opt-<code>-sort_order``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from pim.extensions import db
from pim.models import Attribute
from pim.services import structure
from pim.services.errors import Problem
from pim.web.blueprint import bp
from pim.web.settings import attribute_form
from pim.web.settings.attributes import render_edit
from pim.web.settings.common import (
    changed,
    configure,
    get_or_404,
    labels_from,
    locale_codes,
    save,
    ui_actor,
    whole_number,
)


def _select_or_404(code: str) -> Attribute:
    attr = get_or_404(Attribute, code)
    if attr.type not in attribute_form.SELECT_TYPES:
        abort(404)
    return attr


@bp.post("/settings/attributes/<code>/options")
@configure
def settings_option_add(code: str):
    """Add one option to a select attribute."""
    attr = _select_or_404(code)
    option = {
        "code": request.form.get("option_code", "").strip(),
        "labels": labels_from(request.form, locale_codes(), prefix="option-label"),
        "swatch": request.form.get("option_swatch", "").strip() or None,
    }
    problems = []
    if any(o.code == option["code"] for o in attr.options):
        message = _("%(code)r is already an option", code=option["code"])
        problems.append(Problem(message, field="options"))
    else:
        option["sort_order"] = len(attr.options)
    outcome = save(lambda: structure.add_option(db.session, attr, option, ui_actor()), problems)
    if not outcome.saved:
        attr = get_or_404(Attribute, code)
        data = attribute_form.data_of(attr)
        return render_edit(attr, data, option_errors=outcome.errors, new_option=option), 422
    flash(
        _("Added the option %(option)s to %(code)s.", option=option["code"], code=code), "success"
    )
    return redirect(url_for("web.settings_attribute", code=code, _anchor="options"))


@bp.post("/settings/attributes/<code>/options/save")
@configure
def settings_options_save(code: str):
    """Save the labels, swatches and order of the options shown in the table."""
    attr = _select_or_404(code)
    problems: list[Problem] = []
    options = _submitted_options(attr, problems)
    outcome = save(
        lambda: structure.update_attribute(db.session, attr, {"options": options}, ui_actor()),
        problems,
    )
    if not outcome.saved:
        attr = get_or_404(Attribute, code)
        data = attribute_form.data_of(attr)
        return render_edit(attr, data, option_errors=outcome.errors, option_rows=options), 422
    saved = _("Saved the options of %(code)s.", code=code)
    unchanged = _("Nothing to save: the options of %(code)s is unchanged.", code=code)
    flash(changed(outcome.result, saved, unchanged), "success")
    return redirect(url_for("web.settings_attribute", code=code, _anchor="options"))


@bp.post("/settings/attributes/<code>/options/<option>/delete")
@configure
def settings_option_delete(code: str, option: str):
    """Remove an option; refused while products or models use it."""
    attr = _select_or_404(code)
    if all(o.code != option for o in attr.options):
        abort(404)
    outcome = save(lambda: structure.remove_option(db.session, attr, option, ui_actor()))
    if not outcome.saved:
        attr = get_or_404(Attribute, code)
        return render_edit(attr, attribute_form.data_of(attr), option_errors=outcome.errors), 422
    flash(_("Removed the option %(option)s from %(code)s.", option=option, code=code), "success")
    return redirect(url_for("web.settings_attribute", code=code, _anchor="options"))


def _submitted_options(attr: Attribute, problems: list[Problem]) -> list[dict]:
    """Every option of ``attr``: those of the table as edited, the others as stored (one
    added meanwhile by someone else is kept; one removed meanwhile is not brought back)."""
    shown = set(request.form.getlist("opt"))
    options = []
    for option in attr.options:
        if option.code in shown:
            options.append(_edited_option(option.code, option.sort_order, problems))
        else:
            options.append(
                {
                    "code": option.code,
                    "labels": option.labels,
                    "swatch": option.swatch,
                    "sort_order": option.sort_order,
                }
            )
    return options


def _edited_option(code: str, stored_order: int, problems: list[Problem]) -> dict:
    form, prefix = request.form, f"opt-{code}"
    bad_order: list[Problem] = []
    option = {
        "code": code,
        "labels": labels_from(form, locale_codes(), prefix=f"{prefix}-label"),
        "swatch": form.get(f"{prefix}-swatch", "").strip() or None,
        "sort_order": whole_number(form, f"{prefix}-sort_order", bad_order, stored_order),
    }
    problems += [
        Problem(_("option %(code)s: %(problem)s", code=code, problem=p.message), field="options")
        for p in bad_order
    ]
    return option
