"""Public rendition links for feeds: stable, unguessable URLs channels can fetch.

Google, Meta or a marketplace cannot sign in, so a feed's image links carry an HMAC of the
asset id and preset, keyed by the application's secret key:
``/media/<asset id>/<preset>/<signature>.<extension>``. The link names no storage key and
opens nothing else; it stops working when the asset is trashed, archived or expired (the
route checks that on every request), and changing the secret key revokes every link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app

#: signature length in characters of URL-safe base64 (144 bits)
SIGNATURE_LENGTH = 24


def signature(asset_id: int, preset: str, secret: str | bytes | None = None) -> str:
    """The signature of the public link to ``asset_id`` in ``preset``."""
    key = secret if secret is not None else current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode()
    digest = hmac.new(key, f"rendition:{asset_id}:{preset}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_LENGTH]


def is_valid(asset_id: int, preset: str, given: str, secret: str | bytes | None = None) -> bool:
    """Whether ``given`` is the signature of that link (compared in constant time)."""
    return hmac.compare_digest(signature(asset_id, preset, secret), given)


def public_path(asset_id: int, preset: str, extension: str) -> str:
    """The path of the public link (prefix it with the site's base URL)."""
    return f"/media/{asset_id}/{preset}/{signature(asset_id, preset)}.{extension}"
