"""The asset page and its actions: rights & description, status, focal point, file
versions, trash. Each action calls one service, commits once (or rolls back) and
redirects; refusals come back as messages, never as 500s."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from dam.context import current_media
from dam.models import (
    STATUS_TRANSITIONS,
    AssetStatus,
    LicenceType,
    ReleaseStatus,
)
from dam.serialize import asset_dict
from dam.services import assets, editing
from dam.services.renditions import find_rendition, queue_renditions
from dam.services.rights import effective_status, usage_problems
from dam.storage import StorageError
from dam.web import forms
from dam.web.blueprint import bp
from dam.web.common import asset_or_404, ui_actor, user, wants_json
from pim.extensions import db
from pim.models import Channel, Locale, Product, ProductModel, User
from pim.services import history
from pim.services.errors import ConflictError, InvalidData, NotFound
from pim.web.security import require

#: Button text of each status an editor may move an asset to.
STATUS_ACTIONS = {
    AssetStatus.APPROVED: _l("Approve"),
    AssetStatus.DRAFT: _l("Back to draft"),
    AssetStatus.ARCHIVED: _l("Archive"),
}


@bp.get("/<int:asset_id>")
def asset_page(asset_id: int):
    """Preview, facts, embedded metadata, the rights form, versions, renditions, links."""
    return _render(asset_or_404(asset_id))


@bp.post("/<int:asset_id>")
@require("edit")
def save_asset(asset_id: int):
    """Save the rights & description form; 422 with messages, 409 when saved meanwhile."""
    asset = asset_or_404(asset_id)
    expected = _expected_version()
    data = forms.submitted(request.form, _locales())
    try:
        version = editing.update_asset(
            db.session, asset, data, ui_actor(), expected_version=expected
        )
        db.session.commit()
    except InvalidData as invalid:
        db.session.rollback()
        return _render(asset, form=request.form, problems=invalid.problems), 422
    except ConflictError as conflict:
        db.session.rollback()
        return _render(asset, form=request.form, conflict=conflict), 409
    if version is not None:
        flash(_("Saved."), "success")
    else:
        flash(_("Nothing to save: no field was changed."), "success")
    return redirect(url_for("dam.asset_page", asset_id=asset_id), code=303)


@bp.post("/<int:asset_id>/status")
@require("edit")
def change_status(asset_id: int):
    """Approve, send back to draft or archive (the service checks the move)."""
    asset = asset_or_404(asset_id)
    expected = _expected_version()
    status = request.form.get("status", "")
    try:
        editing.update_asset(
            db.session, asset, {"status": status}, ui_actor(), expected_version=expected
        )
        db.session.commit()
    except (InvalidData, ConflictError) as refused:
        db.session.rollback()
        flash(_("Status not changed: %(reason)s", reason=refused), "error")
    else:
        message = _("Asset %(code)s is now %(status)s.", code=asset.code, status=asset.status)
        flash(message, "success")
    return redirect(url_for("dam.asset_page", asset_id=asset_id), code=303)


@bp.post("/<int:asset_id>/focal")
@require("edit")
def set_focal(asset_id: int):
    """Set the focal point (x, y in 0..1) crops keep; the cropped renditions are redone."""
    asset = asset_or_404(asset_id)
    form = request.form
    point = None if form.get("clear") == "1" else [form.get("x"), form.get("y")]
    try:
        editing.update_asset(db.session, asset, {"focal_point": point}, ui_actor())
        db.session.commit()
    except InvalidData as invalid:
        db.session.rollback()
        message = _("Focal point not set: %(reason)s", reason=invalid)
        if wants_json():
            return jsonify(error=message), 422
        flash(message, "error")
        return redirect(url_for("dam.asset_page", asset_id=asset_id), code=303)
    _requeue_crops(asset.id)
    if wants_json():
        focal = None if asset.focal_x is None else [asset.focal_x, asset.focal_y]
        return jsonify(focal=focal, row_version=asset.row_version)
    flash(_("Focal point saved; cropped renditions are being redone."), "success")
    return redirect(url_for("dam.asset_page", asset_id=asset_id), code=303)


def _requeue_crops(asset_id: int) -> None:
    names = [name for name, p in current_media().settings.presets.items() if p.mode == "fill"]
    if names:
        queue_renditions([asset_id], presets=names)


@bp.post("/<int:asset_id>/versions/<int:number>/restore")
@require("edit")
def restore_version(asset_id: int, number: int):
    """Make an earlier file current again (as a new version)."""
    asset = asset_or_404(asset_id)
    try:
        version = assets.restore_version(db.session, asset, number, user=user())
        db.session.commit()
    except NotFound:
        db.session.rollback()
        abort(404)
    except assets.AssetRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        queue_renditions([asset_id])
        message = _(
            "Version %(number)s restored as version %(new)s.", number=number, new=version.number
        )
        flash(message, "success")
    return redirect(url_for("dam.asset_page", asset_id=asset_id), code=303)


@bp.post("/<int:asset_id>/replace")
@require("edit")
def replace_file(asset_id: int):
    """Give the asset a new file; earlier versions stay restorable."""
    asset = asset_or_404(asset_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose the new file."), "error")
        return redirect(url_for("dam.asset_page", asset_id=asset_id), code=303)
    comment = request.form.get("comment", "").strip()
    try:
        version = assets.replace_file(
            db.session,
            current_media(),
            asset,
            upload.stream,
            upload.filename,
            user=user(),
            comment=comment,
        )
        db.session.commit()
    except assets.AssetRefused as refused:
        db.session.rollback()
        flash(_("File not replaced: %(reason)s", reason=refused), "error")
    except StorageError as error:
        db.session.rollback()
        flash(_("File not replaced: it could not be stored (%(error)s)", error=error), "error")
    else:
        queue_renditions([asset_id])
        flash(_("New file stored as version %(number)s.", number=version.number), "success")
    return redirect(url_for("dam.asset_page", asset_id=asset_id), code=303)


@bp.post("/<int:asset_id>/trash")
@require("edit")
def trash(asset_id: int):
    """Move the asset to the trash; refused while linked unless ``force`` (links removed)."""
    asset = asset_or_404(asset_id)
    force = request.form.get("force") == "1"
    try:
        removed = assets.trash(db.session, asset, force=force, actor=ui_actor())
        db.session.commit()
    except assets.AssetInUse as in_use:
        db.session.rollback()
        flash(_("Not moved to the trash: %(reason)s", reason=in_use), "error")
    else:
        flash(_trashed_message(asset.code, len(removed)), "success")
    return redirect(url_for("dam.asset_page", asset_id=asset_id), code=303)


def _trashed_message(code: str, unlinked: int) -> str:
    if not unlinked:
        return _("Asset %(code)s moved to the trash.", code=code)
    return _(
        "Asset %(code)s moved to the trash and unlinked from %(count)s product(s) or model(s).",
        code=code,
        count=unlinked,
    )


@bp.post("/<int:asset_id>/restore")
@require("edit")
def restore(asset_id: int):
    """Take the asset out of the trash (its former links are not restored)."""
    asset = asset_or_404(asset_id)
    assets.restore(db.session, asset)
    db.session.commit()
    flash(_("Asset %(code)s restored from the trash.", code=asset.code), "success")
    return redirect(url_for("dam.asset_page", asset_id=asset_id), code=303)


# --- the page ---------------------------------------------------------------------------


def _expected_version() -> int:
    try:
        return forms.expected_version(request.form)
    except forms.FormError as error:
        abort(400, str(error))


def _locales() -> list[str]:
    return list(db.session.scalars(select(Locale.code).order_by(Locale.id)))


def _render(asset, *, form=None, problems=(), conflict=None):
    locales = _locales()
    status = effective_status(asset)
    moves = STATUS_TRANSITIONS[AssetStatus(status)]
    if status == AssetStatus.EXPIRED:
        moves = moves - {AssetStatus.APPROVED}
    return render_template(
        "dam/asset.html",
        asset=asset,
        data=asset_dict(db.session, asset),
        status=status,
        usage=usage_problems(asset),
        status_actions=[(s.value, text) for s, text in STATUS_ACTIONS.items() if s in moves],
        locales=locales,
        channels=list(db.session.scalars(select(Channel.code).order_by(Channel.code))),
        licences=[item.value for item in LicenceType],
        releases=[item.value for item in ReleaseStatus],
        values=forms.shown(asset, locales, form),
        errors=forms.problems_by_field(problems),
        conflict=conflict,
        renditions=_renditions(asset),
        where_used=_where_used(asset),
        uploader=_uploader(asset.uploaded_by_id),
        versions=history.list_versions(db.session, editing.RESOURCE, asset.id),
        can_edit=_can_edit(),
    )


def _can_edit() -> bool:
    return current_user.can("edit")


def _renditions(asset) -> list[tuple]:
    """(preset, its rendition of the current version or None) for every preset."""
    presets = current_media().settings.presets
    return [(preset, find_rendition(db.session, asset, preset)) for preset in presets.values()]


def _where_used(asset) -> list[dict]:
    """The asset's links with the URL of each owner's page."""
    rows = []
    for link in sorted(asset.links, key=lambda item: item.id):
        if link.product_id:
            owner = db.session.get(Product, link.product_id)
            key, url = owner.identifier, url_for("web.product_page", identifier=owner.identifier)
            kind = _("product")
        else:
            owner = db.session.get(ProductModel, link.product_model_id)
            key, url = owner.code, url_for("web.model_page", code=owner.code)
            kind = _("product model")
        rows.append({"kind": kind, "key": key, "url": url, "link": link})
    return rows


def _uploader(user_id: int | None) -> str | None:
    found = db.session.get(User, user_id) if user_id else None
    return (found.name or found.email) if found else None
