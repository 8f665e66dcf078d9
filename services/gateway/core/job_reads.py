"""A job's status read served from this replica's memory for up to `job_read_cache_s`.

Clients poll a job every second or so, and a read through the database and the response model
cost several times what the rest of the request does. A replica keeps the answer it last
rendered for a job, as bytes, with the job's owner. Whatever this process commits to a job row
drops that job's answer at once: an SQLAlchemy hook sees every `Job` a session flushed (the
projection's updates, the API's own writes), and a bulk UPDATE of jobs drops every answer, so
no write path has to remember to. A change another replica made shows here within
`job_read_cache_s`; the progress streams are live on every replica.
"""

import time
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from libs.common.errors import NotFound
from services.gateway.core.security import Principal
from services.gateway.core.store import Job

CHANGED = "reelforge_changed_jobs"
MAX_ANSWERS = 10_000


@dataclass(frozen=True)
class Answer:
    owner: str
    body: bytes
    rendered_at: float


class JobReads:
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._answers: dict[UUID, Answer] = {}
        _caches.append(self)

    def cached(self, user: Principal, job_id: UUID) -> bytes | None:
        """The remembered answer, if fresh; NotFound for another user's job, as the database read would say."""
        answer = self._answers.get(job_id)
        if answer is None or time.monotonic() - answer.rendered_at >= self.ttl_s:
            return None
        if answer.owner != user.user_id:
            raise NotFound("Job not found")
        return answer.body

    def remember(self, job: Job, body: bytes, read_at: float) -> None:
        """Keep `body`, rendered from a row read at `read_at` (monotonic), unless the job changed since."""
        if self.ttl_s <= 0:
            return
        if len(self._answers) >= MAX_ANSWERS:
            self._answers.clear()
        if max(_changed_at.get(job.id, float("-inf")), _cleared_at[0]) < read_at:
            self._answers[job.id] = Answer(job.user_id, body, read_at)

    def forget(self, job_ids: set[UUID] | None) -> None:
        if job_ids is None:
            self._answers.clear()
        for job_id in job_ids or ():
            self._answers.pop(job_id, None)


_caches: list[JobReads] = []
_changed_at: dict[UUID, float] = {}
"""When this process last committed a change to each job: a read that started before it must not be kept."""
_cleared_at = [float("-inf")]
"""When a bulk change last dropped every answer."""


def _forget_everywhere(job_ids: set[UUID] | None) -> None:
    moment = time.monotonic()
    if job_ids is None or len(_changed_at) >= MAX_ANSWERS:
        _changed_at.clear()
        _cleared_at[0] = moment
    for job_id in job_ids or ():
        _changed_at[job_id] = moment
    for cache in _caches:
        cache.forget(job_ids)


@event.listens_for(Session, "after_flush")
def _note_changed_jobs(session: Session, _flush: UOWTransaction) -> None:
    changed = session.info.setdefault(CHANGED, set())
    if changed is None:
        return  # a bulk change already drops every answer
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Job):
            changed.add(row.id)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(mapper.class_ is Job for mapper in state.all_mappers):
        state.session.info[CHANGED] = None  # every job may have changed


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    if CHANGED in session.info:
        _forget_everywhere(session.info.pop(CHANGED))


@event.listens_for(Session, "after_rollback")
def _forget_nothing(session: Session) -> None:
    session.info.pop(CHANGED, None)
