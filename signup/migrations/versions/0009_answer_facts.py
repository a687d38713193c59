"""What eSputnik's answer said per submission: whether the contact was new, and its email status.

Revision ID: 0009_answer_facts
Revises: 0008_intake_refusals
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_answer_facts"
down_revision = "0008_intake_refusals"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("submissions", sa.Column("contact_new", sa.Boolean, nullable=True))
    op.add_column("submissions", sa.Column("email_status", sa.String(32), nullable=True))


def downgrade():
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("email_status")
        batch.drop_column("contact_new")
