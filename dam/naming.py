"""Naming conventions: rules that read a product code, a role and an order in a file name.

A rule is a pattern such as ``"{sku}_{role}_{order}"`` or ``"{model}-{color}-{order}"``,
matched against the whole base name of a file without its folders and extension
(``shoot/TS-01_front_2.jpg`` → ``TS-01_front_2``). Text outside the braces is literal.
Placeholders:

* ``{sku}``, ``{model}``: a code of letters, digits, ``-``, ``_`` and ``.``, starting with
  a letter or a digit;
* ``{color}``: letters and digits only (``RED``, ``001``);
* ``{order}``: 1 to 4 digits, leading zeros allowed (``02`` → 2); a camera counter such as
  ``IMG_20240101`` is therefore not an order;
* ``{role}``: one of :data:`ROLES` or an alias (``front`` → ``main``, ``back`` →
  ``gallery``…, see :data:`ROLE_ALIASES`).

Ambiguity: codes may contain the separators used between placeholders, so a name can
often be split in several ways. Every placeholder is non-greedy except the last one: the
first split (shortest codes, from the left) that makes the *whole* name match wins. With
``"{model}-{color}-{order}"``, ``TSHIRT-01-RED-2`` gives model ``TSHIRT-01``, colour
``RED``, order 2 (``TSHIRT`` cannot be the model: ``01-RED`` is not a colour), but
``TSHIRT-01-2`` gives model ``TSHIRT``, colour ``01``. When codes are that ambiguous, try
the candidates of :func:`match_all` against the catalogue, or write a ``re:`` rule.

A pattern starting with ``re:`` is a raw regular expression (matched against the whole
base name) using the named groups ``sku``, ``model``, ``color``, ``role`` and ``order``;
a ``role`` group whose text is not a known role, or an ``order`` group that is not a
number, means no match.

Roles: a name without a role gets ``"main"`` when its order is 1 (the first picture of a
numbered series is the packshot), else the rule's ``default_role``; set
``first_is_main=False`` for rules whose numbered files are all of one kind (swatches).

Matching does not look products up: the caller does, and reports the files whose codes
match nothing. Codes are returned as written in the file name (case kept).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

ROLES = ("main", "gallery", "swatch", "on_model", "detail", "size_chart", "spec_sheet")
#: Other words people use for the roles, in file names (compared case-insensitively unless
#: the rule is case-sensitive). Each role also accepts its own name with ``-`` for ``_``.
ROLE_ALIASES = {
    "front": "main",
    "packshot": "main",
    "back": "gallery",
    "side": "gallery",
    "alt": "gallery",
    "model": "on_model",
    "onmodel": "on_model",
    "zoom": "detail",
    "closeup": "detail",
    "close-up": "detail",
    "sizechart": "size_chart",
    "spec": "spec_sheet",
    "specsheet": "spec_sheet",
    "datasheet": "spec_sheet",
}
ROLE_WORDS = {
    **{role: role for role in ROLES},
    **{role.replace("_", "-"): role for role in ROLES},
    **ROLE_ALIASES,
}
PLACEHOLDERS = ("sku", "model", "color", "role", "order")
CODE = r"[^\W_][\w.-]*"
COLOR = r"[A-Za-z0-9]+"
ORDER = r"[0-9]{1,4}"
# Longest words first, so that "on_model" is tried before "model" and "spec_sheet" before
# "spec".
ROLE = "|".join(re.escape(word) for word in sorted(ROLE_WORDS, key=len, reverse=True))
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


class PatternError(ValueError):
    """A naming pattern that cannot be used; the message names the problem and the pattern."""


@dataclass(frozen=True)
class NameMatch:
    """What a file name says: codes as written, the canonical role and the order."""

    sku: str | None
    model: str | None
    color: str | None
    role: str | None
    order: int | None
    fields: dict[str, str]  # raw text of every placeholder that matched


@dataclass(frozen=True)
class NamingRule:
    """One naming convention; checked and compiled when created (see the module doc)."""

    pattern: str
    default_role: str = "gallery"
    case_sensitive: bool = False
    first_is_main: bool = True
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.default_role not in ROLES:
            raise PatternError(
                f"unknown default role '{self.default_role}'; use one of {', '.join(ROLES)}"
            )
        flags = 0 if self.case_sensitive else re.IGNORECASE
        object.__setattr__(self, "regex", re.compile(_to_regex(self.pattern), flags))

    def match(self, filename: str) -> NameMatch | None:
        """What ``filename`` (a path or a bare name) says, or ``None`` if it does not fit."""
        found = self.regex.fullmatch(base_name(filename))
        if found is None:
            return None
        raw = {name: text for name, text in found.groupdict().items() if text is not None}
        role = _role(raw.get("role"), self.case_sensitive)
        if "role" in raw and role is None:
            return None  # a raw regex captured a word that is not a role
        order = _order(raw.get("order"))
        if "order" in raw and order is None:
            return None  # a raw regex captured something that is not a number
        if role is None:
            role = "main" if order == 1 and self.first_is_main else self.default_role
        return NameMatch(
            sku=raw.get("sku"),
            model=raw.get("model"),
            color=raw.get("color"),
            role=role,
            order=order,
            fields=raw,
        )


def compile_rule(pattern: str, **kw) -> NamingRule:
    """A checked :class:`NamingRule`; :class:`PatternError` says what is wrong with it."""
    return NamingRule(pattern, **kw)


def base_name(filename: str) -> str:
    """``filename`` without folders (``/`` or ``\\``) and extension, in Unicode NFC."""
    name = re.split(r"[/\\]", filename)[-1]
    if EXTENSION.search(name) and not name.startswith("."):
        name = name[: name.rindex(".")]
    return unicodedata.normalize("NFC", name)


def _role(word: str | None, case_sensitive: bool) -> str | None:
    if word is None:
        return None
    return ROLE_WORDS.get(word if case_sensitive else word.lower())


def _order(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdecimal() else None


def _to_regex(pattern: str) -> str:
    if pattern.startswith("re:"):
        return _check_raw_regex(pattern)
    names = [found.group(1) for found in PLACEHOLDER.finditer(pattern)]
    _check_placeholders(pattern, names)
    parts = []
    position = 0
    for index, found in enumerate(PLACEHOLDER.finditer(pattern)):
        literal = pattern[position : found.start()]
        if index and not literal:
            raise PatternError(
                f"placeholders {{{names[index - 1]}}} and {{{names[index]}}} need a "
                f"separator between them in '{pattern}'"
            )
        parts.append(re.escape(literal))
        parts.append(_group(found.group(1), last=index == len(names) - 1))
        position = found.end()
    parts.append(re.escape(pattern[position:]))
    return "".join(parts)


def _check_placeholders(pattern: str, names: list[str]) -> None:
    if "{" in PLACEHOLDER.sub("", pattern) or "}" in PLACEHOLDER.sub("", pattern):
        raise PatternError(f"unbalanced brace in '{pattern}'; placeholders look like {{sku}}")
    for name in names:
        if name not in PLACEHOLDERS:
            raise PatternError(
                f"unknown placeholder {{{name}}} in '{pattern}'; use one of "
                f"{', '.join(PLACEHOLDERS)}"
            )
        if names.count(name) > 1:
            raise PatternError(f"placeholder {{{name}}} appears more than once in '{pattern}'")
    if "sku" not in names and "model" not in names:
        raise PatternError(
            f"'{pattern}' has no {{sku}} or {{model}} placeholder to link files to products"
        )


def _group(name: str, *, last: bool) -> str:
    body = {"sku": CODE, "model": CODE, "color": COLOR, "order": ORDER}.get(name)
    if body is None:
        return f"(?P<role>{ROLE})"
    return f"(?P<{name}>{body}{'' if last else '?'})"


def _check_raw_regex(pattern: str) -> str:
    source = pattern[3:]
    try:
        names = list(re.compile(source).groupindex)
    except re.error as error:
        raise PatternError(f"invalid regular expression in '{pattern}': {error}") from error
    for name in names:
        if name not in PLACEHOLDERS:
            raise PatternError(
                f"unknown group (?P<{name}>) in '{pattern}'; use one of {', '.join(PLACEHOLDERS)}"
            )
    if "sku" not in names and "model" not in names:
        raise PatternError(
            f"'{pattern}' has no (?P<sku>…) or (?P<model>…) group to link files to products"
        )
    return source


DEFAULT_RULES: tuple[NamingRule, ...] = tuple(
    NamingRule(pattern)
    for pattern in (
        "{sku}_{role}_{order}",
        "{sku}_{role}",
        "{sku}_{order}",
        "{model}-{color}-{order}",
        "{sku}",
    )
)


def match_all(rules: Iterable[NamingRule], filename: str) -> Iterator[NameMatch]:
    """Every reading of ``filename`` by ``rules``, in rule order (candidates to look up)."""
    for rule in rules:
        found = rule.match(filename)
        if found is not None:
            yield found


def match_first(rules: Iterable[NamingRule], filename: str) -> NameMatch | None:
    """The reading of ``filename`` by the first rule that fits it, or ``None``."""
    return next(match_all(rules, filename), None)
