"""Variants: the variant each sign-up came through, and views counted per form, variant and day.

Revision ID: 0007_variants
Revises: 0006_admin_access
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_variants"
down_revision = "0006_admin_access"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("submissions", sa.Column("variant", sa.String(32), nullable=True))
    op.create_table(
        "variant_views",
        sa.Column("form_id", sa.String(64), primary_key=True),
        sa.Column("variant", sa.String(32), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("views", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade():
    op.drop_table("variant_views")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("variant")
