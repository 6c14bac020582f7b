"""Problem documents for every status, including those werkzeug has no exception for."""

from __future__ import annotations

import pytest

from pim.api.problems import MEDIA_TYPE, problem_response


@pytest.mark.parametrize(
    ("status", "code"),
    [(404, "not_found"), (502, "bad_gateway"), (504, "gateway_timeout"), (418, "i_m_a_teapot")],
)
def test_any_status_gets_a_problem_document(app, status, code):
    with app.test_request_context("/api/v1/products"):
        response = problem_response(status, "Something happened.")
    body = response.get_json()
    assert response.status_code == status
    assert response.mimetype == MEDIA_TYPE
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == "https://vitrine.dev/problems/" + code.replace("_", "-")
    assert body["detail"] == "Something happened."


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/webhooks/34359738368",
        "/api/v1/users/2147483648",
        "/api/v1/assets/99999999999/links",
        "/api/v1/feeds/csv/runs/2147483648",
    ],
)
def test_ids_beyond_what_the_database_holds_name_nothing(api_as, url):
    response = api_as("admin").get(url)
    assert response.status_code == 404
    assert response.mimetype == MEDIA_TYPE
