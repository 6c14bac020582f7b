"""The per-process structure cache follows every structure change, including ones that
are rolled back."""

from __future__ import annotations

from factories import SYSTEM

from pim.services import structure
from pim.services.structure_cache import Structure


def test_cache_is_reused_until_the_structure_changes(catalog, db_session):
    first = Structure.current(db_session)
    assert Structure.current(db_session) is first
    structure.create_attribute(
        db_session, {"code": "fit", "type": "text", "group": "product"}, SYSTEM
    )
    changed = Structure.current(db_session)
    assert changed is not first and "fit" in changed.attributes


def test_a_rolled_back_change_is_not_served_afterwards(catalog, db_session):
    before = Structure.current(db_session)
    savepoint = db_session.begin_nested()
    structure.create_attribute(
        db_session, {"code": "ghost", "type": "text", "group": "product"}, SYSTEM
    )
    assert "ghost" in Structure.current(db_session).attributes
    savepoint.rollback()
    after = Structure.current(db_session)
    assert "ghost" not in after.attributes
    assert after is before
