"""A few translations of the tests' own on top of the shipped catalogues.

Tests of the i18n mechanisms install them so that they check that a message goes through
the catalogue of the right language, whatever the wording the shipped catalogues give it.
"""

from __future__ import annotations

from flask_babel import Domain, get_locale

from pim import i18n


class ExtraMessages:
    """A catalogue with a few more messages than ``inner``."""

    def __init__(self, inner, messages: dict):
        self.inner, self.messages = inner, messages

    def ugettext(self, message):
        return self.messages.get(message) or self.inner.ugettext(message)

    gettext = ugettext

    def __getattr__(self, name):
        return getattr(self.inner, name)


def add_messages(monkeypatch, by_language: dict[str, dict]) -> None:
    """Give the app's catalogues (and the command line's) the messages of ``by_language``
    (``{"fr": {msgid: translation}}``) until the test ends."""
    original = Domain.get_translations

    def get_translations(self):
        return ExtraMessages(original(self), by_language.get(str(get_locale()), {}))

    monkeypatch.setattr(Domain, "get_translations", get_translations)
    catalogue = i18n._cli_catalogue
    monkeypatch.setattr(
        i18n,
        "_cli_catalogue",
        lambda lang: ExtraMessages(catalogue(lang), by_language.get(lang, {})),
    )
