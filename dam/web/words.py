"""The DAM's codes as words in the UI language, for the ``word`` filter of
:mod:`pim.web.words`: ``{{ asset.status|word("asset") }}``."""

from __future__ import annotations

from flask_babel import lazy_gettext

from dam.models import AssetStatus, LicenceType, ReleaseStatus
from pim.web.words import register_words


def register() -> None:
    """Register the asset, upload, rendition, licence and release words."""
    register_words(
        "asset",
        {
            AssetStatus.DRAFT: lazy_gettext("draft"),
            AssetStatus.APPROVED: lazy_gettext("approved"),
            AssetStatus.ARCHIVED: lazy_gettext("archived"),
            AssetStatus.EXPIRED: lazy_gettext("expired"),
        },
    )
    register_words(
        "upload",
        {
            "new": lazy_gettext("new"),
            "duplicate": lazy_gettext("duplicate"),
            "skipped": lazy_gettext("skipped"),
            "error": lazy_gettext("error"),
        },
    )
    register_words("rendition", {"ready": lazy_gettext("ready"), "failed": lazy_gettext("failed")})
    register_words(
        "licence",
        {
            LicenceType.UNKNOWN: lazy_gettext("unknown"),
            LicenceType.OWNED: lazy_gettext("owned"),
            LicenceType.LICENSED: lazy_gettext("licensed"),
            LicenceType.ROYALTY_FREE: lazy_gettext("royalty free"),
        },  # the Creative Commons codes read as they are (cc by sa…)
    )
    register_words(
        "release",
        {
            ReleaseStatus.UNKNOWN: lazy_gettext("unknown"),
            ReleaseStatus.NONE: lazy_gettext("none"),
            ReleaseStatus.NOT_APPLICABLE: lazy_gettext("not applicable"),
            ReleaseStatus.LIMITED: lazy_gettext("limited"),
            ReleaseStatus.UNLIMITED: lazy_gettext("unlimited"),
        },
    )
