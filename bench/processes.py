"""The machine's processes as /proc shows them: who is whose child and how much memory each holds.

Shared by the render benchmark (a render and its ffmpeg children) and the stack's memory sampler
(each service with its workers)."""

import os
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")

ProcessTable = dict[int, tuple[int, int]]
"""pid -> (parent pid, resident bytes)."""


def process_table() -> ProcessTable:
    """Every process now, from /proc/<pid>/stat (one that ends while being read is left out)."""
    table: ProcessTable = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            fields = text[text.rindex(")") + 2 :].split()
        except (OSError, ValueError):
            continue
        table[int(stat.parent.name)] = (int(fields[1]), int(fields[21]) * PAGE)
    return table


def children_of(table: ProcessTable) -> dict[int, list[int]]:
    """parent pid -> its children's pids."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    return children


def tree_bytes(pid: int, table: ProcessTable, children: dict[int, list[int]]) -> int:
    """Resident memory of `pid` and all its descendants together."""
    total, frontier = 0, [pid]
    while frontier:
        current = frontier.pop()
        total += table.get(current, (0, 0))[1]
        frontier.extend(children.get(current, []))
    return total
