"""Summary: every goal of the benchmarks, the figure measured for it, and whether it was met and by how much.

    .venv/bin/python -m bench.summary

It reads bench/results/*.json (what each benchmark last saved; a missing one shows "not measured") and
writes the Summary section at the top of docs/benchmarks.md. It measures nothing itself.
"""

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.doc import write_section
from bench.stack import load

Row = tuple[str, str, str]
"""The figure measured, the verdict (met or missed, and by how much), where it comes from."""


@dataclass(frozen=True)
class Goal:
    goal: str
    results: str
    figure: Callable[[dict[str, Any]], Row]


def _by(measured: float, goal: float, unit: str, higher_is_better: bool) -> str:
    """`met` or `missed`, with the margin to the goal (for a ratio, how many times short of it)."""
    if higher_is_better:
        if measured >= goal:
            return f"**met**, {measured / goal:.2f}× the goal"
        return f"**missed**, {goal / measured:.1f}× short" if measured > 0 else "**missed**"
    if measured <= goal:
        return f"**met** by {goal - measured:.3g}{unit}"
    return f"**missed** by {measured - goal:.3g}{unit} ({measured / goal:.1f}× the goal)"


def _source(name: str, result: dict[str, Any]) -> str:
    facts = result.get("machine")
    day = facts.get("day") if isinstance(facts, dict) else result.get("day")
    quick = " (a --quick run)" if result.get("quick") else ""
    return f"`{name}.json`" + (f", {day}" if day else "") + quick


def gateway_ratio(route: str, goal: float) -> Callable[[dict[str, Any]], Row]:
    def figure(result: dict[str, Any]) -> Row:
        runs = result["routes"][route]
        rates = f"{runs['gateway']['requests_per_s']:g} vs {runs['bare']['requests_per_s']:g} requests/s"
        measured = f"{runs['ratio']:.3g}× ({rates})"
        return measured, _by(runs["ratio"], goal, "×", True), _source("gateway", result)

    return figure


def fanout_1000(result: dict[str, Any]) -> Row:
    goal = result["goals"].get("1000")
    if goal is None:
        return "not measured (no 1,000-subscriber run)", "-", _source("fanout", result)
    run = next(run for run in result["runs"] if run["subscribers"] == 1000)
    measured = f"{run['received_all']:,} of 1,000 received all; p99 {goal['p99_ms']} ms"
    verdict = (
        _by(goal["p99_ms"], 250, " ms", False) if goal["all_received"] else "**missed**: not everyone got every event"
    )
    return measured, verdict, _source("fanout", result)


def fanout_5000(result: dict[str, Any]) -> Row:
    goal = result["goals"].get("5000")
    if goal is None:
        return "not measured (no 5,000-subscriber run)", "-", _source("fanout", result)
    measured = f"{goal['connected']:,} connected, {goal['received_all']:,} received all"
    short = 5000 - min(goal["connected"], goal["received_all"])
    verdict = "**met**" if goal["met"] else f"**missed** by {short:,} subscribers"
    return measured, verdict, _source("fanout", result)


