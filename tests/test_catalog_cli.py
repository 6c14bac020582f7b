"""``vitrine pim show | purge-history | check-completeness``."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import update

from pim.models import Completeness, Version
from pim.models.types import utcnow


def test_show_prints_the_standard_format_with_completeness(catalog, cli_runner):
    result = cli_runner.invoke(args=["pim", "show", "TS-CREW-RED-S"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["identifier"] == "TS-CREW-RED-S"
    assert data["values"]["color"][0]["data"] == "red"
    assert {
        "channel": "print",
        "locale": "fr_FR",
        "ratio": 66,
        "required": 3,
        "missing": ["name"],
    } in data["completeness"]


def test_show_model_and_errors(catalog, cli_runner):
    result = cli_runner.invoke(args=["pim", "show", "--model", "TS-CREW"])
    assert result.exit_code == 0 and json.loads(result.output)["code"] == "TS-CREW"
    missing = cli_runner.invoke(args=["pim", "show", "NOPE"])
    assert missing.exit_code == 1 and "product 'NOPE' does not exist" in missing.output
    neither = cli_runner.invoke(args=["pim", "show"])
    assert neither.exit_code == 2


def test_purge_history(catalog, cli_runner, db_session):
    db_session.execute(update(Version).values(created_at=utcnow() - timedelta(days=30)))
    result = cli_runner.invoke(args=["pim", "purge-history", "--older-than", "7d"])
    assert result.exit_code == 0 and "Deleted 0 versions" in result.output
    bad = cli_runner.invoke(args=["pim", "purge-history", "--older-than", "soon"])
    assert bad.exit_code == 2 and "use a positive number" in bad.output


def test_check_completeness_reports_and_fixes_drift(catalog, cli_runner, db_session):
    ok = cli_runner.invoke(args=["pim", "check-completeness"])
    assert ok.exit_code == 0 and "consistent" in ok.output
    db_session.execute(update(Completeness).values(ratio=7))
    drift = cli_runner.invoke(args=["pim", "check-completeness"])
    assert drift.exit_code == 1 and "differ from the data" in drift.output
    fixed = cli_runner.invoke(args=["pim", "check-completeness", "--fix"])
    assert fixed.exit_code == 0
    assert cli_runner.invoke(args=["pim", "check-completeness"]).exit_code == 0
