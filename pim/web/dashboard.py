"""The dashboard, the editors' start page (``/``): completeness per channel and locale,
products by workflow status, missing and outdated translations per locale, the user's
tasks, recent imports and the panels of other domains. Suppliers never see it: the sign-in
gate sends them to their imports.

Other domains add panels through ``app.extensions``; the PIM never imports them:

* ``vitrine_dashboard_panels``: callables ``(user) -> Markup | None`` whose HTML the
  dashboard shows, in the list's order, after its own sections (None: nothing for this
  user). Each returns a whole ``<section class="card dash-panel">``. The DAM registers
  "Assets expiring soon" (:mod:`dam.dashboard`); the channels will add their recent feed
  runs the same way.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pim.extensions import db
from pim.models import Role
from pim.services import dashboard, translation_tasks
from pim.services.actors import Actor
from pim.services.errors import InvalidData, NotFound
from pim.services.structure_cache import Structure
from pim.web.blueprint import bp
from pim.web.security import require

RECENT_IMPORTS = 10
QUEUE_SIZE = 20


@bp.get("/")
def index():
    """The start page: what needs doing, and how far the catalogue is from ready."""
    user = current_user._get_current_object()
    structure = Structure.current(db.session)
    can_review = user.can("edit")
    return render_template(
        "dashboard.html",
        completeness=dashboard.completeness_by_channel_locale(db.session, structure),
        statuses=dashboard.products_by_status(db.session),
        queue=dashboard.review_queue(db.session, structure, QUEUE_SIZE) if can_review else None,
        sent_back=dashboard.sent_back(db.session, structure, user, QUEUE_SIZE),
        gaps=_translation_gaps(user, structure),
        translations=_translation_states(user, structure),
        imports=dashboard.recent_imports(db.session, RECENT_IMPORTS)
        if user.can("import")
        else None,
        can_review=can_review,
        panels=dashboard_panels(user),
        incomplete_url=incomplete_url,
        translation_url=lambda locale, state: translation_url(structure, locale, state),
        item_url=item_url,
    )


def _translation_gaps(user, structure: Structure):
    """Translators only: what is missing in the locales they are assigned."""
    if user.role != Role.TRANSLATOR:
        return None
    return dashboard.translation_gaps(db.session, structure, user.locales or ())


def _translation_states(user, structure: Structure):
    """Translators, editors and admins: products with missing or outdated translations in
    each locale they translate into (a translator's assigned ones, else all)."""
    if not user.can("translate"):
        return None
    return dashboard.translation_states(translation_tasks.user_locales(structure, user))


def translation_url(structure: Structure, locale: str, state: str) -> str:
    """The product list in ``locale`` (in the first channel that has it), narrowed with
    ``translation:LOCALE=STATE``."""
    query = f"translation:{locale}={state}"
    channel = next(
        (code for code in sorted(structure.channels) if locale in structure.channels[code].locales),
        None,
    )
    return url_for("web.product_list", scope=channel, locale=locale, q=query)


def dashboard_panels(user) -> list:
    """The HTML of every registered dashboard panel that has something for ``user``."""
    panels = []
    for render in current_app.extensions.get("vitrine_dashboard_panels", ()):
        html = render(user)
        if html:
            panels.append(html)
    return panels


def incomplete_url(channel: str, locale: str) -> str:
    """The product list showing ``channel`` / ``locale``, narrowed to incomplete products
    with the grid's search syntax (``completeness:CHANNEL/LOCALE<100``)."""
    query = f"completeness:{channel}/{locale}<100"
    return url_for("web.product_list", scope=channel, locale=locale, q=query)


def item_url(item: dashboard.QueueItem) -> str:
    """The page of a product or product model of a work queue."""
    if item.is_product:
        return url_for("web.product_page", identifier=item.key)
    return url_for("web.model_page", code=item.key)


@bp.post("/dashboard/review")
@require("edit")
def review_item():
    """Approve an item of the review queue, or send it back to draft with a comment."""
    form = request.form
    resource, key = form.get("resource", ""), form.get("key", "")
    actor = Actor.for_user(current_user, "ui")
    try:
        status = dashboard.review(
            db.session, resource, key, form.get("decision", ""), actor, form.get("comment", "")
        )
        db.session.commit()
    except NotFound:
        db.session.rollback()
        abort(404)
    except InvalidData as refused:
        db.session.rollback()
        flash(_("Not changed: %(reason)s", reason=refused), "error")
    else:
        if status == dashboard.APPROVED:
            message = _("Approved: %(key)s.", key=key)
        else:
            message = _("Sent back to draft: %(key)s.", key=key)
        flash(message, "success")
    return redirect(url_for("web.index"), code=303)
