"""The user documentation: docs/data.md generated from the schema, and no internal vocabulary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from supportmetrics.schema import TABLES
from supportmetrics.schema.reference import render

REPO = Path(__file__).resolve().parents[1]


def test_data_reference_is_current() -> None:
    docs = REPO / "docs" / "data.md"
    assert docs.exists(), "docs/data.md is missing: run `make docs`"
    assert docs.read_text(encoding="utf-8") == render(), "run `make docs`"


def test_every_column_is_described() -> None:
    undescribed = [
        f"{spec.name}.{column.name}"
        for spec in TABLES.values()
        for column in spec.columns
        if not column.meaning and not column.allowed
    ]
    assert undescribed == []


def test_data_reference_lists_every_table_and_column() -> None:
    text = render()
    for spec in TABLES.values():
        assert f"\n## {spec.name}\n" in text
        for column in spec.columns:
            assert f"| `{column.name}` |" in text


def test_data_reference_rows_read_as_written() -> None:
    lines = render().splitlines()
    # an enumerated column: its allowed values, once
    assert "| `priority` | text |  | allowed values: `low`, `normal`, `high`, `urgent` |" in lines
    assert "| `ticket_id` | text | required | unique id |" in lines
    # the survey scales: csat 1-5, nps 0-10, ces 1-7, happiness 1-3
    assert any(
        line.startswith("| `scale_min` | number |")
        and "defaults: csat 1-5, nps 0-10, ces 1-7, happiness 1-3" in line
        for line in lines
    )
    # row rules, column names in code style
    assert "- `resolved_at` is before `created_at`" in lines
    assert "- `end` is not after `start`" in lines
    assert "Key (a row with the same key is updated in place): `agent_id`, `start`. " \
        "Time span (`supportmetrics tables`): `start`." in lines


# words that only make sense inside the team: numbered inputs, internal files, the shared shelf
INTERNAL = re.compile(
    r"\b[Ss]eeds? \d{3}\b|\b[Tt]he articles?'?(?!\w)|(?<![/\w])(?:DATA|METRICS|DESIGN)\.md\b"
    r"|\.\./shared\b|\bshared/(?:spec|data|seeds)\b|\b[Ii]ssue \d+\b"
)


def _user_facing_files() -> list[Path]:
    files = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    files += sorted(p for p in (REPO / "examples").rglob("*") if p.suffix in (".md", ".toml"))
    files += sorted((REPO / "src" / "supportmetrics").rglob("*.py"))
    return files


def test_no_internal_vocabulary() -> None:
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in _user_facing_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if INTERNAL.search(line)
    ]
    assert found == []


def test_internal_vocabulary_is_recognised() -> None:
    # the check above can fail: each of these lines would be reported
    for line in ("source: seeds 000, 001", "the articles' worked examples",
                 "see ../shared/spec/DATA.md", "as in METRICS.md", "fixes issue 9"):
        assert INTERNAL.search(line), line
    for line in ("LiveAgent 2025; Parker", "random seed: the same seed gives the same data",
                 "see docs/metrics.md",
                 "five vendor and practitioner articles"):
        assert not INTERNAL.search(line), line


def _cited(source: str) -> list[str]:
    """The publication names a source field cites: "A; B (worked example)" -> ["A", "B"]."""
    names = []
    for part in source.split("; "):
        name = part.split(" (")[0].split(":")[0].split(",")[0]
        names.append(name)
    return names


def test_every_metric_and_calculator_cites_a_listed_source() -> None:
    from supportmetrics.metrics import CATALOGUE
    from supportmetrics.sources import SOURCES
    from supportmetrics.stats.calculators import CALCULATORS

    cited = {m.id: _cited(m.article) for m in CATALOGUE.values() if m.article}
    cited |= {f"calc {c.name}": _cited(c.source) for c in CALCULATORS.values()}
    cited |= {
        f"calc {c.name} example": _cited(e.source)
        for c in CALCULATORS.values()
        for e in c.examples
    }
    unknown = {key: names for key, names in cited.items() if set(names) - set(SOURCES)}
    assert unknown == {}
    # the worked CLV example names its publication: 50 x 5 x 3 = 750
    assert CATALOGUE["clv_simple"].article == "LiveAgent 2025 (50 x 5 x 3 = 750)"
    assert _cited("LiveAgent Academy; Parker ($10,000 / 20,000 = $0.50)") == [
        "LiveAgent Academy", "Parker"]


LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings: lower case, punctuation out, - for spaces."""
    slugs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slugs.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return slugs


def test_links_between_documents_resolve() -> None:
    broken = []
    for document in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        for target in LINK.findall(document.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            file, _, anchor = target.partition("#")
            path = (document.parent / file).resolve() if file else document
            if not path.is_relative_to(REPO) or not path.exists():
                broken.append(f"{document.name}: {target} (no such file in the repository)")
            elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
                broken.append(f"{document.name}: {target} (no such heading)")
    assert broken == []


def test_link_check_reads_anchors_and_paths(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Data reference: the tables\n## `tickets` table\n## Sources\n")
    assert _anchors(page) == {"data-reference-the-tables", "tickets-table", "sources"}
    assert LINK.findall("see [DATA](../shared/spec/DATA.md) and [x](docs/a.md#b)") == [
        "../shared/spec/DATA.md", "docs/a.md#b"]


def test_the_demo_hint_names_a_command_the_user_can_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from supportmetrics.cli.demo import program

    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    script = venv / "supportmetrics"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/nonexistent")
    # started as .venv/bin/supportmetrics without the environment active: say so again
    assert program(".venv/bin/supportmetrics") == ".venv/bin/supportmetrics"
    # the environment active: the PATH finds this program
    monkeypatch.setenv("PATH", str(venv))
    assert program(".venv/bin/supportmetrics") == "supportmetrics"
    assert program(str(script)) == "supportmetrics"
    # run as python -m supportmetrics.cli
    assert program("/usr/lib/python3/site-packages/supportmetrics/cli/__main__.py") == (
        "supportmetrics"
    )
