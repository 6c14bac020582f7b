"""Saved views of the product grid: each user's named queries, sorts, columns and context.

Every function takes the owner: a view of someone else is :class:`NotFound`, exactly like
a view that does not exist, so no one learns what others saved. Writes flush; the caller
commits.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from pim.models import SavedView
from pim.models.types import utcnow
from pim.services.errors import InvalidData, NotFound, Problem

MAX_NAME_LENGTH = 100
MAX_COLUMNS = 20
#: How many views one user may keep (the menu stays readable).
MAX_VIEWS = 100
#: Fields of a view besides its name, as :func:`save_view` takes them.
FIELDS = ("query", "family", "status", "sort", "columns", "scope", "locale", "group_by_model")


def views_of(session, user) -> list[SavedView]:
    """The user's views, by name."""
    return list(
        session.scalars(
            select(SavedView).where(SavedView.user_id == user.id).order_by(SavedView.name)
        )
    )


def get_view(session, user, view_id: int) -> SavedView:
    """The user's view with this id; NotFound for another user's view or none."""
    view = session.get(SavedView, view_id)
    if view is None or view.user_id != user.id:
        raise NotFound(_("saved view %(view_id)s does not exist", view_id=view_id))
    return view


def save_view(session, user, name: str, settings: dict) -> SavedView:
    """Save the grid's current settings under ``name``; an existing view of that name is
    replaced (saving again under the same name updates it)."""
    name = _checked_name(session, user, name)
    view = session.scalar(
        select(SavedView).where(SavedView.user_id == user.id, SavedView.name == name)
    )
    if view is None:
        if len(views_of(session, user)) >= MAX_VIEWS:
            raise InvalidData(
                _("saved view"),
                [
                    Problem(
                        _("you may keep %(max_views)s views; delete one first", max_views=MAX_VIEWS)
                    )
                ],
            )
        view = SavedView(user_id=user.id, name=name, created_at=utcnow())
        session.add(view)
    _apply(view, settings)
    session.flush()
    return view


def rename_view(session, user, view_id: int, name: str) -> SavedView:
    """Give one of the user's views a new name (unique among their views)."""
    view = get_view(session, user, view_id)
    name = _checked_name(session, user, name, ignore=view.id)
    view.name, view.updated_at = name, utcnow()
    session.flush()
    return view


def delete_view(session, user, view_id: int) -> None:
    """Delete one of the user's views."""
    session.delete(get_view(session, user, view_id))
    session.flush()


def _checked_name(session, user, name, ignore: int | None = None) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidData(_("saved view"), [Problem(_("give the view a name"), field="name")])
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidData(
            _("saved view"),
            [
                Problem(
                    _(
                        "a name has at most %(max_name_length)s characters",
                        max_name_length=MAX_NAME_LENGTH,
                    ),
                    field="name",
                )
            ],
        )
    if ignore is not None:
        taken = session.scalar(
            select(SavedView.id).where(
                SavedView.user_id == user.id, SavedView.name == name, SavedView.id != ignore
            )
        )
        if taken:
            raise InvalidData(
                _("saved view"),
                [Problem(_("you already have a view named %(name)r", name=name), field="name")],
            )
    return name


def _apply(view: SavedView, settings: dict) -> None:
    columns = settings.get("columns") or []
    view.query = str(settings.get("query") or "")[:1000]
    view.family = str(settings.get("family") or "")[:100]
    view.status = str(settings.get("status") or "")[:20]
    view.sort = str(settings.get("sort") or "")[:20]
    view.columns = [str(c)[:200] for c in columns][:MAX_COLUMNS]
    view.scope = str(settings["scope"])[:100] if settings.get("scope") else None
    view.locale = str(settings["locale"])[:20] if settings.get("locale") else None
    view.group_by_model = bool(settings.get("group_by_model"))
    view.updated_at = utcnow()


def view_params(view: SavedView) -> dict:
    """The product list's query parameters that show this view."""
    pairs = (
        ("q", view.query),
        ("family", view.family),
        ("status", view.status),
        ("sort", view.sort),
        ("cols", ",".join(view.columns or [])),
        ("group", "model" if view.group_by_model else ""),
        ("scope", view.scope),
        ("locale", view.locale),
    )
    return {key: value for key, value in pairs if value}
