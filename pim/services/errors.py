"""Errors raised by services; views and the CLI turn them into messages and status codes."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base class of the errors a user can act upon."""


class NotFound(DomainError):
    """The named product, model or structure entity does not exist."""


@dataclass(frozen=True)
class Problem:
    """One reason a write was refused, with where it applies."""

    message: str
    field: str | None = None
    attribute: str | None = None
    locale: str | None = None
    scope: str | None = None

    def __str__(self) -> str:
        where = self.attribute or self.field
        context = "/".join(part for part in (self.locale, self.scope) if part)
        prefix = f"{where}" + (f" [{context}]" if context else "") if where else ""
        return f"{prefix}: {self.message}" if prefix else self.message


class InvalidData(DomainError):
    """A write was refused; nothing was changed. ``problems`` lists every reason found."""

    def __init__(self, subject: str, problems: list[Problem]):
        self.subject = subject
        self.problems = problems
        lines = "; ".join(str(p) for p in problems)
        super().__init__(f"{subject}: {lines}")


@dataclass
class ConflictError(DomainError):
    """A save was based on a stale version; ``changes`` are the versions saved since."""

    subject: str
    expected_version: int
    current_version: int
    changes: list = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.subject} was changed by someone else (you edited version "
            f"{self.expected_version}, it is now at version {self.current_version})"
        )
