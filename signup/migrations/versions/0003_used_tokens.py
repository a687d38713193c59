"""Form tokens already used, so that a replayed token makes no second sign-up.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "used_tokens",
        sa.Column("nonce", sa.String(32), primary_key=True),
        sa.Column("used_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_used_tokens_used_at", "used_tokens", ["used_at"])


def downgrade():
    op.drop_table("used_tokens")
