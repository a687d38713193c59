"""Index submissions by address, form and time, so finding a recent repeat never scans a form's history.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_submissions_contact", "submissions")
    op.create_index("ix_submissions_contact", "submissions", ["contact_key", "form_id", "created_at"])


def downgrade():
    op.drop_index("ix_submissions_contact", "submissions")
    op.create_index("ix_submissions_contact", "submissions", ["contact_key", "form_id"])
