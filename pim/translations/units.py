"""Translation units and files: the plain objects the XLIFF and sheet formats read and write.

One :class:`TranslationUnit` is one translatable value: an attribute of a product or a
product model, in one scope (or none), from a source locale to a target locale.

Unit ids are stable and readable: ``product/TS-CREW-RED-S/name``, or with a scope
``model/TS-CREW/description@ecommerce``. Each part (item key, attribute, scope) is
percent-encoded as UTF-8, every character except the RFC 3986 unreserved ones
(``A-Z a-z 0-9 - . _ ~``) written ``%XX`` with upper-case hex: ``/``, ``@``, ``%``,
spaces and non-ASCII letters never appear raw, so any identifier round-trips and two
different units never share an id. :func:`parse_unit_id` accepts only this canonical
form (``%2f`` for ``%2F`` is refused), so that an id names exactly one unit.

Locales are PIM codes (``en_US``) in these objects; the files carry BCP 47 tags
(``en-US``), see :func:`to_bcp47` and :func:`from_bcp47`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

ITEM_KINDS = ("product", "model")
#: Workflow states of a target, from least to most done.
STATES = ("new", "needs-review", "translated", "final")
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
_ENCODED_PART = re.compile(r"(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})+")


class TranslationFileError(ValueError):
    """The whole file is refused; ``str(error)`` names the file and, when known, the line."""

    def __init__(self, file: str, reason: str, *, line: int | None = None) -> None:
        self.file = file
        self.reason = reason
        self.line = line
        where = f" (line {line})" if line else ""
        sentence = f'The file "{file}"{where} {reason}'
        super().__init__(sentence if sentence.endswith(".") else sentence + ".")


@dataclass(frozen=True, slots=True)
class UnitProblem:
    """A problem of one unit (or row): that unit is refused, the others may go on."""

    unit_id: str | None  # None when the unit has no usable id
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.unit_id or 'unit'}: {self.message}"


@dataclass(frozen=True, slots=True)
class UnitKey:
    """What a unit id names: one attribute value of one product or product model."""

    item_kind: str
    item_key: str
    attribute: str
    scope: str | None = None


@dataclass(slots=True)
class TranslationUnit:
    """One value to translate; ``source`` and ``target`` are HTML when ``rich``."""

    item_kind: str  # "product" | "model"
    item_key: str  # identifier of the product, code of the model
    attribute: str
    scope: str | None
    source_locale: str
    target_locale: str
    source: str
    target: str | None = None
    rich: bool = False
    max_length: int | None = None
    notes: list[str] = field(default_factory=list)  # context: product name, attribute label…
    state: str = "new"

    @property
    def id(self) -> str:
        """The stable unit id (see the module docstring)."""
        return unit_id(UnitKey(self.item_kind, self.item_key, self.attribute, self.scope))

    @property
    def key(self) -> UnitKey:
        """The value this unit translates."""
        return UnitKey(self.item_kind, self.item_key, self.attribute, self.scope)


@dataclass(slots=True)
class TranslationFile:
    """Units from one source locale to one target locale, plus what a reader found wrong.

    ``units`` may be any iterable when writing (a generator keeps memory flat); readers
    give a list, without the units listed in ``problems``.
    """

    source_locale: str
    target_locale: str
    units: Iterable[TranslationUnit] = field(default_factory=list)
    original: str = "vitrine"  # what the units were extracted from (XLIFF ``original``)
    tool: str = "Vitrine"
    problems: list[UnitProblem] = field(default_factory=list)


def _encode(part: str) -> str:
    return quote(part, safe="-._~", encoding="utf-8", errors="strict")


def unit_id(key: UnitKey) -> str:
    """``kind/key/attribute`` or ``kind/key/attribute@scope``, parts percent-encoded."""
    if key.item_kind not in ITEM_KINDS:
        raise ValueError(f"item kind must be one of {', '.join(ITEM_KINDS)}, not {key.item_kind!r}")
    if not key.item_key or not key.attribute or key.scope == "":
        raise ValueError("item key, attribute and scope (when set) must not be empty")
    text = f"{key.item_kind}/{_encode(key.item_key)}/{_encode(key.attribute)}"
    return text if key.scope is None else f"{text}@{_encode(key.scope)}"


def parse_unit_id(text: str) -> UnitKey:
    """The :class:`UnitKey` of a canonical unit id; ``ValueError`` with the reason otherwise."""
    parts = text.split("/")
    if len(parts) != 3:
        raise ValueError(f"unit id {text!r} is not of the form kind/item/attribute[@scope]")
    kind, key, rest = parts
    if kind not in ITEM_KINDS:
        raise ValueError(f"unit id {text!r} names an unknown kind of item {kind!r}")
    attribute, _, scope = rest.partition("@")
    encoded = [key, attribute] + ([scope] if "@" in rest else [])
    if not all(_ENCODED_PART.fullmatch(part) for part in encoded):
        raise ValueError(f"unit id {text!r} has an empty or badly encoded part")
    try:
        decoded = [unquote(part, encoding="utf-8", errors="strict") for part in encoded]
    except UnicodeDecodeError:
        raise ValueError(f"unit id {text!r} has a percent-encoding that is not UTF-8") from None
    parsed = UnitKey(kind, decoded[0], decoded[1], decoded[2] if len(decoded) == 3 else None)
    if unit_id(parsed) != text:
        raise ValueError(f"unit id {text!r} is not in canonical form ({unit_id(parsed)!r})")
    return parsed


def to_bcp47(locale: str) -> str:
    """``en_US`` → ``en-US`` (the language tags of XLIFF files)."""
    check_locale(locale)
    return locale.replace("_", "-")


def from_bcp47(tag: str) -> str:
    """``en-US`` → ``en_US``; ``ValueError`` for something that is not a language tag."""
    check_locale(tag)
    return tag.replace("-", "_")


def check_locale(text: str) -> None:
    """Refuse what cannot be a locale code (``en_US``) or language tag (``en-US``)."""
    if not isinstance(text, str) or not _LOCALE.fullmatch(text):
        raise ValueError(f"{text!r} is not a locale code such as en_US")


def max_length_problem(unit: TranslationUnit) -> str | None:
    """Why the target is too long for the attribute, or ``None``.

    Measured like the PIM measures a stored value: characters of the text, of the HTML
    for rich text.
    """
    if unit.max_length is None or unit.target is None or len(unit.target) <= unit.max_length:
        return None
    return f"target is {len(unit.target)} characters long, the maximum is {unit.max_length}"


def max_length_note(max_length: int) -> str:
    """The note written for translators (and skipped when read back)."""
    return f"Maximum length: {max_length} characters."
