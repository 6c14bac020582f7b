"""Mapping profiles: saved per source ("ERP nightly", "Supplier ACME"), validated against
the catalogue before they are stored.

A profile document (what the CLI reads from JSON and the UI edits)::

    {"code": "acme", "label": "Supplier ACME", "source": "supplier:acme",
     "entity": "product", "reader": {"format": "csv", "delimiter": ";"},
     "mapping": {... see pim.imports.mapping ..., "options": {"create": true,
                 "mode": "skip", "missing": "ignore"}},
     "members": ["jane@acme.example"]}
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, fields

from flask_babel import gettext as _
from sqlalchemy import select

from pim.imports.engine import ImportOptions
from pim.imports.mapping import FIELDS, Mapper, MappingError
from pim.imports.readers import ReaderOptions
from pim.models import ImportProfile, Role, User
from pim.models.types import utcnow
from pim.services.errors import InvalidData, NotFound, Problem
from pim.services.structure_cache import Structure

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_SOURCE = re.compile(r"^(erp|plm|migration|supplier:[a-z0-9][a-z0-9_.-]{0,50})$")
READER_FIELDS = {f.name for f in fields(ReaderOptions)}


def get_profile(session, code: str) -> ImportProfile:
    """The profile ``code`` or :class:`NotFound`."""
    profile = session.scalar(select(ImportProfile).where(ImportProfile.code == code))
    if profile is None:
        raise NotFound(_("import profile %(code)r does not exist", code=code))
    return profile


def profile_document(profile: ImportProfile) -> dict:
    """The profile as the JSON document :func:`save_profile` accepts."""
    return {
        "code": profile.code,
        "label": profile.label,
        "source": profile.source,
        "entity": profile.entity,
        "reader": profile.reader,
        "mapping": profile.mapping,
        "members": sorted(user.email for user in profile.members),
    }


def save_profile(session, document: dict, profile: ImportProfile | None = None) -> ImportProfile:
    """Create (or update ``profile``) from a document; raises InvalidData listing problems."""
    problems = _problems(session, document, profile)
    if problems:
        raise InvalidData(_("import profile %(code)r", code=document.get("code")), problems)
    members = _members(session, document.get("members") or [], problems)
    if problems:
        raise InvalidData(_("import profile %(code)r", code=document.get("code")), problems)
    if profile is None:
        profile = ImportProfile(code=document["code"], revision=0)
        session.add(profile)
    same = same_mapping(profile.mapping or {}, document["mapping"])
    changed = not same or (profile.reader, profile.entity) != (
        document.get("reader") or {},
        document.get("entity", "product"),
    )
    profile.label = document.get("label") or document["code"]
    profile.source = document["source"]
    profile.entity = document.get("entity", "product")
    profile.reader = document.get("reader") or {}
    if not same:  # an equivalent mapping is kept as it was written
        profile.mapping = document["mapping"]
    profile.members = members
    profile.updated_at = utcnow()
    if changed:
        profile.revision = (profile.revision or 0) + 1  # stale row hashes: re-import all
    session.flush()
    return profile


#: Parameters a transform has when they are left out.
TRANSFORM_DEFAULTS = {"split": {"sep": ","}, "date": {"format": "%Y-%m-%d"}, "concat": {"sep": " "}}


def same_mapping(old: dict, new: dict) -> bool:
    """Whether two mappings mean the same (rule order and spelled-out defaults aside): an
    equivalent mapping keeps the profile's revision, so unchanged rows stay skipped."""
    return _canonical(old) == _canonical(new)


