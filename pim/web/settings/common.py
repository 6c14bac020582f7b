"""Helpers shared by the settings views: the admin gate, form parsing, saving a service
write once, problems sorted per field, lookups that answer 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pim.extensions import db
from pim.models import Locale, Source, Version
from pim.services import history
from pim.services.actors import Actor
from pim.services.errors import InvalidData, Problem
from pim.web.security import require

#: The permission every structure settings page needs (admins only).
configure = require("configure")
#: The permission of the users pages (admins only).
manage_users = require("manage_users")

#: The key of the problems that belong to no single field.
GENERAL = "_"


def ui_actor() -> Actor:
    """The signed-in user, writing through the UI."""
    return Actor.for_user(current_user, Source.UI)


def locale_codes() -> list[str]:
    """Every locale, by code: the label inputs of every labelled entity."""
    return list(db.session.scalars(select(Locale.code).order_by(Locale.code)))


def get_or_404(model, code: str):
    """The ``model`` row with this code, else 404."""
    row = db.session.scalar(select(model).where(model.code == code))
    if row is None:
        abort(404)
    return row


def versions_of(resource_type: str, row) -> list[Version]:
    """The history of a structure entity, newest first."""
    return history.list_versions(db.session, resource_type, row.id)


# --- parsing --------------------------------------------------------------------------------


def labels_from(form, locales: list[str], prefix: str = "label") -> dict[str, str]:
    """``{locale: text}`` from the inputs ``<prefix>-<locale>`` (blank texts dropped)."""
    texts = {code: form.get(f"{prefix}-{code}", "").strip() for code in locales}
    return {code: text for code, text in texts.items() if text}


def checked(form, name: str) -> bool:
    """Whether the checkbox ``name`` was ticked."""
    return form.get(name) == "1"


def whole_number(form, name: str, problems: list[Problem], default: int | None = 0):
    """The integer typed in ``name`` (``default`` when blank); a problem when it is not one."""
    text = form.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        problems.append(Problem(_("%(text)r is not a whole number", text=text), field=name))
        return default


# --- saving -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of a submitted form: saved (with the service's result) or its problems."""

    problems: list[Problem] = field(default_factory=list)
    saved: bool = False
    result: object = None

    @property
    def errors(self) -> dict[str, list[str]]:
        return errors_by_field(self.problems)


def save(write: Callable[[], object], problems: list[Problem] | None = None) -> Outcome:
    """Run ``write`` (a service call) unless the form already has ``problems``; commit it,
    or roll back and keep the service's problems."""
    outcome = Outcome(list(problems or ()))
    if outcome.problems:
        return outcome
    try:
        outcome.result = write()
    except InvalidData as invalid:
        db.session.rollback()
        outcome.problems = list(invalid.problems)
        return outcome
    db.session.commit()
    outcome.saved = True
    return outcome


def errors_by_field(problems: list[Problem]) -> dict[str, list[str]]:
    """``{field: [messages]}``; problems of no field go under :data:`GENERAL`."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field or GENERAL, []).append(problem.message)
    return errors


def changed(version, saved: str, unchanged: str) -> str:
    """The flash message after an edit: ``saved``, or ``unchanged`` when ``version`` is None
    (nothing changed). Both are whole sentences, translated by the caller."""
    return saved if version is not None else unchanged
