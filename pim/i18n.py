"""The application's own language: Flask-Babel with catalogues in ``translations/``.

The UI speaks English, French, German, Italian and Spanish. Each user picks a language on
their profile (``User.ui_locale``); without a choice, the browser's ``Accept-Language``
decides, then English. Strings go through ``gettext`` / ``_`` (Python), ``{{ _("…") }}``
(templates) and, for scripts, ``_()`` of ``static/js/i18n.js`` fed by the catalogue script
``/i18n/messages.<lang>.js`` (an external script: the CSP allows no inline one); numbers, prices,
dates and units are formatted for the same locale by the functions of
:mod:`pim.web.display`.

The REST API follows ``Accept-Language`` only. Without a request (the command line, the
worker) the environment's language decides (``LANG=fr_FR.UTF-8``, see
:func:`environment_locale`); a job stores its report in the language of the user who started
it (:func:`language_of`), and texts stored in English for everyone (a feed run's exclusion
reasons) are translated when shown (:class:`StoredMessages`). The command line's help
follows the environment too (:func:`localize_cli`).

Catalogues: ``translations/<lang>/LC_MESSAGES/messages.po`` (edited, committed) are
compiled to ``.mo`` by :func:`compile_catalogues` when the app starts and is older than
its ``.po`` (the run and test commands therefore always use current catalogues). The
``pybabel`` workflow is in the README.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from functools import cache
from pathlib import Path

import click
from babel import support
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    has_app_context,
    has_request_context,
    json,
    request,
)
from flask_babel import Babel, force_locale, get_locale, get_translations, gettext
from flask_babel.speaklater import LazyString

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
    localize_cli(app.cli)


def select_locale() -> str:
    """The signed-in user's language, else the browser's best match, else English. The REST
    API follows ``Accept-Language`` only; without a request (the CLI, the worker) the
    environment's language decides (``LANG=fr_FR.UTF-8``)."""
    from flask_login import current_user

    if not has_request_context():
        return environment_locale() or DEFAULT_UI_LOCALE
    api = request.path.startswith("/api/")  # the API follows Accept-Language only
    chosen = getattr(current_user, "ui_locale", None) if current_user and not api else None
    if chosen in UI_LOCALES:
        return chosen
    return request.accept_languages.best_match(UI_LOCALES) or DEFAULT_UI_LOCALE


