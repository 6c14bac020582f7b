"""Status and workflow codes as words in the UI language: ``{{ job.status|word("job") }}``.

Codes (``in_review``, ``succeeded``…) stay codes in the database, the API and CSS class
names; pages show them through the ``word`` filter, which looks the code up in its
*domain* (the same code may read differently in two domains) and falls back to the code
with spaces for underscores. The PIM's domains are registered here; the DAM and the
channels register theirs with :func:`register_words` when their package starts (the PIM
never imports them).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext

#: domain → code → lazy message; filled at import time and by the plugins' ``init_app``
_WORDS: dict[str, dict[str, object]] = {}


def init_app(app: Flask) -> None:
    """Register the ``word`` filter (and a global of the same name for macros)."""
    app.add_template_filter(word, "word")
    app.add_template_global(word, "word")


def register_words(domain: str, mapping: dict[str, object]) -> None:
    """Add (or replace) the words of ``domain``; values are lazy messages
    (``lazy_gettext("approved")``) so each page speaks its reader's language."""
    _WORDS.setdefault(domain, {}).update(mapping)


def word(code, domain: str) -> str:
    """The word for ``code`` in ``domain`` in the current UI language, else the code
    (underscores as spaces); empty for None."""
    if code is None or code == "":
        return ""
    code = str(code)
    text = _WORDS.get(domain, {}).get(code)
    return str(text) if text is not None else code.replace("_", " ")


register_words(
    "workflow",
    {
        "draft": lazy_gettext("draft"),
        "in_review": lazy_gettext("in review"),
        "approved": lazy_gettext("approved"),
    },
)
register_words(
    "lifecycle",
    {
        "new": lazy_gettext("new"),
        "active": lazy_gettext("active"),
        "phase_out": lazy_gettext("phase out"),
        "discontinued": lazy_gettext("discontinued"),
    },
)
#: imports and mass edits
register_words(
    "job",
    {
        "queued": lazy_gettext("queued"),
        "running": lazy_gettext("running"),
        "succeeded": lazy_gettext("succeeded"),
        "failed": lazy_gettext("failed"),
    },
)
#: what a running import is doing (``ImportJob.phase``)
register_words(
    "import_phase",
    {
        "reading": lazy_gettext("reading the file"),
        "missing": lazy_gettext("handling products missing from the file"),
        "done": lazy_gettext("done"),
    },
)
#: webhook deliveries
register_words(
    "delivery",
    {
        "pending": lazy_gettext("pending"),
        "succeeded": lazy_gettext("succeeded"),
        "failed": lazy_gettext("failed"),
        "dead": lazy_gettext("dead"),
    },
)
#: completeness badges (:func:`pim.web.display.ratio_level`) and translation states
register_words(
    "completeness",
    {
        "complete": lazy_gettext("complete"),
        "partial": lazy_gettext("partly complete"),
        "low": lazy_gettext("mostly incomplete"),
        "none": lazy_gettext("not measured"),
        "missing": lazy_gettext("missing"),
        "outdated": lazy_gettext("outdated"),
    },
)