def _canonical(mapping: dict) -> str:
    def rule(item):
        if not isinstance(item, dict):
            return item
        item = dict(item)
        if item.get("columns") and len(item["columns"]) == 1:
            item["column"] = item.pop("columns")[0]
        item["transforms"] = [
            {**TRANSFORM_DEFAULTS.get(t.get("op"), {}), **t} if isinstance(t, dict) else t
            for t in item.get("transforms") or []
        ]
        return item

    shape = {
        "key": rule(mapping.get("key")),
        "fields": {name: rule(r) for name, r in (mapping.get("fields") or {}).items()},
        "values": sorted(json.dumps(rule(r), sort_keys=True) for r in mapping.get("values") or []),
        "ignore": sorted(mapping.get("ignore") or []),
        "auto": bool(mapping.get("auto")),
        "options": {**asdict(ImportOptions()), **(mapping.get("options") or {})},
    }
    extra = {k: v for k, v in mapping.items() if k not in shape}
    return json.dumps([shape, extra], sort_keys=True, default=str)


def _problems(session, document, profile) -> list[Problem]:
    if not isinstance(document, dict):
        return [Problem(_("a profile must be a JSON object"))]
    problems = []
    code = document.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(Problem(_("lower-case letters, digits, - and _ only"), field="code"))
    elif profile is None and session.scalar(
        select(ImportProfile.id).where(ImportProfile.code == code)
    ):
        problems.append(Problem(_("%(code)r is already used", code=code), field="code"))
    if not isinstance(document.get("source"), str) or not _SOURCE.match(document["source"]):
        problems.append(
            Problem(_("erp, plm, migration or supplier:NAME (lower-case)"), field="source")
        )
    entity = document.get("entity", "product")
    if entity not in FIELDS:
        problems.append(Problem(_("product or product_model"), field="entity"))
    problems += _reader_problems(document.get("reader") or {})
    if entity in FIELDS:
        problems += _mapping_problems(session, document.get("mapping"), entity)
    return problems


def _reader_problems(reader) -> list[Problem]:
    if not isinstance(reader, dict):
        return [Problem(_("must be an object"), field="reader")]
    unknown = sorted(set(reader) - READER_FIELDS)
    problems = [
        Problem(_("unknown reader option %(option)r", option=k), field="reader") for k in unknown
    ]
    if reader.get("format") not in (None, "csv", "xlsx", "xml"):
        problems.append(Problem(_("format must be csv, xlsx or xml"), field="reader"))
    if reader.get("format") == "xml" and not reader.get("record_tag"):
        problems.append(
            Problem(_("XML needs record_tag (the element of one product)"), field="reader")
        )
    if reader.get("encoding"):
        try:
            "".encode(reader["encoding"])
        except (LookupError, TypeError):
            problems.append(
                Problem(
                    _("unknown encoding %(encoding)r", encoding=reader["encoding"]), field="reader"
                )
            )
    return problems


def _mapping_problems(session, mapping, entity) -> list[Problem]:
    if not isinstance(mapping, dict):
        return [Problem(_("must be an object"), field="mapping")]
    problems = []
    try:
        Mapper(mapping, Structure.current(session), entity)
    except MappingError as error:
        problems += [Problem(p, field="mapping") for p in error.problems]
    try:
        ImportOptions.from_dict(mapping.get("options"))
    except (ValueError, TypeError) as error:
        problems.append(Problem(str(error), field="options"))
    return problems


def _members(session, emails, problems) -> list[User]:
    users = list(session.scalars(select(User).where(User.email.in_(emails)))) if emails else []
    unknown = sorted(set(emails) - {u.email for u in users})
    if unknown:
        problems.append(
            Problem(_("unknown users: %(unknown)s", unknown=", ".join(unknown)), field="members")
        )
    return users


def visible_profiles(session, user: User) -> list[ImportProfile]:
    """The profiles a user may use: all for staff, their own for suppliers."""
    query = select(ImportProfile).order_by(ImportProfile.label)
    if user.role == Role.SUPPLIER:
        query = query.where(ImportProfile.members.any(User.id == user.id))
    return list(session.scalars(query))


def delete_profile(session, profile: ImportProfile) -> None:
    """Delete a profile (its jobs and reports stay, detached)."""
    session.delete(profile)
    session.flush()
