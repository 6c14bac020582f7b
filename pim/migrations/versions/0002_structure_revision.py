"""structure revision token for the structure cache

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "structure_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_structure_revision")),
    )
    op.bulk_insert(table, [{"id": 1, "token": "initial"}])


def downgrade():
    op.drop_table("structure_revision")
