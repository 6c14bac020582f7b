"""ETags and conditional requests.

An ETag is ``"<row id>-<version>[.<parent version>[.<grandparent version>]]"``: the row's
optimistic-lock version, and those of the models it inherits values from (a variant's
representation changes when its model does). The row id keeps a deleted and re-created
product from matching an old tag. A trimmed or completeness-carrying representation adds
``;<digest>`` so that a cache never mixes representations; ``If-Match`` compares only the
part before ``;`` (any representation of the current version matches).
"""

from __future__ import annotations

import hashlib
import json

from flask import Response, request

from pim.api.problems import ApiError
from pim.services.inheritance import ancestors


def version_tag(item) -> str:
    """The unquoted tag of the current version of a product or product model."""
    chain = [item.version, *(m.version for m in reversed(ancestors(item.parent)))]
    return f"{item.id}-" + ".".join(str(v) for v in chain)


def representation_tag(item, variant: dict | None = None) -> str:
    """The tag of one representation; ``variant`` says how it differs from the full one."""
    tag = version_tag(item)
    if variant:
        digest = hashlib.sha256(json.dumps(variant, sort_keys=True, default=str).encode())
        tag += ";" + digest.hexdigest()[:12]
    return tag


def check_if_match(item) -> int | None:
    """The version a write to a product or model may expect: ``None`` without
    ``If-Match``; 412 when no tag of ``If-Match`` names the current version."""
    if item is None:
        if "If-Match" in request.headers:
            raise ApiError(412, "If-Match was given but the item does not exist.")
        return None
    return match(version_tag(item), item.version)


def match(current: str, version=None, what: str = "item"):
    """Every resource's ``If-Match`` rule: ``version`` (what a write may expect) when the
    header names ``current`` (the unquoted tag of the stored state; the part of a sent tag
    after ``;`` is ignored) or is ``*``; None without the header; else a 412 problem."""
    if "If-Match" not in request.headers:
        return None
    if request.if_match.star_tag:
        return version
    if any(tag.split(";")[0] == current for tag in request.if_match.as_set()):
        return version
    raise ApiError(
        412,
        f'The {what} has changed since you read it (its ETag is now "{current}"): '
        "fetch it again and reapply your change.",
    )


def not_modified(tag: str) -> Response | None:
    """A 304 when ``If-None-Match`` names ``tag`` (weak comparison)."""
    if request.if_none_match and request.if_none_match.contains_weak(tag):
        response = Response(status=304)
        response.set_etag(tag)
        return response
    return None
