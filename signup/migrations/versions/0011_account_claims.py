"""Index submissions by account, state and due time, so an account's claim never scans another account's backlog.

Revision ID: 0011_account_claims
Revises: 0010_accounts
"""

from alembic import op

revision = "0011_account_claims"
down_revision = "0010_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_submissions_account_due", "submissions", ["account", "state", "next_attempt_at"])


def downgrade():
    op.drop_index("ix_submissions_account_due", "submissions")
