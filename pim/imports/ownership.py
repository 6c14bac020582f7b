"""Consolidation rules: which source may write an attribute, and which one wins.

Each attribute has a precedence list of sources, highest first (``Attribute.sources``, or
:data:`DEFAULT_PRECEDENCE`); ``supplier:*`` matches every supplier. An import from source
S may write a value when S is in the attribute's list and the value is empty, was last
written by S itself, by a source of lower precedence, or by a source the list does not
name. So a nightly ERP import never overwrites an editor's description (``ui`` ranks above
``erp``) and a supplier never writes the ERP price (when ``price`` lists only ``erp``).
Edits in the browser and the API are never blocked: they are people deciding.
"""

from __future__ import annotations

from collections import Counter
from fnmatch import fnmatchcase

from pim.services import value_sources
from pim.services.history import flatten_values
from pim.services.structure_cache import Structure

#: Highest precedence first; used by attributes without their own list.
DEFAULT_PRECEDENCE = (
    "ui",
    "api",
    "mass_edit",
    "translation",
    "erp",
    "plm",
    "migration",
    "supplier:*",
    "import",
    "system",
)


def rank(source: str | None, precedence: tuple[str, ...]) -> int | None:
    """Position of ``source`` in ``precedence`` (0 is highest), None when not listed."""
    if source is None:
        return None
    for position, pattern in enumerate(precedence):
        if source == pattern or fnmatchcase(source, pattern):
            return position
    return None


class Ownership:
    """Filters the values an import from one source may write, and counts what it refused.

    ``refused`` counts ``(attribute, reason)`` pairs; ``examples`` keeps a few product keys
    per pair for the report.
    """

    def __init__(self, structure: Structure, source: str):
        self.source = source
        self.precedence = {
            code: spec.sources or DEFAULT_PRECEDENCE for code, spec in structure.attributes.items()
        }
        self.mine = {code: rank(source, p) for code, p in self.precedence.items()}
        self.writable = {code for code, position in self.mine.items() if position is not None}
        self._ranks: dict[tuple[str, str | None], int | None] = {}
        self.refused: Counter = Counter()
        self.examples: dict[tuple[str, str], list[str]] = {}

    def may_write(self, attribute: str) -> bool:
        """Whether this source is allowed to write ``attribute`` at all."""
        return attribute in self.writable

    def filter(self, key: str, values: dict, stored: dict | None = None) -> dict:
        """The part of ``values`` this source may write on the product or model ``key``.

        ``stored`` is ``{"source", "value_sources", "values"}`` of an existing one, or None
        for a new one.
        """
        if stored is None:
            return self._new(key, values)
        kept = {}
        current = flatten_values(stored["values"])
        for code, entries in values.items():
            entries = [e for e in entries if self._allowed(key, code, e, stored, current)]
            if entries:
                kept[code] = entries
        return kept

    def _new(self, key: str, values: dict) -> dict:
        """A new product: only the attributes this source may not write are dropped."""
        refused = [code for code in values if code not in self.writable]
        for code in refused:
            self._refuse(key, code, f"{self.source} may not write it")
        return {c: e for c, e in values.items() if c in self.writable} if refused else values

    def _rank_of(self, owner: str | None, code: str) -> int | None:
        cache_key = (code, owner)
        if cache_key not in self._ranks:
            self._ranks[cache_key] = rank(owner, self.precedence.get(code, DEFAULT_PRECEDENCE))
        return self._ranks[cache_key]

    def _allowed(self, key, code, entry, stored, current) -> bool:
        mine = self.mine.get(code)
        if mine is None:
            return self._refuse(key, code, f"{self.source} may not write it")
        flat_key = value_sources.value_key_of(code, entry)
        if current.get(flat_key) in (None, "", []):
            return True
        owner = value_sources.owner_of(stored["source"], stored["value_sources"], flat_key)
        theirs = self._rank_of(owner, code)
        if owner == self.source or theirs is None or theirs >= mine:
            return True
        return self._refuse(key, code, f"kept the value written by {owner} (higher precedence)")

    def _refuse(self, key: str, code: str, reason: str) -> bool:
        pair = (code, reason)
        self.refused[pair] += 1
        examples = self.examples.setdefault(pair, [])
        if len(examples) < 5:
            examples.append(key)
        return False

    def summary(self) -> list[tuple[str, str, int, list[str]]]:
        """``(attribute, reason, count, example keys)`` for every refusal, most frequent first."""
        return [
            (code, reason, count, self.examples[(code, reason)])
            for (code, reason), count in self.refused.most_common()
        ]
