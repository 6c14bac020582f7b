"""Assets in the catalogue's search index (a :class:`~pim.search.indexer.SearchSource`).

An asset's document: tokens from its filename, code, titles and alt texts in every
locale, tags, collections, creator, copyright, credit, licensor and embedded keywords;
fields ``status`` (as stored: the daily job writes ``expired``), ``licence``, ``media``
(image, video, document), ``tag``, ``collection``, ``channel`` and ``territory`` (the
allowed ones; ``all`` when unrestricted), ``trash`` (``yes``/``no``) and ``linked``
(``yes``/``no``); numbers ``updated``, ``uploaded`` and ``valid_until`` (epoch); sortable
``identifier`` (filename).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dam.models import Asset, AssetLink
from pim.search.base import Document, tokens
from pim.search.documents import finish
from pim.search.indexer import SearchSource


def asset_documents(session, ids: list[int]) -> list[Document]:
    assets = session.scalars(
        select(Asset).where(Asset.id.in_(ids)).options(selectinload(Asset.collections))
    ).all()
    linked = set(
        session.scalars(
            select(AssetLink.asset_id)
            .where(AssetLink.asset_id.in_(ids))
            .group_by(AssetLink.asset_id)
        )
    )
    return [_document(asset, asset.id in linked) for asset in assets]


def _document(asset: Asset, linked: bool) -> Document:
    collections = [c.code for c in asset.collections]
    keywords = (asset.embedded or {}).get("rights", {}).get("keywords") or []
    words = [
        asset.filename,
        asset.code,
        *(asset.title or {}).values(),
        *(asset.alt_text or {}).values(),
        *(asset.tags or []),
        *collections,
        asset.creator,
        asset.copyright_holder,
        asset.copyright_notice,
        asset.credit_line,
        asset.licensor,
        *(k for k in keywords if isinstance(k, str)),
    ]
    document = Document(kind="asset", id=asset.id)
    document.tokens = tokens(" ".join(w for w in words if isinstance(w, str)))
    document.fields = {
        "status": [asset.status],
        "licence": [asset.licence_type],
        "media": [asset.kind],
        "tag": list(asset.tags or []),
        "collection": collections,
        "channel": list(asset.allowed_channels or []) or ["all"],
        "territory": list(asset.allowed_territories or []) or ["all"],
        "trash": ["yes" if asset.deleted_at else "no"],
        "linked": ["yes" if linked else "no"],
    }
    document.numbers = {"updated": asset.updated_at.timestamp()}
    if asset.uploaded_at is not None:
        document.numbers["uploaded"] = asset.uploaded_at.timestamp()
    if asset.valid_until is not None:
        day = asset.valid_until
        document.numbers["valid_until"] = datetime(
            day.year, day.month, day.day, tzinfo=UTC
        ).timestamp()
    document.sortable = {"identifier": asset.filename}
    return finish(document)


ASSETS = SearchSource(
    "asset",
    Asset,
    asset_documents,
    lambda session: session.scalars(select(Asset.id).order_by(Asset.id)),
    fields=("licence", "media", "tag", "collection", "channel", "territory", "trash", "linked"),
    watch=((AssetLink, lambda link: link.asset_id),),
)
