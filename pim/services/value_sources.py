"""Which source wrote each value of a product or model.

A product remembers the source that created it (``source``); ``value_sources`` only holds
the values written since by *another* source, keyed like ``name-fr_FR-ecommerce``. Imports
use this to protect values owned by a source of higher precedence (see
:mod:`pim.imports.ownership`); every write path keeps it up to date through :func:`track`.
"""

from __future__ import annotations

from pim.services.history import flatten_values
from pim.values import value_key


def changed_keys(before: dict, after: dict) -> set[str]:
    """Value keys added, removed or changed between two values documents."""
    old, new = flatten_values(before), flatten_values(after)
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}


def track(owner, before: dict, after: dict, source: str) -> None:
    """Record ``source`` as the writer of every value that changed on ``owner``."""
    keys = changed_keys(before, after)
    if not keys:
        return
    sources = dict(owner.value_sources or {})
    for key in keys:
        if source == owner.source:
            sources.pop(key, None)
        else:
            sources[key] = source
    owner.value_sources = sources


def owner_of(owner_source: str | None, value_sources: dict | None, key: str) -> str | None:
    """The source that last wrote the value ``key`` (None when nobody is known)."""
    return (value_sources or {}).get(key, owner_source)


def value_key_of(code: str, entry: dict) -> str:
    """The value key of one standard-format entry of attribute ``code``."""
    return value_key(code, entry.get("locale"), entry.get("scope"))
