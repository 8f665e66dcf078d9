"""Safe retries: a repeated `Idempotency-Key` answers with the job the key first created.

A client that lost the answer to `POST /jobs` (a timeout, a dropped connection) sends the same
request with the same key again and gets the same job back, neither created nor billed twice.
The key is the user's own (two users may use the same key), kept on the job with a digest of
the request; the same key with a different request is refused (422), as the IETF draft
"The Idempotency-Key HTTP Header Field" advises. Keys live as long as their job.
"""

import hashlib
from dataclasses import dataclass

from sqlmodel import select

from libs.common.errors import InvalidInput
from libs.common.runtime import Runtime
from services.gateway.core.schemas import JobCreate
from services.gateway.core.security import Principal
from services.gateway.core.store import Job

HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Idempotency:
    """A request's key and what it asked for."""

    key: str
    digest: str

    @classmethod
    def of(cls, key: str, data: JobCreate) -> "Idempotency":
        return cls(key, hashlib.sha256(data.model_dump_json().encode()).hexdigest())


async def first_job(runtime: Runtime, user: Principal, request: Idempotency) -> Job | None:
    """The job this user's key already created, or None; the key sent with another request is InvalidInput."""
    mine = select(Job).where(Job.user_id == user.user_id, Job.idempotency_key == request.key)
    async with runtime.db.sessions() as session:
        job = (await session.exec(mine)).first()
    if job is not None and job.request_digest != request.digest:
        raise InvalidInput(
            f"{HEADER}: this key was already used for a different request; send a new key for a new job",
            field=HEADER,
        )
    return job
