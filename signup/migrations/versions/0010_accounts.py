"""The eSputnik account each submission goes to, fixed at intake (NULL: the default account).

Revision ID: 0010_accounts
Revises: 0009_answer_facts
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_accounts"
down_revision = "0009_answer_facts"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("submissions", sa.Column("account", sa.String(64), nullable=True))


def downgrade():
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("account")
