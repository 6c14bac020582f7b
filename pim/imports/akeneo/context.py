"""The state one Akeneo import carries from file to file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pim.imports.akeneo.summary import AkeneoSummary
from pim.services.actors import Actor
from pim.services.structure_cache import Structure


@dataclass
class Context:
    """Session, directory, actor and summary of one run, plus what later steps need."""

    session: object
    directory: Path
    actor: Actor
    summary: AkeneoSummary = field(default_factory=AkeneoSummary)
    on_progress: Callable[[str, int], None] | None = None
    #: the file whose refusal stopped the import (later files are not read)
    stopped_by: str | None = None
    #: product model rows whose associations are written once the products exist
    pending_model_links: list = field(default_factory=list)

    def structure(self) -> Structure:
        """The catalogue structure as written so far (reloaded after structure writes)."""
        return Structure.current(self.session)

    def progress(self, file: str, rows: int) -> None:
        """Report that ``rows`` rows of ``file`` were handled so far."""
        if self.on_progress is not None:
            self.on_progress(file, rows)
