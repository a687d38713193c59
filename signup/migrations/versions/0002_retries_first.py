"""An index for claiming retries before first attempts.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_submissions_retries", "submissions", ["state", "attempts", "next_attempt_at"])


def downgrade():
    op.drop_index("ix_submissions_retries", "submissions")
