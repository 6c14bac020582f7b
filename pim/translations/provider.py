"""The interface a machine-translation provider implements (none is shipped yet).

A provider receives units of one language pair and returns one translated text per unit,
in order. For rich units (``unit.rich``) it receives and returns HTML and must keep the
source's tags: its output goes through the same tag and length checks as a translator's
(:func:`pim.translations.inline.check_html_target`,
:func:`pim.translations.units.max_length_problem`) before anything is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .units import TranslationUnit


@runtime_checkable
class TranslationProvider(Protocol):
    """A machine-translation service, chosen by configuration like the other backends."""

    def translate(
        self, units: Sequence[TranslationUnit], source_locale: str, target_locale: str
    ) -> list[str]:
        """One translation of each unit's ``source``, in the order of ``units``."""
        ...
