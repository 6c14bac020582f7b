"""``vitrine users …`` and the first start of ``vitrine serve``."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from pim import cli
from pim.auth import authenticate, user_for_token
from pim.models import ApiToken, User


def user_named(session, email):
    return session.scalar(select(User).where(User.email == email))


def test_create_with_a_password_option(cli_runner, db_session):
    result = cli_runner.invoke(
        args=["users", "create", "Ada@Example.com", "--role", "admin", "--password", "s3cret-pw"]
    )
    assert result.exit_code == 0, result.output
    assert "Created user ada@example.com (admin)" in result.output
    user = authenticate(db_session, "ada@example.com", "s3cret-pw")
    assert user is not None and user.role == "admin"


def test_create_prompts_for_the_password_twice(cli_runner, db_session):
    result = cli_runner.invoke(
        args=["users", "create", "tom@example.com", "--role", "translator", "--name", "Tom"],
        input="long enough\nlong enough\n",
    )
    assert result.exit_code == 0, result.output
    assert "long enough" not in result.output  # hidden input
    user = authenticate(db_session, "tom@example.com", "long enough")
    assert (user.role, user.name) == ("translator", "Tom")


def test_duplicate_email_is_refused(cli_runner, db_session, make_user):
    make_user(email="ada@example.com")
    result = cli_runner.invoke(
        args=["users", "create", "ADA@example.com", "--role", "viewer", "--password", "whatever1"]
    )
    assert result.exit_code == 1
    assert "a user with e-mail ada@example.com already exists" in result.output
    assert user_named(db_session, "ada@example.com").role == "editor"


def test_unknown_role_is_refused(cli_runner, db_session):
    result = cli_runner.invoke(
        args=["users", "create", "x@example.com", "--role", "owner", "--password", "whatever1"]
    )
    assert result.exit_code == 2
    assert "'owner' is not one of" in result.output
    assert user_named(db_session, "x@example.com") is None


def test_short_password_is_refused(cli_runner, db_session):
    result = cli_runner.invoke(
        args=["users", "create", "x@example.com", "--role", "editor", "--password", "short"]
    )
    assert result.exit_code == 1
    assert "password must be at least 8 characters long" in result.output
    assert user_named(db_session, "x@example.com") is None


def test_token_is_printed_once_and_only_its_hash_is_stored(cli_runner, db_session, make_user):
    user = make_user(email="erp@example.com")
    result = cli_runner.invoke(args=["users", "token", "erp@example.com", "--name", "erp-sync"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n" and token.startswith("vtr_")
    row = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.name == "erp-sync" and token.startswith(row.prefix) and row.prefix != token
    assert user_for_token(db_session, token) == user


def test_revoked_tokens_stop_working(cli_runner, db_session, make_user):
    make_user(email="erp@example.com")
    tokens = [
        cli_runner.invoke(args=["users", "token", "erp@example.com"]).stdout.strip()
        for _ in range(2)
    ]
    result = cli_runner.invoke(args=["users", "revoke-tokens", "erp@example.com"])
    assert result.exit_code == 0, result.output
    assert "Revoked 2 tokens of erp@example.com" in result.output
    assert [user_for_token(db_session, token) for token in tokens] == [None, None]


@pytest.mark.parametrize("command", ["token", "revoke-tokens"])
def test_unknown_user_is_an_error(cli_runner, command):
    result = cli_runner.invoke(args=["users", command, "nobody@example.com"])
    assert result.exit_code == 1
    assert "no user with e-mail nobody@example.com" in result.output


def test_list_users(cli_runner, make_user):
    assert "No users yet." in cli_runner.invoke(args=["users", "list"]).output
    make_user(email="b@example.com", role="viewer")
    make_user(email="a@example.com", role="admin", name="Ann")
    lines = cli_runner.invoke(args=["users", "list"]).output.splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["a@example.com", "admin", "active"],
        ["b@example.com", "viewer", "active"],
    ]
    assert lines[0].endswith("Ann")


@pytest.fixture
def serve(app, cli_runner, monkeypatch):
    """Run ``vitrine serve`` without serving; returns (result, calls to load_demo)."""
    served, demo_loads = [], []
    monkeypatch.setattr(cli, "run_simple", lambda *args, **kwargs: served.append(kwargs))

    def load_demo(session):
        demo_loads.append(session)
        return {"products": 12, "product_models": 3}

    monkeypatch.setattr("pim.demo.load_demo", load_demo, raising=False)

    def run(*args):
        result = cli_runner.invoke(args=["serve", *args])
        assert result.exit_code == 0, result.output
        assert served.pop() == {"threaded": True, "use_reloader": False}
        return result, demo_loads

    yield run
    # the app (and its instance folder) outlives this test
    (Path(app.instance_path) / cli.INITIAL_ADMIN_FILE).unlink(missing_ok=True)


def test_first_start_creates_the_admin_and_loads_the_demo(serve, app, db_session):
    result, demo_loads = serve("--port", "5077")
    password_file = Path(app.instance_path) / "initial_admin_password"
    password = password_file.read_text().strip()
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert len(demo_loads) == 1
    assert "Loaded the demo catalogue: 12 products, 3 product_models." in result.output
    assert (
        "Vitrine is running on http://127.0.0.1:5077 — log in as "
        f"admin@vitrine.local / {password}" in result.output
    )
    admin = authenticate(db_session, "admin@vitrine.local", password)
    assert admin is not None and admin.role == "admin"

    again, demo_loads = serve()
    assert f"admin@vitrine.local / {password}" in again.output
    assert db_session.scalar(select(User.id).where(User.id != admin.id)) is None


def test_the_password_file_is_reused_for_a_new_database(serve, app, db_session):
    password_file = Path(app.instance_path) / "initial_admin_password"
    password_file.write_text("kept-from-before\n")
    result, _ = serve()
    assert "admin@vitrine.local / kept-from-before" in result.output
    assert authenticate(db_session, "admin@vitrine.local", "kept-from-before") is not None


def test_existing_users_and_products_are_left_alone(serve, catalog, make_user):
    make_user(email="boss@example.com", role="admin")
    result, demo_loads = serve()
    assert demo_loads == []
    assert "log in as an existing account" in result.output


def test_a_structure_without_products_is_left_alone(serve, db_session):
    """Someone who set up attributes and families but has no product yet keeps a
    working start (the demo only loads into an empty catalogue)."""
    from pim.services import structure
    from pim.services.actors import Actor

    actor = Actor.system()
    structure.create_attribute_group(db_session, {"code": "basics"}, actor)
    structure.create_attribute(
        db_session, {"code": "fabric", "type": "text", "group": "basics"}, actor
    )
    result, demo_loads = serve()
    assert demo_loads == []
    assert "Loaded the demo" not in result.output
