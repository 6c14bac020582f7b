"""The application's own language: Flask-Babel with catalogues in ``translations/``.

The UI speaks English, French, German, Italian and Spanish. Each user picks a language on
their profile (``User.ui_locale``); without a choice, the browser's ``Accept-Language``
decides, then English. Strings go through ``gettext`` / ``_`` (Python), ``{{ _("…") }}``
(templates) and, for scripts, ``_()`` of ``static/js/i18n.js`` fed by the catalogue script
``/i18n/messages.<lang>.js`` (an external script: the CSP allows no inline one); numbers, prices,
dates and units are formatted for the same locale by the functions of
:mod:`pim.web.display`.

Catalogues: ``translations/<lang>/LC_MESSAGES/messages.po`` (edited, committed) are
compiled to ``.mo`` by :func:`compile_catalogues` when the app starts and is older than
its ``.po`` (the run and test commands therefore always use current catalogues). The
``pybabel`` workflow is in the README.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from pathlib import Path

from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, abort, current_app, has_request_context, json, request
from flask_babel import Babel, force_locale, get_locale, get_translations

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
SCRIPTS_DIR = PROJECT_ROOT / "static" / "js"
#: The UI's languages, English (the source) first.
UI_LOCALES = ("en", "fr", "de", "it", "es")
DEFAULT_UI_LOCALE = "en"


def init_app(app: Flask) -> None:
    """Compile the catalogues if needed, install Flask-Babel with the locale selector and
    serve the scripts' catalogue."""
    compile_catalogues(TRANSLATIONS_DIR)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_UI_LOCALE)
    Babel(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.add_template_global(current_locale, "current_locale")


def select_locale() -> str:
    """The signed-in user's language, else the browser's best match, else English."""
    from flask_login import current_user

    chosen = getattr(current_user, "ui_locale", None) if current_user else None
    if chosen in UI_LOCALES:
        return chosen
    if has_request_context():
        return request.accept_languages.best_match(UI_LOCALES) or DEFAULT_UI_LOCALE
    return DEFAULT_UI_LOCALE


def compile_catalogues(folder: Path) -> list[Path]:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older; return those
    compiled. Fuzzy entries are left out, as ``pybabel compile`` does."""
    compiled = []
    for po_path in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parts[-3])
        except (OSError, ValueError) as error:  # a broken catalogue must not stop the app
            log.warning(
                "translations: %s is not a valid catalogue (%s); kept the old one", po_path, error
            )
            continue
        tmp = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        tmp.replace(mo_path)  # atomic: a concurrent start reads the old or the new file
        compiled.append(mo_path)
    return compiled


@cache
def script_messages(folder: Path = SCRIPTS_DIR) -> tuple:
    """The messages the scripts ask for: ``_("…")`` as strings, ``ngettext("…", "…", n)``
    as (singular, plural) pairs; read once per process."""
    found = {}
    for path in sorted(folder.glob("*.js")):
        with path.open("rb") as handle:
            for _line, message, _comments, _context in extract("javascript", handle):
                found[message] = None
    return tuple(found)


def current_locale() -> str:
    """The UI language of this request (``fr``), for ``<html lang>`` and formatting."""
    return str(get_locale() or DEFAULT_UI_LOCALE)


bp = Blueprint("i18n", __name__, url_prefix="/i18n")


@bp.get("/messages.<lang>.js")
def catalogue_script(lang: str):
    """The scripts' messages in ``lang`` as ``window.vitrineCatalogue = {…}``."""
    if lang not in UI_LOCALES:
        abort(404)
    with force_locale(lang):
        body = "window.vitrineCatalogue = " + json.dumps(js_catalogue()) + ";\n"
    response = current_app.response_class(body, mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


def js_catalogue() -> dict:
    """The scripts' catalogue in the current language (see ``static/js/i18n.js``)."""
    translations = get_translations()
    messages = {}
    for message in script_messages():
        if isinstance(message, tuple):
            singular, plural = message[:2]
            forms = [translations.ngettext(singular, plural, n) for n in (1, 2)]
            messages[singular] = forms
        else:
            messages[message] = translations.gettext(message)
    language = current_locale().split("_")[0]
    return {"messages": messages, "plural": "fr" if language == "fr" else "default"}
