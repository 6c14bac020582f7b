"""Property-based run of the OpenAPI document with schemathesis: for every operation,
generated requests (valid ones, then invalid ones) never get a server error, and every
answer matches what the document says (status codes, content types, response schemas).

Bounded: ``VITRINE_FUZZ_EXAMPLES`` examples per operation and mode (default 3; raise it
for a longer hunt), generated deterministically, so the run takes seconds and repeats the
same way.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pim.auth import issue_token

EXAMPLES = int(os.environ.get("VITRINE_FUZZ_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schemathesis.serializer("application/x-ndjson")
def ndjson(_context, value) -> dict:
    """A batch body: the generated item (or items) as JSON lines."""
    items = value if isinstance(value, list) else [value]
    lines = (json.dumps(item, default=str) for item in items)
    return {"data": "".join(line + "\n" for line in lines).encode()}


def test_no_operation_answers_a_server_error_or_breaks_its_schema(
    app, client, db_session, make_user, catalog
):
    token = issue_token(db_session, make_user(role="admin"), name="fuzz")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10  # the document lists the resources
    failures = []
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            try:
                _exercise(operation, mode, client, headers)
            except Exception as error:  # noqa: BLE001 - collect every operation's failure
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)


def _exercise(operation, mode, client, headers) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(session=client, headers=headers)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.fixture(autouse=True)
def _quiet_hypothesis(monkeypatch):
    """Hypothesis reads its own profile from the environment; this test sets its settings."""
    monkeypatch.delenv("HYPOTHESIS_PROFILE", raising=False)
