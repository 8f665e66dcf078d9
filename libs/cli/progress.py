"""Drawing a job's progress: a bar per stage on a terminal, one line per change otherwise (logs, CI).

The stream carries the job's overall progress with its current stage; each stage reports within
its band of it (story 0-20, images and audio side by side 20-60, render 60-100: the bands of
`libs.common.events.STAGE_BANDS`), so a stage's bar is its share of its band. A later stage
starting means the earlier ones are done.
"""

from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn
from rich.text import Text

STAGE_BANDS: dict[str, tuple[int, int]] = {"story": (0, 20), "images": (20, 60), "audio": (20, 60), "render": (60, 100)}
Update = dict[str, Any]


def stage_fractions(update: Update, known: dict[str, float]) -> dict[str, float]:
    """Each stage's completion (0..1) after `update`, never less than what `known` had."""
    fractions = dict(known)
    stage, progress = update.get("stage"), int(update.get("progress") or 0)
    if update.get("status") == "completed":
        return dict.fromkeys(STAGE_BANDS, 1.0)
    if stage in STAGE_BANDS:
        low, high = STAGE_BANDS[stage]
        share = min(max((progress - low) / (high - low), 0.0), 1.0)
        fractions[stage] = max(fractions.get(stage, 0.0), share)
        for other, (_, other_high) in STAGE_BANDS.items():
            if other_high <= low:
                fractions[other] = 1.0
    return fractions


class Display:
    """Shows updates; use as a context manager around following the job."""

    def __init__(self, console: Console, job_id: str) -> None:
        self.console = console
        self.job_id = job_id
        self.fractions: dict[str, float] = {}
        self.last_line = ""
        self.bars: Progress | None = None
        self.tasks: dict[str, TaskID] = {}
        if console.is_terminal:
            self.bars = Progress(
                TextColumn("{task.fields[stage]:<7}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.description}"),
                console=console,
            )
            self.tasks = {stage: self.bars.add_task("", total=1.0, stage=stage) for stage in STAGE_BANDS}

    def __enter__(self) -> "Display":
        if self.bars is not None:
            self.bars.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.bars is not None:
            self.bars.stop()

    def update(self, update: Update) -> None:
        self.fractions = stage_fractions(update, self.fractions)
        stage, message, status = update.get("stage"), update.get("message") or "", update.get("status") or ""
        if self.bars is not None:
            for name, task in self.tasks.items():
                described = message if name == stage or (stage is None and name == "story") else None
                fields: dict[str, Any] = {"completed": self.fractions.get(name, 0.0)}
                if described is not None:
                    fields["description"] = described
                self.bars.update(task, **fields)
            return
        line = f"[{stage or status}] {update.get('progress') or 0:>3}% {status}: {message}"
        if line != self.last_line:
            self.console.print(Text(line))
            self.last_line = line
