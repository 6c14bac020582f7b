"""product grid: saved views per user, mass edit jobs and their failures

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:30:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import pim.models.types

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("family", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sort", sa.String(length=20), nullable=False),
        sa.Column("columns", _json(), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=True),
        sa.Column("locale", sa.String(length=20), nullable=True),
        sa.Column("group_by_model", sa.Boolean(), nullable=False),
        sa.Column("created_at", pim.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", pim.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_saved_view_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
        sa.UniqueConstraint("user_id", "name", name="one_name_per_user"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_saved_view_user_id"), "saved_view", ["user_id"], unique=False)
    op.create_table(
        "mass_edit_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation", _json(), nullable=False),
        sa.Column("selection", _json(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", pim.models.types.UTCDateTime(), nullable=False),
        sa.Column("started_at", pim.models.types.UTCDateTime(), nullable=True),
        sa.Column("finished_at", pim.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_mass_edit_job_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mass_edit_job")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_mass_edit_job_created_at"), "mass_edit_job", ["created_at"], unique=False
    )
    op.create_index(op.f("ix_mass_edit_job_status"), "mass_edit_job", ["status"], unique=False)
    op.create_table(
        "mass_edit_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("identifier", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["mass_edit_job.id"],
            name=op.f("fk_mass_edit_failure_job_id_mass_edit_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mass_edit_failure")),
    )
    op.create_index("ix_mass_edit_failure_job", "mass_edit_failure", ["job_id", "id"], unique=False)


def downgrade():
    op.drop_index("ix_mass_edit_failure_job", table_name="mass_edit_failure")
    op.drop_table("mass_edit_failure")
    op.drop_index(op.f("ix_mass_edit_job_status"), table_name="mass_edit_job")
    op.drop_index(op.f("ix_mass_edit_job_created_at"), table_name="mass_edit_job")
    op.drop_table("mass_edit_job")
    op.drop_index(op.f("ix_saved_view_user_id"), table_name="saved_view")
    op.drop_table("saved_view")
