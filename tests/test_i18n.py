"""The interface language: chosen per user, else the browser's; the scripts' catalogue;
catalogues compiled at start; personal API tokens on the account page."""

from __future__ import annotations

import re

from pim.i18n import compile_catalogues, script_messages


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_the_browser_language_is_used_until_the_user_chooses(logged_in_client):
    client = logged_in_client("editor")
    assert html_lang(client.get("/account")) == "en"
    assert html_lang(client.get("/account", headers={"Accept-Language": "de-CH,de;q=0.9"})) == "de"
    assert html_lang(client.get("/account", headers={"Accept-Language": "pt-BR"})) == "en"

    saved = client.post("/account/language", data={"ui_locale": "it"})
    assert saved.status_code == 302
    french_browser = {"Accept-Language": "fr-FR,fr;q=0.9"}
    page = client.get("/account", headers=french_browser)
    assert html_lang(page) == "it"
    assert '<option value="it" lang="it" selected>italiano</option>' in page.get_data(as_text=True)

    client.post("/account/language", data={"ui_locale": ""})
    assert html_lang(client.get("/account", headers=french_browser)) == "fr"
    assert client.user.ui_locale is None


def test_an_unknown_language_is_refused(logged_in_client):
    client = logged_in_client("viewer")
    refused = client.post("/account/language", data={"ui_locale": "xx"})
    assert refused.status_code == 422
    assert "choose one of en, fr, de, it, es" in refused.get_data(as_text=True)
    assert client.user.ui_locale is None


def test_personal_tokens_are_shown_once_work_and_can_be_revoked(logged_in_client, client):
    browser = logged_in_client("editor")
    page = browser.post("/account/tokens", data={"name": "ERP sync"})
    assert page.status_code == 200
    token = re.search(r"<code data-new-token>(vtr_[^<]+)</code>", page.get_data(as_text=True))[1]
    api = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/products", headers=api).status_code == 200

    listed = browser.get("/account").get_data(as_text=True)
    assert "ERP sync" in listed and token not in listed  # only the prefix stays
    token_id = browser.user.tokens[0].id
    assert browser.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/products", headers=api).status_code == 401
    assert browser.post("/account/tokens", data={"name": " "}).status_code == 422


def test_a_supplier_has_no_api_tokens(logged_in_client):
    supplier = logged_in_client("supplier")
    assert "API tokens" not in supplier.get("/account").get_data(as_text=True)
    assert supplier.post("/account/tokens", data={"name": "x"}).status_code == 403
    assert supplier.user.tokens == []


def test_nobody_revokes_someone_elses_token(logged_in_client):
    owner = logged_in_client("editor")
    owner.post("/account/tokens", data={"name": "mine"})
    other = logged_in_client("editor")
    other.post(f"/account/tokens/{owner.user.tokens[0].id}/revoke")
    assert owner.user.tokens[0].revoked_at is None


def test_the_scripts_catalogue_is_an_external_script(client):
    english = client.get("/i18n/messages.en.js")
    assert english.status_code == 200
    assert english.mimetype == "text/javascript"
    body = english.get_data(as_text=True)
    assert body.startswith("window.vitrineCatalogue = {")
    assert '"plural": "default"' in body
    assert '"plural": "fr"' in client.get("/i18n/messages.fr.js").get_data(as_text=True)
    assert client.get("/i18n/messages.xx.js").status_code == 404
    # the messages the scripts ask for are read from static/js
    assert any(isinstance(m, tuple) for m in script_messages())
    assert len(script_messages()) > 20


def test_catalogues_are_compiled_when_they_change(tmp_path):
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgid "Save"\nmsgstr "Enregistrer"\n')
    assert compile_catalogues(tmp_path) == [folder / "messages.mo"]
    assert compile_catalogues(tmp_path) == []  # up to date
    mo = (folder / "messages.mo").read_bytes()
    assert b"Enregistrer" in mo


def test_pages_speak_the_chosen_language(logged_in_client):
    client = logged_in_client("editor")
    expected = {"fr": "Mon compte", "de": "Mein Konto", "it": "Il mio account", "es": "Mi cuenta"}
    for language, title in expected.items():
        page = client.get("/account", headers={"Accept-Language": language})
        assert f"<h1>{title}</h1>" in page.get_data(as_text=True), language
    # flash messages too
    client.post("/account/language", data={"ui_locale": "de"})
    page = client.get("/account").get_data(as_text=True)
    assert "Sprache der Oberfläche gespeichert." in page
