"""What is translated, missing or outdated, per item and locale.

Each localizable text value written in a locale other than the catalogue's *source locale*
(``VITRINE_TRANSLATION_SOURCE_LOCALE``, ``en_US`` by default) is stamped with a hash of the
source text it was translated from: ``translation_sources["name-fr_FR"] = {"from":
"en_US", "hash": "…"}`` on the product or model that holds the value. When the source
text changes afterwards, the stamp no longer matches and the translation is **outdated**
(still shown and exported, but flagged) until someone updates or confirms it.

Everything here is a plain function of values and stamps; the services call
:func:`restamp` wherever values are written (next to ``value_sources.track``).

* A translation written together with its source (an import of every locale at once, an
  XLIFF import) is stamped with the new source: the writer says they agree.
* A translation whose value is removed loses its stamp.
* Values without a stamp (written before this existed) count as current.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from flask import current_app, has_app_context

from pim.services.history import flatten_values
from pim.values import value_key

#: Attribute types whose localizable values are translated texts.
TRANSLATABLE_TYPES = frozenset({"text", "textarea"})
DEFAULT_SOURCE_LOCALE = "en_US"
_SPACES = re.compile(r"\s+")


def source_hash(text) -> str:
    """A short digest of a source text, blind to differences of whitespace only."""
    normalized = _SPACES.sub(" ", str(text or "")).strip()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:16]


def is_translatable(attribute) -> bool:
    """Whether values of ``attribute`` (a structure-cache attribute) are translated texts."""
    return bool(
        attribute is not None and attribute.localizable and attribute.type in TRANSLATABLE_TYPES
    )


def _split(key: str, code: str) -> tuple[str | None, str | None]:
    """Locale and scope of a value key of attribute ``code`` (``name-fr_FR-ecommerce``)."""
    rest = key[len(code) + 1 :].split("-", 1)
    return rest[0] or None, (rest[1] if len(rest) > 1 else None)


def source_locale() -> str:
    """The locale translations are made from (``VITRINE_TRANSLATION_SOURCE_LOCALE``)."""
    if has_app_context():
        return current_app.config.get("TRANSLATION_SOURCE_LOCALE") or DEFAULT_SOURCE_LOCALE
    return DEFAULT_SOURCE_LOCALE


def track(owner, before: dict, after: dict, structure) -> None:
    """Keep the stamps of a product or model whose values go from ``before`` to ``after``
    (every write path calls this next to ``value_sources.track``)."""
    stamps = restamp(
        owner.translation_sources, before, after, structure.attributes, source_locale()
    )
    if stamps != (owner.translation_sources or {}):
        owner.translation_sources = stamps


def first_stamps(values: dict, structure) -> dict:
    """The stamps of a new item holding ``values`` (for the bulk writers' rows)."""
    return restamp({}, {}, values, structure.attributes, source_locale())


def restamp(
    stamps: dict | None, before: dict, after: dict, attributes: dict, source_locale: str
) -> dict:
    """The stamps of an item after its values went from ``before`` to ``after``.

    ``attributes`` maps codes to structure-cache attributes. Returns a new dict (the caller
    assigns it, so that the ORM sees the change).
    """
    result = dict(stamps or {})
    old, new = flatten_values(before), flatten_values(after)
    for code, entries in (after or {}).items():
        if not is_translatable(attributes.get(code)):
            continue
        for entry in entries:
            locale, scope = entry.get("locale"), entry.get("scope")
            if locale is None or locale == source_locale:
                continue
            key = value_key(code, locale, scope)
            source_key = value_key(code, source_locale, scope)
            rewritten = old.get(key) != new.get(key)
            source_rewritten = old.get(source_key) != new.get(source_key)
            if _empty(new.get(key)):
                result.pop(key, None)
            elif rewritten:  # a new or changed translation: made from today's source
                result[key] = _stamp(new.get(source_key), source_locale)
            elif source_rewritten and key not in result:
                # the source changes under a translation nobody stamped yet (written
                # before stamps existed): it was made from the old source
                result[key] = _stamp(old.get(source_key), source_locale)
    for key in old.keys() - new.keys():
        result.pop(key, None)
    return result


def confirm(stamps: dict | None, values: dict, keys, source_locale: str) -> dict:
    """Stamps with the translations ``keys`` marked current against today's source."""
    result = dict(stamps or {})
    flat = flatten_values(values)
    for key in keys:
        code = _owner_code(key, values)
        if code is None:
            continue
        locale, scope = _split(key, code)
        if locale and locale != source_locale and not _empty(flat.get(key)):
            result[key] = _stamp(flat.get(value_key(code, source_locale, scope)), source_locale)
    return result


def _owner_code(key: str, values: dict) -> str | None:
    """The attribute code a value key belongs to (codes may contain ``-``: longest match)."""
    candidates = [code for code in values if key == code or key.startswith(code + "-")]
    return max(candidates, key=len) if candidates else None


def _stamp(source_text, source_locale: str) -> dict:
    return {"from": source_locale, "hash": source_hash(source_text)}


def _empty(data) -> bool:
    return data is None or (isinstance(data, str) and not data.strip())


@dataclass
class LocaleStatus:
    """One locale of one item: value keys missing and outdated."""

    locale: str
    missing: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        """``complete``, ``outdated`` or ``missing`` (missing wins: there is work to do)."""
        if self.missing:
            return "missing"
        return "outdated" if self.outdated else "complete"


def item_status(
    values: dict,
    stamps: dict | None,
    attributes: dict,
    codes,
    locales,
    source_locale: str,
) -> dict[str, LocaleStatus]:
    """Translation status of an item (its effective values and the stamps of every level
    that holds them) in each of ``locales``, over the translatable attributes ``codes``
    (the family's). A value with no source text is neither missing nor outdated."""
    flat = flatten_values(values)
    stamps = stamps or {}
    result = {locale: LocaleStatus(locale) for locale in locales if locale != source_locale}
    for code in codes:
        attribute = attributes.get(code)
        if not is_translatable(attribute):
            continue
        for entry in values.get(code, ()):
            if entry.get("locale") != source_locale or _empty(entry.get("data")):
                continue
            scope = entry.get("scope")
            current = source_hash(entry["data"])
            for locale, status in result.items():
                key = value_key(code, locale, scope)
                if _empty(flat.get(key)):
                    status.missing.append(key)
                elif (stamp := stamps.get(key)) is not None and stamp.get("hash") != current:
                    status.outdated.append(key)
    return result


def of_item(item, structure, locales) -> dict[str, LocaleStatus]:
    """Translation status of a product or model (values inherited from its models
    included) in ``locales``, over its family's attributes."""
    from pim.services.inheritance import ancestors, effective_values

    chain = [*ancestors(item.parent), item]
    stamps: dict = {}
    for level in chain:
        stamps.update(level.translation_sources or {})
    family = item.family
    codes = structure.families[family.code].attributes if family is not None else item.values
    return item_status(
        effective_values(item), stamps, structure.attributes, codes, locales, source_locale()
    )


def owned(status: LocaleStatus, own_values: dict, source_locale: str) -> LocaleStatus:
    """The part of ``status`` (an item's, inherited values included) that the item holds
    itself in ``own_values``: missing translations of its own source texts and outdated
    translations among its own values (the rest is fixed on the model above it)."""
    flat = flatten_values(own_values)
    mine = LocaleStatus(status.locale)
    for key in status.missing:
        if _source_key(key, own_values, status.locale, source_locale) in flat:
            mine.missing.append(key)
    mine.outdated = [key for key in status.outdated if key in flat]
    return mine


def _source_key(key: str, values: dict, locale: str, source_locale: str) -> str | None:
    """The source value key of translation ``key`` when its attribute is in ``values``."""
    code = _owner_code(key, values)
    if code is None:
        return None
    found_locale, scope = _split(key, code)
    return value_key(code, source_locale, scope) if found_locale == locale else None