def environment_locale(environ=None) -> str | None:
    """The UI language the process environment asks for, as gettext reads it: ``LC_ALL``,
    then ``LC_MESSAGES``, then ``LANG`` name the locale (``C``/``POSIX``: English), and
    ``LANGUAGE`` (``fr:de``) may list preferred languages for a locale other than C."""
    environ = os.environ if environ is None else environ
    locale = next((environ[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(k)), "")
    if _language(locale) in ("c", "posix"):
        return None
    for part in (environ.get("LANGUAGE") or "").split(":") + [locale]:
        if _language(part) in UI_LOCALES:
            return _language(part)
    return None


def _language(name: str) -> str:
    """``fr_FR.UTF-8@euro`` → ``fr``."""
    return name.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()


def language_of(user) -> contextlib.AbstractContextManager:
    """Speak ``user``'s chosen UI language in the block (a job run by the worker writes its
    report in the language of the user who started it); unchanged without a choice."""
    chosen = getattr(user, "ui_locale", None)
    if chosen in UI_LOCALES and has_app_context():
        return force_locale(chosen)
    return contextlib.nullcontext()


def cli_gettext(message: str) -> str:
    """``message`` in the environment's language (the command line has no request, and
    click may format help without an application context)."""
    language = environment_locale() or DEFAULT_UI_LOCALE
    if language == DEFAULT_UI_LOCALE:
        return message
    return _cli_catalogue(language).ugettext(message)


@cache
def _cli_catalogue(language: str) -> support.NullTranslations:
    return support.Translations.load(str(TRANSLATIONS_DIR), [language])


def localize_cli(group: click.Group) -> None:
    """Show the help of ``group``'s commands in the environment's language.

    Click keeps a command's help as given but runs an option's help through
    ``inspect.cleandoc`` when the option is made, so ``lazy_gettext`` alone would freeze it
    in English. Each command is therefore adjusted when the group hands it out: its help
    texts (English, the message ids marked with ``_l`` in the CLI modules) become lazy
    strings translated when the help is formatted. Idempotent; sub-groups are handled the
    same way.
    """
    if getattr(group, "_vitrine_localized", False):
        return
    fetch = group.get_command

    def get_command(ctx, name):
        command = fetch(ctx, name)
        if command is not None:
            _localize_command(command)
        return command

    group.get_command = get_command
    group._vitrine_localized = True
    _localize_command(group)


def _localize_command(command: click.Command) -> None:
    for name in ("help", "short_help", "epilog"):
        setattr(command, name, _cli_text(getattr(command, name, None)))
    for param in command.params:
        if isinstance(param, click.Option) and param.help and not hasattr(param, "_msgid"):
            param._msgid = _message_id(param.help)
            param.get_help_record = _translating(param.get_help_record, param)
    if isinstance(command, click.Group):
        localize_cli(command)


def _translating(get_help_record, option: click.Option):
    """An option's ``get_help_record`` that first sets its help in today's language (click
    wants a real string there)."""

    def translated(ctx):
        option.help = cli_gettext(option._msgid)
        return get_help_record(ctx)

    return translated


def _message_id(text) -> str:
    """The English text of a help: the message id of a ``lazy_gettext``, else itself."""
    return text._args[0] if isinstance(text, LazyString) else str(text)


def _cli_text(text):
    if text is None or (isinstance(text, LazyString) and text._func is cli_gettext):
        return text
    return LazyString(cli_gettext, _message_id(text))


def N_(message: str) -> str:  # noqa: N802 - the name pybabel extracts by default
    """Mark ``message`` for the catalogue without translating it (stored English texts
    that :class:`StoredMessages` translates when they are shown)."""
    return message


def english(message: str, **params) -> str:
    """``message`` filled in, untranslated: the stable English text kept in the database."""
    return message % params if params else message


class StoredMessages:
    """Translate, when shown, English texts stored by a process without a reader (a feed
    run's exclusion reasons): each text is matched against the message ids it may have
    come from, and translated with the values it holds. Unknown texts are shown as they
    are; a placeholder value that is itself a known message is translated too."""

    def __init__(self, messages) -> None:
        self._patterns = [(message, _pattern(message)) for message in messages]

    def translate(self, text: str) -> str:
        """``text`` in the current language (as it is when no message id matches)."""
        translated = self._translated(text)
        return text if translated is None else translated

    def _translated(self, text: str) -> str | None:
        for message, pattern in self._patterns:
            found = pattern.fullmatch(text)
            if found is None:
                continue
            params = {k: self._part(v) for k, v in found.groupdict().items()}
            return gettext(message, **params) if params else gettext(message)
        return None

    def _part(self, value: str) -> str:
        """A placeholder's value: known messages joined by ``; `` (a list of problems), else
        one known message holding ``; ``, else the pieces, each translated if known."""
        pieces = value.split("; ")
        found = [self._translated(piece) for piece in pieces]
        if len(pieces) > 1 and None in found:
            whole = self._translated(value)
            if whole is not None:
                return whole
        return "; ".join(
            piece if done is None else done for piece, done in zip(pieces, found, strict=True)
        )


def _pattern(message: str) -> re.Pattern:
    parts = re.split(r"(%\(\w+\)[sdr])", message)
    regex = "".join(
        f"(?P<{part[2:-2]}>.+?)" if part.startswith("%(") else re.escape(part.replace("%%", "%"))
        for part in parts
    )
    return re.compile(regex, re.DOTALL)


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
