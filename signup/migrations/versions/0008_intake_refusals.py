"""Refused intake calls counted per form, reason and hour, for the admin view.

Revision ID: 0008_intake_refusals
Revises: 0007_variants
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_intake_refusals"
down_revision = "0007_variants"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "intake_refusals",
        sa.Column("form_id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(16), primary_key=True),
        sa.Column("status", sa.Integer, primary_key=True),
        sa.Column("reason", sa.String(300), primary_key=True),
        sa.Column("hour", sa.DateTime, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_index("ix_intake_refusals_hour", "intake_refusals", ["hour"])


def downgrade():
    op.drop_table("intake_refusals")
