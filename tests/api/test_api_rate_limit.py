"""Rate limits per token: a 429 problem with Retry-After past the budget, budgets shared
by all endpoints but not between tokens, and counters shared by workers through Redis."""

from __future__ import annotations

import uuid

import pytest
import redis

from pim import create_app
from pim.config import ConfigError, build_config

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def limit(app, monkeypatch):
    """Set the API's limit for one test (the limit is read at each request)."""

    def set_limit(value: str) -> None:
        monkeypatch.setitem(app.config, "API_RATE_LIMIT", value)

    return set_limit


def test_a_token_over_its_budget_gets_429_with_retry_after(api_as, limit, catalog):
    limit("3/minute")
    api = api_as("viewer")
    remaining = []
    for url in ("/api/v1/products", "/api/v1/product-models", "/api/v1/products/TS-CREW-RED-S"):
        response = api.get(url)
        assert response.status_code == 200, response.get_json()
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]

    refused = api.get("/api/v1/products")
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    body = refused.get_json()
    assert body["code"] == "too_many_requests"
    assert "3 per 1 minute" in body["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60

    # another token has its own budget
    assert api_as("viewer").get("/api/v1/products").status_code == 200


def test_requests_without_a_token_are_limited_by_address(client, limit):
    limit("2/minute")
    statuses = [client.get("/api/v1/products").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_pages_outside_the_api_are_not_limited(client, limit):
    limit("1/minute")
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 200]


def test_workers_share_counters_through_redis(tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail("Redis must run on 127.0.0.1:6379 for this test")
    address = f"10.{uuid.uuid4().int % 250}.0.1"  # a budget no other run shares

    def worker(name: str):
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                "INSTANCE_PATH": str(tmp_path / name),
                "SECRET_KEY": "x" * 32,
                "TESTING": True,
                "QUEUE_URL": "memory://",
                "SEARCH_URL": "memory://",
                "API_RATE_LIMIT": "3/minute",
                "RATE_LIMIT_URL": REDIS_URL,
            }
        )
        return app.test_client()

    first, second = worker("a"), worker("b")
    environ = {"REMOTE_ADDR": address}
    answers = [
        client.get("/api/v1/openapi.json", environ_base=environ).status_code
        for client in (first, second, first, second)
    ]
    assert answers == [200, 200, 200, 429]


@pytest.mark.parametrize("value", ["", "fast", "10/fortnight", "-1/minute"])
def test_a_malformed_limit_is_a_configuration_error(value, tmp_path):
    with pytest.raises(ConfigError, match="API_RATE_LIMIT"):
        build_config({"INSTANCE_PATH": str(tmp_path), "API_RATE_LIMIT": value or "  "})


def test_limits_can_be_turned_off(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "x" * 32,
            "TESTING": True,
            "QUEUE_URL": "memory://",
            "SEARCH_URL": "memory://",
            "API_RATE_LIMIT": "off",
        }
    )
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response.headers
