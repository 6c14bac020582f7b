"""Vitrine's PIM: the app factory and the catalogue domain (models, services, views)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from pim.config import build_config, ensure_secret_key, sqlalchemy_url

#: The repository (or installed tree) holding templates/, static/ and translations/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    """Build a Vitrine application from defaults, ``VITRINE_*`` variables and ``test_config``."""
    config = build_config(test_config)
    instance = Path(config["INSTANCE_PATH"])
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(config)
    app.config["SECRET_KEY"] = config["SECRET_KEY"] or ensure_secret_key(instance)
    app.config["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(config["DATABASE_URL"])
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _load_plugins(app)
    return app


#: Entry-point group of the domains built on the PIM (the DAM, the channels); each names a
#: function ``init_app(app)``. The PIM imports none of them: they plug themselves in.
PLUGIN_GROUP = "vitrine.plugins"


def _load_plugins(app: Flask) -> None:
    from importlib.metadata import entry_points

    app.extensions["vitrine_plugins"] = []
    for entry in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name):
        entry.load()(app)
        app.extensions["vitrine_plugins"].append(entry.name)


def _init_extensions(app: Flask) -> None:
    from pim import auth, i18n, queue
    from pim.extensions import configure_sqlite, csrf, db, mark_write_request, migrate

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
            app.before_request(mark_write_request)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    queue.init_app(app)
    import pim.imports.jobs  # noqa: F401 - declares the import tasks
    from pim import search, webhooks

    search.init_app(app)
    webhooks.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from pim import api, web
    from pim.routing import DatabaseIdConverter

    # every ``<int:…>`` in a URL is a row id: beyond what the database stores it names
    # nothing (404), instead of an error from PostgreSQL's int4 columns
    app.url_map.converters["int"] = DatabaseIdConverter
    web.init_app(app)
    api.init_app(app)


def _register_cli(app: Flask) -> None:
    from pim import cli

    cli.init_app(app)
