"""Configuration: defaults under the instance folder, ``VITRINE_*`` overrides, validation."""

from __future__ import annotations

import stat

import pytest

from pim import PROJECT_ROOT, create_app
from pim.config import SETTINGS, ConfigError, build_config


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No ``VITRINE_*`` setting from the developer's shell leaks into these tests."""
    for name in SETTINGS:
        monkeypatch.delenv(f"VITRINE_{name}", raising=False)


def test_defaults_live_under_the_instance_folder(tmp_path):
    config = build_config({"INSTANCE_PATH": str(tmp_path)})
    assert config["INSTANCE_PATH"] == str(tmp_path)
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path}/vitrine.db"
    assert config["STORAGE_URL"] == f"file://{tmp_path}/files"
    assert config["QUEUE_URL"] == f"sqlite:///{tmp_path}/queue.db"
    assert config["SEARCH_URL"] == f"whoosh://{tmp_path}/search"
    assert config["HISTORY_RETENTION_DAYS"] == 365
    assert config["SECRET_KEY"] is None


def test_instance_path_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VITRINE_INSTANCE_PATH", str(tmp_path / "site"))
    config = build_config()
    assert config["INSTANCE_PATH"] == str(tmp_path / "site")
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path}/site/vitrine.db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "postgresql://vitrine@db.example.com:5432/vitrine"),
        ("STORAGE_URL", "s3://media-bucket/vitrine?endpoint_url=http://minio:9000"),
        ("QUEUE_URL", "redis://localhost:6379/0"),
        ("SEARCH_URL", "postgresql://vitrine@db.example.com:5432/vitrine"),
        ("SECRET_KEY", "k" * 40),
    ],
)
def test_environment_overrides(tmp_path, monkeypatch, name, value):
    monkeypatch.setenv(f"VITRINE_{name}", value)
    assert build_config({"INSTANCE_PATH": str(tmp_path)})[name] == value


def test_retention_days_from_the_environment_is_a_number(tmp_path, monkeypatch):
    monkeypatch.setenv("VITRINE_HISTORY_RETENTION_DAYS", "90")
    assert build_config({"INSTANCE_PATH": str(tmp_path)})["HISTORY_RETENTION_DAYS"] == 90


def test_test_config_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VITRINE_QUEUE_URL", "redis://localhost:6379/0")
    config = build_config({"INSTANCE_PATH": str(tmp_path), "QUEUE_URL": "memory://"})
    assert config["QUEUE_URL"] == "memory://"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/vitrine"),
        ("DATABASE_URL", "sqlite://relative.db"),
        ("STORAGE_URL", "ftp://files.example.com/media"),
        ("STORAGE_URL", "/just/a/path"),
        ("QUEUE_URL", "amqp://localhost"),
        ("SEARCH_URL", "elasticsearch://localhost:9200"),
        ("SECRET_KEY", "short"),
        ("HISTORY_RETENTION_DAYS", "a year"),
        ("HISTORY_RETENTION_DAYS", "0"),
    ],
)
def test_bad_values_are_rejected_naming_the_variable(tmp_path, monkeypatch, name, value):
    monkeypatch.setenv(f"VITRINE_{name}", value)
    with pytest.raises(ConfigError, match=f"VITRINE_{name}"):
        build_config({"INSTANCE_PATH": str(tmp_path)})


def test_create_app_refuses_a_bad_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("VITRINE_STORAGE_URL", "ftp://files.example.com/media")
    with pytest.raises(ConfigError, match="VITRINE_STORAGE_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_secret_key_is_generated_once_and_reused(tmp_path):
    first = create_app({"INSTANCE_PATH": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 32
    second = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_secret_key_from_the_environment_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("VITRINE_SECRET_KEY", "e" * 32)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "e" * 32
    assert not (tmp_path / "secret_key").exists()


def test_the_app_uses_the_embedded_database_by_default(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.instance_path == str(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/vitrine.db"


def test_postgresql_urls_use_psycopg(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgresql://u@db.example.com/v"}
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example.com/v"


def test_the_readme_documents_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text()
    for name, meaning in SETTINGS.items():
        assert f"| `VITRINE_{name}` |" in readme and meaning in readme, name


def test_the_command_line_reports_a_bad_setting_in_one_line(tmp_path):
    from click.testing import CliRunner
    from flask.cli import FlaskGroup

    from pim.cli import _create_app

    runner = CliRunner()
    env = {"VITRINE_INSTANCE_PATH": str(tmp_path), "VITRINE_DATABASE_URL": "mysql://db/x"}
    result = runner.invoke(FlaskGroup(create_app=_create_app), ["users", "list"], env=env)
    assert result.exit_code == 1
    assert "Error: configuration: VITRINE_DATABASE_URL='mysql://db/x' is not supported" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_image_downloads_reach_no_extra_network_by_default(tmp_path, monkeypatch):
    assert build_config({"INSTANCE_PATH": str(tmp_path)})["FETCH_ALLOWED_NETWORKS"] == ""
    monkeypatch.setenv("VITRINE_FETCH_ALLOWED_NETWORKS", "10.20.0.0/16, fd00::/8,192.0.2.7")
    config = build_config({"INSTANCE_PATH": str(tmp_path)})
    assert config["FETCH_ALLOWED_NETWORKS"] == "10.20.0.0/16, fd00::/8,192.0.2.7"


@pytest.mark.parametrize(
    ("value", "bad_entry"),
    [
        ("intranet", "intranet"),
        ("10.0.0.0/33", "10.0.0.0/33"),
        ("10.0.0.0/8, 192.168.1.300", "192.168.1.300"),
        ("fd00::/8,*", "*"),
    ],
)
def test_allowed_networks_must_be_cidrs(tmp_path, monkeypatch, value, bad_entry):
    monkeypatch.setenv("VITRINE_FETCH_ALLOWED_NETWORKS", value)
    with pytest.raises(ConfigError, match="VITRINE_FETCH_ALLOWED_NETWORKS") as caught:
        build_config({"INSTANCE_PATH": str(tmp_path)})
    assert repr(bad_entry) in str(caught.value)
