"""NDJSON batch upserts: one status line per input line, each line on its own."""

from __future__ import annotations

import json

from pim.services import history, products

URL = "/api/v1/products"


def value(data, locale=None, scope=None):
    return [{"locale": locale, "scope": scope, "data": data}]


def _lines(response) -> list[dict]:
    assert response.headers["Content-Type"] == "application/x-ndjson"
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def test_one_bad_line_among_1000_leaves_the_others_applied(api, catalog, db_session):
    lines = [{"identifier": f"B-{n:04}", "values": {"washable": value(True)}} for n in range(1000)]
    lines[500] = {"identifier": "B-0500", "values": {"nope": value("x")}}
    response = api.ndjson(URL, lines)
    assert response.status_code == 200
    statuses = _lines(response)
    assert len(statuses) == 1000
    assert statuses[500]["status_code"] == 422
    assert statuses[500]["identifier"] == "B-0500"
    assert statuses[500]["errors"][0]["field"] == "values.nope"
    assert {s["status_code"] for i, s in enumerate(statuses) if i != 500} == {201}
    assert [s["line"] for s in statuses] == list(range(1, 1001))
    assert api.get(f"{URL}/B-0999").status_code == 200
    assert api.get(f"{URL}/B-0500").status_code == 404


def test_each_line_reports_its_own_outcome(api, catalog, db_session):
    response = api.ndjson(
        URL,
        [
            {"identifier": "N-1", "family": "tshirts", "values": {"color": value("red")}},
            '{"identifier": "N-2", "family": ',  # malformed JSON
            "",  # blank lines are skipped but counted
            {"identifier": "TS-CREW-RED-S", "enabled": False},  # update
            {"identifier": "N-3", "family": "nope"},  # unknown family
            {"family": "tshirts"},  # no identifier
            {"identifier": "N-1", "family": "tshirts", "values": {"color": value("red")}},  # same
            '["not", "an", "object"]',
            {"identifier": "N-4", "values": {"name": value("bad\x00nul", "en_US")}},
        ],
    )
    assert response.status_code == 200
    by_line = {s["line"]: s for s in _lines(response)}
    assert sorted(by_line) == [1, 2, 4, 5, 6, 7, 8, 9]
    assert by_line[1]["status_code"] == 201
    assert by_line[2]["status_code"] == 400
    assert by_line[4]["status_code"] == 204
    assert by_line[5]["status_code"] == 422
    assert by_line[5]["errors"] == [{"field": "family", "message": "unknown family 'nope'"}]
    assert by_line[6]["status_code"] == 422
    assert by_line[6]["errors"][0]["field"] == "identifier"
    assert by_line[7]["status_code"] == 204
    assert by_line[7]["version"] == by_line[1]["version"]  # idempotent: nothing changed
    assert by_line[8]["status_code"] == 422
    assert by_line[9]["status_code"] == 422
    assert products.get_product(db_session, "TS-CREW-RED-S").enabled is False
    n1 = products.get_product(db_session, "N-1")
    assert len(history.list_versions(db_session, "product", n1.id)) == 1


def test_more_than_1000_lines_is_a_413_and_nothing_is_applied(api, catalog):
    lines = [{"identifier": f"X-{n}"} for n in range(1001)]
    response = api.ndjson(URL, lines)
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"
    assert api.get(f"{URL}/X-0").status_code == 404


def test_a_batch_must_be_ndjson_and_a_single_patch_json(api, catalog):
    as_json = api.patch(URL, [{"identifier": "J-1"}])
    assert as_json.status_code == 415
    as_ndjson = api.open(
        "PATCH",
        f"{URL}/TS-CREW-RED-S",
        data=b'{"enabled": false}',
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert as_ndjson.status_code == 415


def test_product_models_batch(api, catalog):
    response = api.ndjson(
        "/api/v1/product-models",
        [
            {
                "code": "POLO",
                "family_variant": "tshirts_color_size",
                "values": {"name": value("Polo", "en_US")},
            },
            {"code": "POLO-BLUE", "parent": "POLO", "values": {"color": value("blue")}},
            {"code": "POLO-BLUE-2", "parent": "POLO", "values": {"color": value("blue")}},
            {"code": "TS-CREW", "family_variant": "tshirts_color_size"},
        ],
    )
    statuses = [(s["code"], s["status_code"]) for s in _lines(response)]
    assert statuses == [("POLO", 201), ("POLO-BLUE", 201), ("POLO-BLUE-2", 422), ("TS-CREW", 204)]
