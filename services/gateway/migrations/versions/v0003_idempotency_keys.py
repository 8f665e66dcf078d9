"""Safe retries: the `Idempotency-Key` a job was created with and a digest of its request.

One key per user at most (a unique constraint over user and key; jobs without a key are not held to it).
As in 0002, a database adopted from `create_all` may already have them: only what is missing is added.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    present = {column["name"] for column in inspector.get_columns("jobs")}
    constraints = {constraint["name"] for constraint in inspector.get_unique_constraints("jobs")}
    with op.batch_alter_table("jobs") as batch:
        for name in ("idempotency_key", "request_digest"):
            if name not in present:  # a database adopted from `create_all` may have them already
                batch.add_column(sa.Column(name, sa.String(), nullable=True))
        if "uq_jobs_user_idempotency_key" not in constraints:
            batch.create_unique_constraint("uq_jobs_user_idempotency_key", ["user_id", "idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint("uq_jobs_user_idempotency_key", type_="unique")
        batch.drop_column("request_digest")
        batch.drop_column("idempotency_key")
