"""``/api/v1/import-profiles`` (list, get) and ``/api/v1/imports`` (upload a file through
a profile): the import screens of the UI over HTTP.

An upload is kept, a job is created and handed to the queue, and the answer is
``202 Accepted`` with the job (``/api/v1/jobs/import-<id>``) to follow. The roles are the
UI's: imports need ``import``; as for every API call, ``read`` too (suppliers, who have
``import`` without ``read``, use their portal).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select

from pim.api import API_PREFIX, auth
from pim.api.job_schemas import (
    ImportProfilePageSchema,
    ImportProfileSchema,
    ImportUploadSchema,
    JobSchema,
    PageArgs,
)
from pim.api.jobs import IMPORT_KIND, started
from pim.api.pagination import decode_cursor, next_url, paginate
from pim.api.problems import ApiError
from pim.api.resources import documented_errors, json_response
from pim.extensions import db
from pim.imports import jobs, profiles
from pim.imports.readers import detect_format
from pim.models import ImportProfile, Role, User
from pim.services.errors import InvalidData
from pim.web.imports import UPLOAD_LIMIT

MULTIPART = "multipart/form-data"
#: file name endings an import reads (the reader is chosen by the file's content)
EXTENSIONS = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".xml"}
#: bytes looked at to tell a text file from a binary one
SNIFF = 8192

profiles_blp = Blueprint(
    "import_profiles",
    __name__,
    url_prefix=f"{API_PREFIX}/import-profiles",
    description="Import profiles: how the files of one source map onto the catalogue.",
)
blp = Blueprint(
    "imports",
    __name__,
    url_prefix=f"{API_PREFIX}/imports",
    description="Upload a file to import through a profile; the job runs in the background.",
)


class UploadLimit:
    """The largest upload: the app's ``MAX_CONTENT_LENGTH``, as for the UI's uploads (read
    on the class by :func:`pim.api.check_body`)."""

    def __get__(self, instance, owner) -> int:
        return current_app.config.get("MAX_CONTENT_LENGTH") or UPLOAD_LIMIT


def profile_document(profile: ImportProfile) -> dict:
    """A profile as the service documents it, with its revision and last change."""
    updated = profile.updated_at
    return {
        **profiles.profile_document(profile),
        "revision": profile.revision,
        "updated_at": updated.isoformat() if updated else None,
    }


def _visible(user: User):
    query = select(ImportProfile)
    if user.role == Role.SUPPLIER:
        query = query.where(ImportProfile.members.any(User.id == user.id))
    return query


def usable_profile(session, code: str) -> ImportProfile:
    """The profile ``code`` if the user may use it; 404 otherwise (no hint it exists)."""
    profile = None
    if "\x00" not in code:
        profile = session.scalar(select(ImportProfile).where(ImportProfile.code == code))
    if profile is None or not jobs.may_use(auth.current_user(), profile):
        raise ApiError(404, f"import profile {code!r} does not exist.")
    return profile


@profiles_blp.route("")
class ImportProfileCollection(MethodView):
    permissions = {"GET": "import"}

    @profiles_blp.arguments(PageArgs, location="query", unknown=RAISE)
    @profiles_blp.response(200, ImportProfilePageSchema)
    @documented_errors(profiles_blp, 401, 403, 422)
    def get(self, args):
        """List import profiles

        The profiles your role may import through, in creation order.
        """
        rows, cursor = paginate(
            db.session,
            _visible(auth.current_user()),
            ImportProfile.id,
            after=decode_cursor(args.get("cursor")),
            limit=args["limit"],
        )
        items = [profile_document(profile) for profile in rows]
        return json_response({"items": items, "next": next_url(cursor)})


@profiles_blp.route("/<code>")
class ImportProfileItem(MethodView):
    permissions = {"GET": "import"}

    @profiles_blp.response(200, ImportProfileSchema)
    @documented_errors(profiles_blp, 401, 403, 404)
    def get(self, code):
        """Get an import profile"""
        return json_response(profile_document(usable_profile(db.session, code)))


@blp.route("")
class ImportCollection(MethodView):
    permissions = {"POST": "import"}
    accepts = {"POST": (MULTIPART,)}
    max_body = UploadLimit()

    @blp.arguments(ImportUploadSchema, location="form", content_type=MULTIPART, unknown=RAISE)
    @blp.response(202, JobSchema, description="Queued: follow Location")
    @documented_errors(blp, 401, 403, 413, 415, 422)
    def post(self, form):
        """Import a file

        ``multipart/form-data`` with ``file`` (CSV, XLSX or XML) and ``profile`` (its
        code); ``dry_run``, ``mode``, ``create`` and ``missing`` override the profile's
        options for this job. Answers 202 with the job and its ``Location``
        (``/api/v1/jobs/import-<id>``): poll it for progress and the report.
        """
        session = db.session
        upload = request.files.get("file")
        profile = _profile_or_422(session, form["profile"])
        _check_upload(upload, profile)
        path = jobs.keep_file(current_app.instance_path, upload.stream, upload.filename)
        try:
            _check_content(path, profile)
            job = jobs.create_job(
                session,
                profile,
                path,
                upload.filename,
                user=auth.current_user(),
                options=_options(form),
            )
        except (ApiError, InvalidData):
            session.rollback()
            path.unlink(missing_ok=True)
            raise
        session.commit()
        job_id = job.id
        jobs.enqueue(job)
        return started(session, IMPORT_KIND, job_id)


def _profile_or_422(session, code: str) -> ImportProfile:
    try:
        return usable_profile(session, code)
    except ApiError:
        raise _invalid("profile", f"unknown import profile {code!r}") from None


def _options(form: dict) -> dict:
    return {name: form.get(name) for name in ("mode", "missing", "create", "dry_run")}


def _check_upload(upload, profile: ImportProfile) -> None:
    """422 naming ``file`` for a missing, empty or unreadable kind of file."""
    if upload is None or not upload.filename:
        raise _invalid("file", "send the file to import in the field 'file'")
    if Path(upload.filename).suffix.lower() not in EXTENSIONS:
        known = ", ".join(sorted(EXTENSIONS))
        raise _invalid("file", f"{upload.filename!r} is not a file an import reads ({known})")
    upload.stream.seek(0, os.SEEK_END)
    size = upload.stream.tell()
    upload.stream.seek(0)
    if size == 0:
        raise _invalid("file", f"the file {upload.filename} is empty: there is nothing to import")


def _check_content(path: Path, profile: ImportProfile) -> None:
    """422 when the content is not what the profile reads (an image sent as CSV…)."""
    found = detect_format(path)
    expected = (profile.reader or {}).get("format")
    if expected and found != expected:
        raise _invalid(
            "file", f"profile {profile.code} reads {expected} files; this file is {found}"
        )
    if found == "csv":
        with open(path, "rb") as handle:
            head = handle.read(SNIFF)
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _invalid("file", "the file is not text: a CSV file was expected")


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        422, "The request has invalid fields.", errors=[{"field": field, "message": message}]
    )
