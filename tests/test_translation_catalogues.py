"""The shipped UI catalogues are complete: every message the code and templates use (as
``pybabel extract`` finds them with babel.cfg) is translated in French, German, Italian
and Spanish, none is fuzzy, and every translation keeps the message's placeholders."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from pim.i18n import UI_LOCALES

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%%")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}


@cache
def used_messages() -> dict:
    """msgid (or (singular, plural)) → where it is used."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else tuple(message[:2])
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text)) - {"%(num)d"}


@pytest.mark.parametrize("language", [code for code in UI_LOCALES if code != "en"])
def test_every_message_is_translated(language):
    path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    problems = []
    for key, where in sorted(used_messages().items(), key=lambda item: str(item[0])):
        msgid = key[0] if isinstance(key, tuple) else key
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing ({where}): {msgid!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"{'fuzzy' if message.fuzzy else 'untranslated'} ({where}): {msgid!r}")
            continue
        source = key[-1] if isinstance(key, tuple) else key
        for string in strings:
            if placeholders(string) != placeholders(source):
                problems.append(f"placeholders differ ({where}): {msgid!r} → {string!r}")
    assert not problems, (
        f"{len(problems)} problems in {path.relative_to(ROOT)} (run the pybabel workflow in "
        "the README):\n" + "\n".join(problems[:40])
    )


def test_the_extraction_finds_the_interface():
    messages = used_messages()
    assert len(messages) > 1000
    assert "Sign out" in messages
    assert any(isinstance(key, tuple) for key in messages)  # plurals
