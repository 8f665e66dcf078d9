"""Integer ids for clients that count: seed 001 numbers its users and jobs 1, 2, 3, ...

Reelforge identifies users and jobs by UUID; a dialect that promises integers asks here
for the stable number of a UUID (given on first sight, never reused) and for the UUID
behind a number. Projects need none of this: they carry an integer id of their own.
"""

from collections.abc import Iterable
from typing import Literal

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select

from libs.common.runtime import Runtime

Kind = Literal["job", "user"]
MAX_NUMBER = 2**31 - 1
ATTEMPTS = 3


class Number(SQLModel, table=True):
    __tablename__ = "compat_numbers"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    number: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    ref: str = Field(index=True)  # the UUID as text


TABLES = [Number.__table__]  # type: ignore[attr-defined]


async def numbers_for(runtime: Runtime, kind: Kind, refs: Iterable[object]) -> dict[str, int]:
    """The number of each UUID in `refs` (as text), giving new ones their numbers."""
    wanted = list(dict.fromkeys(str(ref) for ref in refs))
    for _ in range(ATTEMPTS):
        found = await _lookup(runtime, kind, wanted)
        missing = [ref for ref in wanted if ref not in found]
        if not missing:
            return found
        try:
            async with runtime.db.transaction() as session:
                session.add_all(Number(kind=kind, ref=ref) for ref in missing)
        except IntegrityError:  # another request numbered one of them first: theirs stands, look again
            continue
    return await _lookup(runtime, kind, wanted)


async def number_for(runtime: Runtime, kind: Kind, ref: object) -> int:
    return (await numbers_for(runtime, kind, [ref]))[str(ref)]


async def ref_for(runtime: Runtime, kind: Kind, number: int) -> str | None:
    """The UUID (as text) numbered `number`, or None when there is none."""
    if not 0 < number <= MAX_NUMBER:
        return None
    async with runtime.db.sessions() as session:
        row = await session.get(Number, number)
    return row.ref if row is not None and row.kind == kind else None


async def _lookup(runtime: Runtime, kind: Kind, refs: list[str]) -> dict[str, int]:
    query = select(Number).where(Number.kind == kind, col(Number.ref).in_(refs))
    async with runtime.db.sessions() as session:
        return {row.ref: row.number for row in (await session.exec(query)).all() if row.number is not None}
