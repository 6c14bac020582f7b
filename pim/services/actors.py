"""Who is making a change and through which source; recorded on every version."""

from __future__ import annotations

from dataclasses import dataclass

from pim.models import Source


@dataclass(frozen=True)
class Actor:
    """The author of a change: a user (or the system) and the source it came through."""

    name: str
    source: str
    user_id: int | None = None

    @classmethod
    def system(cls, source: str = Source.SYSTEM) -> Actor:
        return cls(name="system", source=str(source))

    @classmethod
    def for_user(cls, user, source: str) -> Actor:
        return cls(name=user.email, source=str(source), user_id=user.id)
