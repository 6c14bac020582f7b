"""Import profiles: the list, creation from a sample file, and the mapping editor.

Creating a profile takes two steps: upload a sample with the source and reader options
(:func:`import_profile_sample` keeps it and suggests a mapping with
:mod:`pim.imports.suggest`), then review the editor and save. The editor shows one *row*
per mapping rule or unmapped column, each with inputs named ``c<N>-<part>``::

    c3-column   the file's column           c3-target   "" (ignore), "@key", "@family"…
    c3-locale   c3-scope                    or an attribute code
    c3-trim  c3-split  c3-map  c3-option_label  c3-decimal_comma  c3-date  c3-unit
    c3-currency  c3-boolean  c3-concat (another column)  c3-concat_sep
    c3-transforms   JSON, for rules whose transforms the inputs cannot express
    c3-others       extra columns of such a rule

The form is turned back into a profile document and saved by
:func:`pim.imports.profiles.save_profile`; its problems are shown next to the inputs and
the page keeps everything the user typed. The sample stays referenced by its stored name
(``sample`` input) so that "Save and dry run" can import it without writing anything.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from pim.extensions import db
from pim.imports import jobs, profiles, suggest
from pim.imports.mapping import FIELDS
from pim.imports.readers import ReaderOptions, ReadError, sample
from pim.models import Role, User
from pim.services.errors import InvalidData, NotFound, Problem
from pim.services.structure_cache import Structure
from pim.web.blueprint import bp
from pim.web.imports import start_job
from pim.web.profile_editor import (
    DELIMITERS,
    ENTITIES,
    FORMATS,
    KEY,
    SAMPLE_NAME,
    SAMPLE_ROWS,
    SOURCE_KINDS,
    UNITS,
    Editor,
    EditorRow,
    rows_of,
)
from pim.web.security import require

#: How the fields a mapping can fill are named in the target select.
FIELD_LABELS = {
    "family": _l("Family"),
    "family_variant": _l("Family variant"),
    "parent": _l("Parent"),
    "categories": _l("Categories"),
    "enabled": _l("Enabled"),
}

# --- views ---------------------------------------------------------------------------------


@bp.get("/imports/profiles")
@require("import")
def import_profiles():
    """Every profile, with its source and members."""
    return render_template(
        "imports/profiles.html", profiles=profiles.visible_profiles(db.session, _user())
    )


@bp.get("/imports/profiles/new")
@require("import")
def import_profile_new():
    """Step 1: the sample file, the source and how to read the file."""
    return render_template("imports/profile_new.html", editor=Editor(), **_choices())


@bp.post("/imports/profiles/new")
@require("import")
def import_profile_sample():
    """Step 2: keep the sample, read its first rows and show the suggested mapping."""
    editor = Editor.from_form(request.form)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render_new(editor, _("Choose a sample file: its columns build the mapping."))
    path = jobs.keep_file(current_app.instance_path, upload.stream, upload.filename)
    try:
        columns, rows = _read_sample(path, editor.reader, upload.filename)
    except ValueError as error:
        path.unlink(missing_ok=True)
        return _render_new(editor, str(error))
    structure = Structure.current(db.session)
    mapping = suggest.suggest(columns, rows, structure, entity=editor.entity)
    document = editor.document(structure, {}, [])
    suggested = Editor.from_document({**document, "mapping": mapping}, columns, rows)
    suggested.sample, suggested.sample_name = path.name, upload.filename
    return _render_editor(suggested, None)


@bp.post("/imports/profiles")
@require("import")
def import_profile_create():
    """Save a new profile (and, on request, dry-run it on the sample)."""
    return _save(Editor.from_form(request.form), None)


@bp.get("/imports/profiles/<code>")
@require("import")
def import_profile(code: str):
    """The editor of a saved profile."""
    profile = _profile_or_404(code)
    editor = Editor.from_document(profiles.profile_document(profile))
    return _render_editor(editor, profile)


@bp.post("/imports/profiles/<code>")
@require("import")
def import_profile_save(code: str):
    """Save the edited profile (and, on request, dry-run it on the sample)."""
    profile = _profile_or_404(code)
    return _save(Editor.from_form(request.form, code=profile.code), profile)


@bp.post("/imports/profiles/<code>/sample")
@require("import")
def import_profile_resample(code: str):
    """Check a saved profile against a new sample: its rules kept, new columns suggested."""
    profile = _profile_or_404(code)
    document = profiles.profile_document(profile)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a sample file."), "error")
        return redirect(url_for("web.import_profile", code=code))
    path = jobs.keep_file(current_app.instance_path, upload.stream, upload.filename)
    try:
        columns, rows = _read_sample(path, profile.reader or {}, upload.filename)
    except ValueError as error:
        path.unlink(missing_ok=True)
        flash(str(error), "error")
        return redirect(url_for("web.import_profile", code=code))
    document["mapping"] = _merged(document["mapping"], columns, rows, profile.entity)
    editor = Editor.from_document(document, columns, rows)
    editor.sample, editor.sample_name = path.name, upload.filename
    return _render_editor(editor, profile)


def _merged(mapping: dict, columns: list[str], rows, entity: str) -> dict:
    """``mapping`` plus suggestions for the sample's columns it does not place."""
    placed = {c for row in rows_of(mapping, []) for c in row.columns if row.target}
    placed |= set(mapping.get("ignore") or [])
    new = [c for c in columns if c not in placed]
    if not new:
        return mapping
    structure = Structure.current(db.session)
    extra = suggest.suggest(new, rows, structure, entity=entity)
    merged = {**mapping, "values": [*(mapping.get("values") or []), *extra["values"]]}
    merged["ignore"] = [*(mapping.get("ignore") or []), *extra["ignore"]]
    merged["fields"] = {**extra["fields"], **(mapping.get("fields") or {})}
    if "key" not in mapping and "key" in extra:
        merged["key"] = extra["key"]
    return merged


