"""translations: the source each translation was made from; each user's interface language

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 21:50:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    for table in ("product", "product_model"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("translation_sources", _json(), nullable=True))
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("ui_locale", sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("ui_locale")
    for table in ("product", "product_model"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("translation_sources")
