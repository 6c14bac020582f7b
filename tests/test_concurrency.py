"""Two editors saving the same product at the same time: the second gets a conflict,
never a silent overwrite — checked with real concurrent sessions and commits."""

from __future__ import annotations

import pytest
from factories import SYSTEM, build_catalog
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from pim import create_app
from pim.extensions import db
from pim.models import Product, Version
from pim.services import products
from pim.services.actors import Actor
from pim.services.errors import ConflictError


@pytest.fixture
def committed_app(tmp_path, scratch_database_url):
    """An app on a private database (same backend as the run) where data is committed."""
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "s" * 32,
            "DATABASE_URL": scratch_database_url,
        }
    )
    with app.app_context():
        upgrade()
        build_catalog(db.session)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_racing_saves_conflict_at_the_database(committed_app):
    engine = db.engine
    with Session(engine) as alice, Session(engine) as bob:
        mine = alice.scalar(select(Product).where(Product.identifier == "TS-CREW-RED-S"))
        theirs = bob.scalar(select(Product).where(Product.identifier == "TS-CREW-RED-S"))
        assert mine.version == theirs.version == 1
        products.update_product(
            alice, mine, {"enabled": False}, Actor("alice", "ui"), expected_version=1
        )
        alice.commit()
        # Bob read version 1 before Alice committed: his flush must not overwrite hers
        # (PostgreSQL: the version check matches no row; SQLite: the stale snapshot
        # cannot be upgraded to a write)
        with pytest.raises((ConflictError, OperationalError)):
            products.update_product(
                bob, theirs, {"lifecycle": "active"}, Actor("bob", "ui"), expected_version=1
            )
        bob.rollback()
    with Session(engine) as check:
        product = check.scalar(select(Product).where(Product.identifier == "TS-CREW-RED-S"))
        assert (product.enabled, product.lifecycle, product.version) == (False, "new", 2)
        authors = check.scalars(
            select(Version.author).where(
                Version.resource_type == "product", Version.resource_id == product.id
            )
        ).all()
        assert sorted(authors) == ["alice", "system"]


def test_deleted_ids_are_not_reused(committed_app):
    product = products.get_product(db.session, "TS-CREW-RED-M")
    old_id = product.id
    products.delete_product(db.session, product, SYSTEM)
    db.session.commit()
    new = products.create_product(db.session, {"identifier": "NEW-1"}, SYSTEM)
    db.session.commit()
    assert new.id != old_id
