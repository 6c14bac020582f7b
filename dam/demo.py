"""Demo pictures: packshots drawn in code for the first colour models of the demo catalogue,
with rights that show every state (cleared, expiring soon, expired, licence unknown)."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from dam.context import current_media
from dam.models import AssetStatus, LinkRole
from dam.services import assets, links
from pim.models import ProductModel
from pim.services.actors import Actor

DEMO_PICTURES = 12


def load_demo_assets(session) -> dict:
    """Draw, store and link the demo pictures; returns counts for the demo summary."""
    media = current_media()
    actor = Actor.system()
    owners = session.scalars(
        select(ProductModel)
        .where(ProductModel.parent_id.isnot(None))
        .order_by(ProductModel.id)
        .limit(DEMO_PICTURES)
    ).all()
    today = date.today()
    count = 0
    for index, owner in enumerate(owners):
        colour = _colour_of(owner)
        for role in (LinkRole.MAIN, LinkRole.DETAIL):
            data = packshot(colour, detail=role == LinkRole.DETAIL, label=owner.code)
            name = f"{owner.code}_{role}_1.jpg"
            result = assets.upload(session, media, io.BytesIO(data), name)
            asset = result.asset
            asset.licence_type = "owned"
            asset.status = AssetStatus.APPROVED
            asset.copyright_holder = "Vitrine Demo Studio"
            asset.creator = "Demo photographer"
            asset.alt_text = {"en_US": f"{owner.code} {role.replace('_', ' ')} view"}
            if index == 1:  # a model's rights ending soon: the expiring list shows it
                asset.licence_type = "licensed"
                asset.valid_until = today + timedelta(days=20)
            elif index == 2:
                asset.licence_type = "licensed"
                asset.valid_until = today - timedelta(days=3)
            elif index == 3 and role == LinkRole.DETAIL:
                asset.licence_type = "unknown"
                asset.status = AssetStatus.DRAFT
            links.link(session, asset, owner, role=role, actor=actor)
            count += result.created
    session.flush()
    return {"assets": count}


def _colour_of(owner: ProductModel) -> tuple[int, int, int]:
    for entries in (owner.values or {}).values():
        for entry in entries:
            if isinstance(entry.get("data"), str):
                digest = hashlib.sha256(entry["data"].encode()).digest()
                return digest[0], digest[1], digest[2]
    return (120, 120, 120)


def packshot(colour: tuple[int, int, int], *, detail: bool = False, label: str = "") -> bytes:
    """A 1200×1500 JPEG of a garment silhouette on white (a close-up when ``detail``),
    with ``label`` in a corner so that each model's pictures are different files."""
    image = Image.new("RGB", (1200, 1500), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    if detail:
        draw.rectangle((0, 0, 1200, 1500), fill=colour)
        for y in range(0, 1500, 24):
            draw.line((0, y, 1200, y + 40), fill=tuple(max(c - 30, 0) for c in colour), width=3)
    else:
        draw.polygon(
            [(350, 250), (850, 250), (1100, 500), (950, 620), (880, 560), (880, 1300),
             (320, 1300), (320, 560), (250, 620), (100, 500)],
            fill=colour,
        )  # fmt: skip
        draw.ellipse((520, 200, 680, 320), fill=(250, 250, 250))
    if label:
        draw.rectangle((30, 1410, 40 + 8 * len(label), 1450), fill=(250, 250, 250))
        draw.text((36, 1420), label, fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
