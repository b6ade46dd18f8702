"""Documents the code cites exist in the repository."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_cited_docs_file_exists() -> None:
    cited = set()
    for folder in ("sca_tf", "datasets", "trainers", "benchmarks", "docs"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in {".py", ".md"}:
                cited |= set(re.findall(r"\bdocs/[\w./-]+\.md\b", path.read_text()))
    cited |= set(re.findall(r"\bdocs/[\w./-]+\.md\b", (REPO / "README.md").read_text()))
    assert "docs/measured-facts.md" in cited
    missing = sorted(name for name in cited if not (REPO / name).is_file())
    assert missing == []
