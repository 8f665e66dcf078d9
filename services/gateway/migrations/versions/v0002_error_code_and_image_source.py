"""A job's stable failure code, and where each scene image came from with the credit it owes.

These columns reached the models before migrations existed, so a database adopted from `create_all`
may already have some of them: only the missing ones are added. Rows already there get the models'
defaults: no error code, an empty (unknown) source and no credit.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {
        "jobs": [sa.Column("error_code", sa.String(), nullable=True)],
        "scene_images": [
            sa.Column("source", sa.String(), nullable=False, server_default=""),
            sa.Column("credit", sa.String(), nullable=True),
        ],
    }
    inspector = sa.inspect(op.get_bind())
    added: set[str] = set()
    for table, wanted in columns.items():
        present = {column["name"] for column in inspector.get_columns(table)}
        for column in wanted:
            if column.name not in present:
                op.add_column(table, column)
                added.add(column.name)
    if "source" in added:
        # The server default only filled the rows already there; the model names a source on every insert.
        with op.batch_alter_table("scene_images") as batch:
            batch.alter_column("source", existing_type=sa.String(), existing_nullable=False, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("scene_images") as batch:
        batch.drop_column("credit")
        batch.drop_column("source")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("error_code")
