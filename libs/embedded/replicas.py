"""Several processes of one service under the embedded supervisor (`REELFORGE_REPLICAS`).

Replicas of a stage share its consumer group, so the broker hands each some of every topic's
partitions (a job's events all go to one of them) and, when one dies, its partitions to the
others. They share the service's database too, which must be PostgreSQL: a SQLite file takes
one writing process, and a second one's transactions fail with "database is locked" rather
than wait. Gateway replicas are each a front door of their own; nothing balances between them.

Replica 1 of a service is the one `make run` always starts, on the service's port; replica k
(k ≥ 2) listens on that port + 100 × (k − 1), logs to `<service>-<k>.log`, starts once replica 1
is healthy (its tables made and seeded) and is restarted like it.
"""

from collections.abc import Collection, Mapping

REPLICAS_VARIABLE = "REELFORGE_REPLICAS"
PORT_STEP = 100
SINGLE = frozenset({"auth"})
"""Services that run once: the gateways reach auth at one address (`REELFORGE_AUTH_URL`)."""


def parse_replicas(text: str, services: Collection[str]) -> dict[str, int]:
    """How many processes of each service: `story=2,render=3` names services (the rest run once); a bare
    number is that many of every service but auth. Raises ValueError naming what is wrong."""
    counts = dict.fromkeys(services, 1)
    text = text.strip()
    if not text:
        return counts
    if text.isdigit():
        return {name: 1 if name in SINGLE else _count(name, text) for name in counts}
    for item in text.split(","):
        name, equals, value = (part.strip() for part in item.partition("="))
        if not equals or name not in counts:
            raise ValueError(f"{item.strip()!r} is not <service>=<count>, with a service of {', '.join(counts)}")
        counts[name] = _count(name, value)
        if name in SINGLE and counts[name] > 1:
            raise ValueError(f"{name} runs once: the gateways reach it at one address (REELFORGE_AUTH_URL)")
    return counts


def _count(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name}={value}: a count is a whole number, at least 1")
    return int(value)


def replica_port(base: int, replica: int) -> int:
    """Where replica `replica` (1, 2, …) of a service whose first listens on `base` listens."""
    return base + PORT_STEP * (replica - 1)


def replica_label(service: str, replica: int) -> str:
    """`story` for the first replica, `story-2` for the second: its name in the supervisor's log and its log file."""
    return service if replica == 1 else f"{service}-{replica}"


def replica_counts(env: Mapping[str, str], services: Collection[str]) -> dict[str, int]:
    """The counts `env` asks for, refused (ValueError) when a service would run twice on SQLite."""
    counts = parse_replicas(env.get(REPLICAS_VARIABLE, ""), services)
    url = env.get("REELFORGE_DATABASE_URL") or env.get("DATABASE_URL") or ""
    several = sorted(name for name, count in counts.items() if count > 1)
    if several and not url.startswith(("postgresql", "postgres:")):
        raise ValueError(
            f"{', '.join(several)} would run several processes on SQLite, whose file takes one writing process: "
            "set DATABASE_URL to a PostgreSQL database"
        )
    return counts


def replica_env(env: Mapping[str, str], port_variable: str, port: int) -> dict[str, str]:
    """The environment of one replica: the stack's, with the replica's own port."""
    return {**env, port_variable: str(port)}
