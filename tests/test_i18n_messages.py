"""Messages of the services, status words and the command line's help in the reader's
language: the signed-in user's, the API's Accept-Language, the environment's for the CLI.

The shipped catalogues are completed at the end of each feature, so these tests install a
few translations of their own (``extra``): they check that each message goes through the
catalogue of the right language, not the wording of a translation.
"""

from __future__ import annotations

import html
import io

import pytest
from catalogue_fakes import add_messages
from factories import value
from flask import render_template_string
from flask_babel import gettext

from pim import i18n
from pim.auth import issue_token
from pim.imports import jobs, profiles, report

FRENCH = {
    "%(value)s does not match the pattern %(pattern)s": (
        "%(value)s ne suit pas le motif %(pattern)s"
    ),
    "%(text)r is not a number": "%(text)r n'est pas un nombre",
    "in review": "en relecture",
    "running": "en cours",
    "disabled": "désactivé",
    "completeness under %(ratio)s%% for %(scope)s": "complétude sous %(ratio)s %% pour %(scope)s",
    "Create a user who can sign in to the UI.": "Créer un utilisateur qui peut se connecter.",
    "Display name.": "Nom affiché.",
}
GERMAN = {
    "%(value)s does not match the pattern %(pattern)s": (
        "%(value)s passt nicht zum Muster %(pattern)s"
    )
}


@pytest.fixture
def extra(monkeypatch):
    """French and German catalogues with the messages above (the app's and the CLI's)."""
    add_messages(monkeypatch, {"fr": FRENCH, "de": GERMAN})


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_french_users_form_error_is_french(extra, catalog, logged_in_client):
    client = logged_in_client("editor")
    client.post("/account/language", data={"ui_locale": "fr"})
    form = {"version": "1", "fields": ["v.ean.~.~"], "v.ean.~.~": "12AB"}

    response = client.post("/products/TS-CREW-RED-S?scope=ecommerce&locale=en_US", data=form)

    assert response.status_code == 422
    assert "'12AB' ne suit pas le motif" in _text(response)


def _profile(session):
    mapping = {
        "key": {"column": "SKU"},
        "fields": {"family": {"value": "tshirts"}},
        "values": [
            {
                "column": "Prix",
                "attribute": "price",
                "transforms": [{"op": "decimal_comma"}, {"op": "currency", "currency": "EUR"}],
            }
        ],
    }
    document = {"code": "fr-feed", "source": "supplier:fr", "reader": {"format": "csv"}}
    return profiles.save_profile(session, {**document, "label": "FR", "mapping": mapping})


def test_an_import_report_is_written_in_the_language_of_who_started_it(
    extra, catalog, db_session, logged_in_client
):
    _profile(db_session)
    client = logged_in_client("editor")
    client.post("/account/language", data={"ui_locale": "fr"})

    upload = client.post(
        "/imports",
        data={"profile": "fr-feed", "file": (io.BytesIO(b"SKU;Prix\nFR-1;abc\n"), "f.csv")},
        content_type="multipart/form-data",
    )

    page = _text(client.get(upload.headers["Location"]))
    assert "'abc' n'est pas un nombre" in page


def test_the_worker_writes_a_report_in_the_language_of_who_started_it(
    extra, catalog, db_session, make_user, tmp_path
):
    user = make_user(role="editor")
    user.ui_locale = "fr"
    path = tmp_path / "f.csv"
    path.write_bytes(b"SKU;Prix\nFR-1;abc\n")
    job = jobs.create_job(db_session, _profile(db_session), path, "f.csv", user=user)

    jobs.run_job(db_session, job.id, commit=False)  # no request: the worker

    assert [issue.reason for issue in report.issues(db_session, job)] == [
        "'abc' n'est pas un nombre"
    ]


def test_the_api_speaks_the_accept_language_not_the_profile_language(
    extra, catalog, client, db_session, make_user
):
    user = make_user(role="editor")
    user.ui_locale = "fr"
    token = issue_token(db_session, user, name="t")
    product = {"identifier": "BAD-1", "family": "tshirts", "values": {"ean": value("12AB")}}

    def post(**headers):
        response = client.post(
            "/api/v1/products",
            json=product,
            headers={"Authorization": f"Bearer {token}", **headers},
        )
        assert response.status_code == 422
        return next(e["message"] for e in response.get_json()["errors"])

    assert post(**{"Accept-Language": "de"}) == "'12AB' passt nicht zum Muster ^\\d{13}$"
    assert post() == "'12AB' does not match the pattern ^\\d{13}$"


def test_status_codes_read_as_words_in_the_ui_language(extra, app):
    template = (
        '{{ "in_review"|word("workflow") }}, {{ "running"|word("run") }}, {{ "x_y"|word("job") }}'
    )
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert render_template_string(template) == "en relecture, en cours, x y"
    with app.test_request_context():
        assert render_template_string(template) == "in review, running, x y"


def test_stored_exclusion_reasons_are_translated_when_shown(extra, app):
    from channels.pipeline import EXCLUSION_MESSAGES

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert EXCLUSION_MESSAGES.translate("disabled") == "désactivé"
        shown = EXCLUSION_MESSAGES.translate("completeness under 80% for ecommerce/fr_FR")
        assert shown == "complétude sous 80 % pour ecommerce/fr_FR"
        assert EXCLUSION_MESSAGES.translate("title: is required") == "title : est obligatoire"
        unknown = "a reason no message id says"  # shown as it was stored
        assert EXCLUSION_MESSAGES.translate(unknown) == unknown


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_FR.UTF-8", "LC_ALL": "de_DE.UTF-8"}, "de"),
        ({"LANG": "C.UTF-8", "LANGUAGE": "fr"}, None),
        ({"LANG": "en_GB.UTF-8", "LANGUAGE": "pt:es"}, "es"),
        ({"LC_MESSAGES": "ja_JP"}, None),
        ({}, None),
    ],
)
def test_the_command_lines_language_comes_from_the_environment(environ, language):
    assert i18n.environment_locale(environ) == language


def test_cli_help_follows_the_environment_language(extra, app):
    runner = app.test_cli_runner()

    french = runner.invoke(args=["users", "create", "--help"], env={"LANG": "fr_FR.UTF-8"})
    english = runner.invoke(args=["users", "create", "--help"], env={"LANG": "C.UTF-8"})

    assert "Créer un utilisateur qui peut se connecter." in french.output
    assert "Nom affiché." in french.output
    assert "Create a user who can sign in to the UI." in english.output
    assert "Display name." in english.output


def test_messages_outside_a_request_follow_the_environment(app, monkeypatch):
    assert gettext("unknown attribute %(code)s", code="x") == "unknown attribute x"  # no app
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    with app.app_context():
        assert i18n.select_locale() == "de"
    monkeypatch.setenv("LANG", "C.UTF-8")
    with app.app_context():
        assert i18n.select_locale() == "en"
