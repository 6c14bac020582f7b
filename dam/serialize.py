"""Assets as plain dictionaries (CLI ``--json``, the JSON views, the REST API later)."""

from __future__ import annotations

from sqlalchemy import select

from dam.models import Asset, AssetLink, Rendition
from dam.services.editing import asset_state
from dam.services.rights import effective_status
from pim.models import Product, ProductModel


def asset_dict(session, asset: Asset, *, detail: bool = True) -> dict:
    """Everything about an asset: file facts, metadata, rights, lifecycle, links, renditions."""
    data = {
        "id": asset.id,
        "code": asset.code,
        "filename": asset.filename,
        "content_type": asset.content_type,
        "kind": asset.kind,
        "size": asset.size,
        "sha256": asset.sha256,
        "width": asset.width,
        "height": asset.height,
        "frames": asset.frames,
        "pages": asset.pages,
        "duration": asset.duration,
        "problems": list(asset.problems or []),
        "effective_status": effective_status(asset),
        "uploaded_at": asset.uploaded_at.isoformat(),
        "in_trash": asset.deleted_at is not None,
        **asset_state(asset),
    }
    if not detail:
        return data
    data["embedded_metadata"] = asset.embedded or {}
    data["versions"] = [
        {
            "number": v.number,
            "filename": v.filename,
            "sha256": v.sha256,
            "size": v.size,
            "content_type": v.content_type,
            "uploaded_at": v.uploaded_at.isoformat(),
            "comment": v.comment,
            "current": v.number == asset.current_version,
        }
        for v in asset.versions
    ]
    data["links"] = links_list(session, asset)
    data["renditions"] = [
        {
            "preset": r.preset,
            "version": r.version,
            "status": r.status,
            "content_type": r.content_type,
            "width": r.width,
            "height": r.height,
            "size": r.size,
            "note": r.note,
            "current": r.version == asset.current_version,
        }
        for r in session.scalars(
            select(Rendition)
            .where(Rendition.asset_id == asset.id)
            .order_by(Rendition.version.desc(), Rendition.preset)
        )
    ]
    return data


def links_list(session, asset: Asset) -> list[dict]:
    """Where the asset is used: owner kind and key, role, position, attribute."""
    out = []
    rows = session.execute(
        select(AssetLink, Product.identifier, ProductModel.code)
        .outerjoin(Product, Product.id == AssetLink.product_id)
        .outerjoin(ProductModel, ProductModel.id == AssetLink.product_model_id)
        .where(AssetLink.asset_id == asset.id)
        .order_by(AssetLink.id)
    )
    for item, identifier, model_code in rows:
        out.append(
            {
                "owner_type": "product" if identifier else "product_model",
                "owner": identifier or model_code,
                "role": item.role,
                "position": item.position,
                "attribute": item.attribute,
            }
        )
    return out
