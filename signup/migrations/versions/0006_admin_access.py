"""Admin sessions that signing out ends everywhere, and failed admin sign-ins counted for every process.

Revision ID: 0006_admin_access
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_admin_access"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "admin_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_admin_sessions_expires", "admin_sessions", ["expires_at"])
    op.create_table(
        "admin_login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failed_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_admin_login_failures_key", "admin_login_failures", ["key", "failed_at"])
    op.create_index("ix_admin_login_failures_at", "admin_login_failures", ["failed_at"])


def downgrade():
    op.drop_table("admin_login_failures")
    op.drop_table("admin_sessions")
