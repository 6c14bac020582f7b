"""What an Akeneo import did: counts per file and the list of issues (errors, warnings).

Counts per file: ``created``, ``updated``, ``skipped`` (already up to date, or deliberately
not imported such as deactivated locales), ``failed`` (rows refused, or 1 for a refused
file) and ``warnings``. Every issue names the file, line, key, column and value it is about.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import NamedTuple

#: Values quoted in issues are cut to this many characters.
MAX_VALUE_CHARS = 200


class Fault(NamedTuple):
    """One reason a row was refused (or warned about): the column, its value, the reason."""

    column: str | None
    value: str | None
    reason: str


@dataclass
class Issue:
    """A refused row or file (``error``) or something ignored or lost (``warning``)."""

    file: str | None
    line: int | None
    key: str | None
    column: str | None
    value: str | None
    reason: str
    severity: str = "error"


@dataclass
class FileCounts:
    """Rows of one file by outcome."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    warnings: int = 0

    def add(self, outcome: str) -> None:
        """Count one row as ``created``, ``updated`` or ``skipped``."""
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class AkeneoSummary:
    """Counts per file (in import order) and every issue, in the order found."""

    files: dict[str, FileCounts] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def counts(self, file: str) -> FileCounts:
        """The counts of ``file`` (created on first use)."""
        return self.files.setdefault(file, FileCounts())

    def fail(self, file: str, line: int | None, key: str | None, faults) -> None:
        """Count a refused row and record one error per fault."""
        self.counts(file).failed += 1
        for fault in faults:
            self._add(file, line, key, fault, "error")

    def error(self, file: str, line: int | None, key: str | None, fault: Fault) -> None:
        """Record an error that does not refuse a row by itself (e.g. after it was written)."""
        self._add(file, line, key, fault, "error")

    def warn(self, file: str, line: int | None, key: str | None, fault: Fault) -> None:
        """Record a warning: something was ignored or could not be linked."""
        self.counts(file).warnings += 1
        self._add(file, line, key, fault, "warning")

    def refuse_file(self, file: str, reason: str) -> None:
        """The whole file was refused by the reader (bad encoding, header…)."""
        self.counts(file).failed += 1
        self._add(file, None, None, Fault(None, None, reason), "error")

    @property
    def ok(self) -> bool:
        """True when nothing was refused (warnings allowed)."""
        return not any(issue.severity == "error" for issue in self.issues)

    def to_dict(self) -> dict:
        """``{"files": {name: counts}, "issues": [...], "ok": bool}`` (the ``--json`` output)."""
        return {
            "files": {name: asdict(counts) for name, counts in self.files.items()},
            "issues": [asdict(issue) for issue in self.issues],
            "ok": self.ok,
        }

    def _add(self, file, line, key, fault: Fault, severity: str) -> None:
        value = fault.value
        if value is not None and len(value) > MAX_VALUE_CHARS:
            value = value[:MAX_VALUE_CHARS] + "…"
        self.issues.append(Issue(file, line, key, fault.column, value, fault.reason, severity))
