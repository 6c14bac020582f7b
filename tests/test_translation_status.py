"""Outdated-translation detection: stamps follow writes, status per locale."""

from __future__ import annotations

from types import SimpleNamespace

from pim.services.translation_status import confirm, item_status, restamp, source_hash

ATTRIBUTES = {
    "name": SimpleNamespace(localizable=True, type="text"),
    "description": SimpleNamespace(localizable=True, type="textarea"),
    "care-notes": SimpleNamespace(localizable=True, type="textarea"),
    "color": SimpleNamespace(localizable=False, type="simple_select"),
    "size_label": SimpleNamespace(localizable=True, type="simple_select"),
}
CODES = list(ATTRIBUTES)
SRC = "en_US"


def v(**by_locale):
    return [{"locale": loc, "scope": None, "data": data} for loc, data in by_locale.items()]


def status(values, stamps, locales=("fr_FR", "de_DE")):
    result = item_status(values, stamps, ATTRIBUTES, CODES, (SRC, *locales), SRC)
    return {loc: (s.state, s.missing, s.outdated) for loc, s in result.items()}


def test_a_translation_goes_outdated_when_its_source_changes_and_back_when_updated():
    before = {"name": v(en_US="Tee")}
    after = {"name": v(en_US="Tee", fr_FR="T-shirt")}
    stamps = restamp({}, before, after, ATTRIBUTES, SRC)
    assert stamps == {"name-fr_FR": {"from": "en_US", "hash": source_hash("Tee")}}
    assert status(after, stamps)["fr_FR"] == ("complete", [], [])
    assert status(after, stamps)["de_DE"] == ("missing", ["name-de_DE"], [])

    changed = {"name": v(en_US="Organic tee", fr_FR="T-shirt")}
    stamps = restamp(stamps, after, changed, ATTRIBUTES, SRC)
    assert status(changed, stamps)["fr_FR"] == ("outdated", [], ["name-fr_FR"])

    fixed = {"name": v(en_US="Organic tee", fr_FR="T-shirt bio")}
    stamps = restamp(stamps, changed, fixed, ATTRIBUTES, SRC)
    assert status(fixed, stamps)["fr_FR"] == ("complete", [], [])


def test_whitespace_only_source_edits_do_not_outdate():
    values = {"name": v(en_US="Tee  shirt", fr_FR="T-shirt")}
    stamps = restamp({}, {}, values, ATTRIBUTES, SRC)
    edited = {"name": v(en_US=" Tee shirt\n", fr_FR="T-shirt")}
    stamps = restamp(stamps, values, edited, ATTRIBUTES, SRC)
    assert status(edited, stamps)["fr_FR"][0] == "complete"


def test_writing_source_and_translation_together_keeps_them_current():
    values = {"description": v(en_US="<p>Soft</p>", fr_FR="<p>Doux</p>")}
    stamps = restamp({}, {}, values, ATTRIBUTES, SRC)
    both = {"description": v(en_US="<p>Very soft</p>", fr_FR="<p>Très doux</p>")}
    stamps = restamp(stamps, values, both, ATTRIBUTES, SRC)
    assert status(both, stamps)["fr_FR"][0] == "complete"


def test_confirm_marks_an_outdated_translation_current_without_changing_it():
    values = {"care-notes": v(en_US="Wash cold", fr_FR="Laver à froid")}
    stamps = restamp({}, {}, values, ATTRIBUTES, SRC)
    changed = {"care-notes": v(en_US="Wash at 30°", fr_FR="Laver à froid")}
    stamps = restamp(stamps, values, changed, ATTRIBUTES, SRC)
    assert status(changed, stamps)["fr_FR"][2] == ["care-notes-fr_FR"]
    stamps = confirm(stamps, changed, ["care-notes-fr_FR", "care-notes-xx_XX"], SRC)
    assert status(changed, stamps)["fr_FR"] == ("complete", [], [])
    assert "care-notes-xx_XX" not in stamps


def test_removed_translations_lose_their_stamp_and_count_as_missing():
    values = {"name": v(en_US="Tee", fr_FR="T-shirt")}
    stamps = restamp({}, {}, values, ATTRIBUTES, SRC)
    removed = {"name": v(en_US="Tee")}
    stamps = restamp(stamps, values, removed, ATTRIBUTES, SRC)
    assert stamps == {}
    assert status(removed, stamps)["fr_FR"] == ("missing", ["name-fr_FR"], [])


def test_unstamped_translations_count_as_current_until_their_source_changes():
    legacy = {"name": v(en_US="Tee", fr_FR="T-shirt")}
    assert status(legacy, {})["fr_FR"][0] == "complete"
    changed = {"name": v(en_US="Organic tee", fr_FR="T-shirt")}
    stamps = restamp({}, legacy, changed, ATTRIBUTES, SRC)
    assert status(changed, stamps)["fr_FR"][0] == "outdated"


def test_only_localizable_texts_with_a_source_count():
    values = {
        "color": [{"locale": None, "scope": None, "data": "red"}],  # not localizable
        "size_label": v(en_US="s"),  # a select, not a text
        "description": v(fr_FR="Seulement en français"),  # no source text yet
    }
    stamps = restamp({}, {}, values, ATTRIBUTES, SRC)
    assert stamps == {"description-fr_FR": {"from": "en_US", "hash": source_hash("")}}
    assert status(values, stamps)["de_DE"] == ("complete", [], [])
    # once the source is written, the French text (made without one) needs a look
    sourced = {**values, "description": v(en_US="Only in French", fr_FR="Seulement en français")}
    stamps = restamp(stamps, values, sourced, ATTRIBUTES, SRC)
    assert status(sourced, stamps)["fr_FR"] == ("outdated", [], ["description-fr_FR"])


def test_scoped_values_are_compared_with_the_source_of_the_same_channel():
    def scoped(locale, scope, data):
        return {"locale": locale, "scope": scope, "data": data}

    values = {
        "description": [
            scoped("en_US", "ecommerce", "Web text"),
            scoped("en_US", "print", "Print text"),
            scoped("fr_FR", "ecommerce", "Texte web"),
            scoped("fr_FR", "print", "Texte imprimé"),
        ]
    }
    stamps = restamp({}, {}, values, ATTRIBUTES, SRC)
    changed = {"description": [dict(e) for e in values["description"]]}
    changed["description"][1]["data"] = "New print text"
    stamps = restamp(stamps, values, changed, ATTRIBUTES, SRC)
    assert status(changed, stamps, ("fr_FR",))["fr_FR"] == (
        "outdated",
        [],
        ["description-fr_FR-print"],
    )
