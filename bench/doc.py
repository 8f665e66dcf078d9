"""docs/benchmarks.md: one section per benchmark, each rewritten by its own benchmark alone."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(title: str, body: str, doc: Path = DOC, first: bool = False) -> None:
    """Replace the `## title` section (up to the next `## ` heading) with `body`, or add it: at the end, or
    with `first` just after the `# ` title, before every other section (where it then stays)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip("\n") + "\n"
    elif first:
        heading = re.search(r"^# .*\n", text, re.MULTILINE)
        cut = heading.end() if heading else 0
        rest = text[cut:].lstrip("\n")
        text = text[:cut] + "\n" + section + ("\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")