def _idle_cores(result: dict[str, Any]) -> float | None:
    """The idle stack's CPU use in cores at the default setting: bench.idle saves its settings default first,
    each with `cores.total` (all the stack's processes together)."""
    try:
        return float(result["settings"][0]["cores"]["total"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def idle(result: dict[str, Any]) -> Row:
    cores = _idle_cores(result)
    if cores is None:
        return "not measured (bench/results/idle.json has no `settings[0].cores.total`)", "-", _source("idle", result)
    setting = result["settings"][0].get("setting", "the default")
    return f"{cores:.3g} cores (fetch wait {setting})", _by(cores, 0.05, " cores", False), _source("idle", result)


def hops(result: dict[str, Any]) -> Row:
    worst = max(result["hops"], key=lambda hop: hop["committed_to_handled"]["p50_ms"])
    measured = f"worst hop p50 {result['worst_p50_ms']} ms ({worst['hop']})"
    return measured, _by(result["worst_p50_ms"], 20, " ms", False), _source("hops", result)


def throughput(result: dict[str, Any]) -> Row:
    largest = result["largest"]
    completed = ", ".join(
        f"{count} of {largest['jobs']} with {replicas} {'replica' if replicas == 1 else 'replicas'} per stage"
        for count, replicas in zip(largest["completed"], largest["replicas"], strict=True)
    )
    lost = max((largest["jobs"] - count for count in largest["completed"]), default=largest["jobs"])
    verdict = "**met**" if largest["none_lost"] and largest["jobs"] >= 200 else f"**missed**: {lost} not completed"
    if largest["jobs"] < 200:
        verdict = f"not shown: the largest run was {largest['jobs']} jobs"
    return f"{completed} completed", verdict, _source("throughput", result)


def memory(result: dict[str, Any]) -> Row:
    from bench.memory import GOAL_MB, over_goal, throughput_peaks

    bursts = throughput_peaks()
    over = over_goal(result["peaks"], {"long job"}) + over_goal(bursts, set(bursts))
    largest = result["largest_other"]
    measured = f"largest outside the render's encoding: {largest['service']} {largest['peak_mb']} MB"
    verdict = (
        f"**met** by {GOAL_MB - largest['peak_mb']:.3g} MB"
        if not over
        else f"**missed**: {', '.join(over[:4])}" + (" …" if len(over) > 4 else "")
    )
    return measured, verdict, _source("memory", result)


def render(result: dict[str, Any]) -> Row:
    ratio = result["ratios"]["render_over_bare_encode"]
    measured = f"{ratio}× ({result['render']['seconds']} s vs {result['bare_encode']['seconds']} s)"
    return measured, _by(ratio, 1.3, "×", False), _source("render", result)


GOALS = (
    Goal("gateway status read ≥ 0.5× a bare FastAPI route", "gateway", gateway_ratio("read", 0.5)),
    Goal("job creation ≥ 0.2× a bare FastAPI route", "gateway", gateway_ratio("create", 0.2)),
    Goal("1,000 WebSocket subscribers all receive every event, p99 publish → arrival ≤ 250 ms", "fanout", fanout_1000),
    Goal("5,000 WebSocket subscribers connect and receive", "fanout", fanout_5000),
    Goal("idle stack ≤ 0.05 core", "idle", idle),
    Goal("orchestration overhead p50 ≤ 20 ms per hop", "hops", hops),
    Goal("200 concurrent jobs, none lost", "throughput", throughput),
    Goal("no service above 300 MB resident, except the render while encoding", "memory", memory),
    Goal("render ≤ 1.3× a bare encode of the same frames", "render", render),
)


def rows() -> list[tuple[str, str, str, str]]:
    table = []
    for goal in GOALS:
        result = load(goal.results)
        if result is None:
            table.append((goal.goal, "not measured", "-", f"no `{goal.results}.json`"))
            continue
        try:
            measured, verdict, source = goal.figure(result)
        except (KeyError, StopIteration, TypeError, ValueError) as error:
            measured, verdict, source = f"unreadable ({type(error).__name__}: {error})", "-", f"`{goal.results}.json`"
        table.append((goal.goal, measured, verdict, source))
    return table


def write_doc() -> None:
    table = ["| goal | measured | verdict | from |", "|---|---|---|---|"]
    table += [f"| {goal} | {measured} | {verdict} | {source} |" for goal, measured, verdict, source in rows()]
    write_section(
        "Summary",
        "Every goal against the latest saved figure of the benchmark that measures it (`make bench` runs them\n"
        "all, then this summary; `.venv/bin/python -m bench.summary` rewrites it from `bench/results/*.json`).\n"
        "Each figure is a ratio or a distribution measured side by side in one run; the sections below say\n"
        "how.\n\n" + "\n".join(table) + "\n",
        first=True,
    )


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    write_doc()
    for goal, measured, verdict, _ in rows():
        print(f"{goal}: {measured} -> {verdict.replace('**', '')}")


if __name__ == "__main__":
    main()