def _save(editor: Editor, profile):
    """Validate and save; 422 with every problem and the user's input when refused."""
    structure = Structure.current(db.session)
    problems: list[Problem] = []
    kept_reader = (profile.reader or {}) if profile else {}
    document = editor.document(structure, kept_reader, problems)
    sample_path = _sample_path(editor.sample)
    try:
        saved = profiles.save_profile(db.session, document, profile)
    except InvalidData as invalid:
        problems += invalid.problems
    if problems:
        db.session.rollback()
        _reload_samples(editor, sample_path, kept_reader)
        return _render_editor(editor, profile, problems, 422)
    if request.form.get("action") == "dry_run" and sample_path is not None:
        name = editor.sample_name or sample_path.name
        return start_job(saved, sample_path, name, {"dry_run": True})
    db.session.commit()
    flash(_("Saved the import profile %(code)s.", code=saved.code), "success")
    return redirect(url_for("web.import_profile", code=saved.code))


def _read_sample(path: Path, reader: dict, filename: str):
    """Columns and first rows of a sample; ValueError with a sentence when unreadable."""
    options = {k: v for k, v in reader.items() if k in profiles.READER_FIELDS}
    if options.get("delimiter") == "tab":
        options["delimiter"] = "\t"
    try:
        columns, rows = sample(
            path, ReaderOptions(**options), rows=SAMPLE_ROWS, display_name=filename
        )
    except ReadError as error:
        raise ValueError(str(error)) from None
    except (LookupError, TypeError, ValueError) as error:
        raise ValueError(
            _(
                "The file %(name)s cannot be read with these options: %(error)s.",
                name=filename,
                error=error,
            )
        ) from None
    if not columns:
        raise ValueError(_("The file %(name)s has no columns.", name=filename))
    return columns, rows


def _sample_path(name: str) -> Path | None:
    """The kept sample a form refers to, if that name is one of ours and still there."""
    if not name or not SAMPLE_NAME.match(name):
        return None
    path = jobs.imports_dir(current_app.instance_path) / "files" / name
    return path if path.is_file() else None


def _reload_samples(editor: Editor, path: Path | None, kept_reader: dict) -> None:
    if path is None:
        return
    try:
        _, rows = _read_sample(path, {**kept_reader, **editor.reader}, editor.sample_name)
    except ValueError:
        return
    editor.add_samples(rows)


def _render_new(editor: Editor, error: str):
    page = render_template("imports/profile_new.html", editor=editor, error=error, **_choices())
    return page, 422


def _render_editor(editor: Editor, profile, problems=(), status: int = 200):
    structure = Structure.current(db.session)
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        by_field.setdefault(problem.field or "", []).append(problem.message)
    page = render_template(
        "imports/profile_edit.html",
        editor=editor,
        profile=profile,
        problems=list(problems),
        errors=by_field,
        row_errors=_row_errors(editor.rows, by_field.get("mapping", [])),
        structure=structure,
        targets=_targets(structure, editor.entity),
        suppliers=_suppliers(editor.members),
        **_choices(),
    )
    return page, status


def _row_errors(rows: list[EditorRow], messages: list[str]) -> dict[int, list[str]]:
    """Mapping problems shown next to the row they name (by column or attribute code)."""
    found = {}
    for index, row in enumerate(rows):
        names = [row.column] + ([row.target] if row.target and row.target[0] != "@" else [])
        mine = [m for m in messages if any(m.startswith(f"{n}:") or f"{n!r}" in m for n in names)]
        if mine:
            found[index] = mine
    return found


def _targets(structure: Structure, entity: str) -> list[tuple[str, str, object]]:
    """(value, label, attribute or None) of the target select, fields first."""
    key = _("Key (identifier)") if entity == "product" else _("Key (model code)")
    choices = [(KEY, key, None)]
    for name in FIELDS.get(entity, ()):
        label = FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()
        choices.append((f"@{name}", str(label), None))
    for code, attr in sorted(structure.attributes.items()):
        if attr.type != "identifier":
            choices.append((code, f"{attr.label()} ({code})", attr))
    return choices


def _suppliers(members: list[str]) -> list[tuple[str, str]]:
    """(e-mail, name) of supplier users, and of any other member already chosen."""
    users = db.session.scalars(
        select(User).where((User.role == Role.SUPPLIER) | User.email.in_(members or [""]))
    )
    return sorted((u.email, u.name or u.email) for u in users)


def _choices() -> dict:
    return {
        "source_kinds": SOURCE_KINDS,
        "entities": ENTITIES,
        "formats": FORMATS,
        "delimiters": DELIMITERS,
        "units": UNITS,
    }


def _profile_or_404(code: str):
    try:
        return profiles.get_profile(db.session, code)
    except NotFound:
        abort(404)


def _user():
    return current_user._get_current_object()
