"""Consent ledger, purge marks, and the indexes behind metrics and retention.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "submission_id",
            sa.String(32),
            sa.ForeignKey("submissions.id", ondelete="SET NULL"),
            nullable=True,
            index=True,
        ),
        sa.Column("form_id", sa.String(64), nullable=False),
        sa.Column("contact_key", sa.String(320), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("page_url", sa.Text, nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_consents_form_created", "consents", ["form_id", "created_at"])
    op.create_index("ix_consents_contact", "consents", ["contact_key"])
    op.add_column("submissions", sa.Column("purged_at", sa.DateTime, nullable=True))
    op.create_index("ix_submissions_delivered", "submissions", ["delivered_at"])
    op.create_index("ix_attempts_started", "attempts", ["started_at"])


def downgrade():
    op.drop_index("ix_attempts_started", table_name="attempts")
    op.drop_index("ix_submissions_delivered", table_name="submissions")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("purged_at")
    op.drop_table("consents")
