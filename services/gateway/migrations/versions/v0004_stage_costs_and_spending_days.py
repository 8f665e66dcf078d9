"""Costs counted once, and the daily cost limit checked one job at a time.

`jobs.stage_costs` records what each piece of a job's work reported costing, so a completion reported
again (redelivered, or re-driven with a new event id) is not added twice; jobs already there start
with none recorded (`{}`). `spending_days` holds one row per user and UTC day, locked while a job is
checked against the day's limit. As in 0002, a database adopted from `create_all` may have them already.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "stage_costs" not in {column["name"] for column in inspector.get_columns("jobs")}:
        # The server default fills the rows already there, and the jobs a gateway of the release before
        # (still running beside a newer one) inserts without the column.
        op.add_column("jobs", sa.Column("stage_costs", sa.String(), nullable=False, server_default="{}"))
    if "spending_days" not in inspector.get_table_names():
        op.create_table(
            "spending_days",
            sa.Column("user_id", sa.String(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("jobs_admitted", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("user_id", "day"),
        )


def downgrade() -> None:
    op.drop_table("spending_days")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("stage_costs")
