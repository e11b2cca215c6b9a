"""Property test of `supportmetrics ingest` on random CSV / JSON Lines files and random settings.

Whatever the bytes and the options: the exit code is 0, 2 or 3 (never 1, never a traceback);
every row of the file is either accepted or rejected (accepted + rejected = rows read, and rows
read is the number of records the file holds where that number is known); and a load that ends
with exit 2 commits nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.ingest import readers

#: Examples per test: each is a fresh workspace and a CLI run (about 0.7 s), so the default keeps
#: the module near 30 s; SUPPORTMETRICS_FUZZ_EXAMPLES=500 searches longer. A failure is reported
#: as found (shrinking a CLI run takes minutes).
FUZZ = settings(
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    max_examples=int(os.environ.get("SUPPORTMETRICS_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# pieces of hostile text: quotes, delimiters, line breaks, NUL, other scripts, not-numbers,
# zone abbreviations, a DST gap, a formula, markup
FRAGMENTS = [
    '"', "'", ",", ";", "\t", "|", "\n", "\r", "\r\n", "\x00", "\x1f", "é", "名前", "\u2028",
    "NaN", "inf", "1e400", "-5", "90", "2025-10-01 09:00", "2025-10-01 09:00 BST",
    "2025-03-30 02:30", "2025-10-01T09:00:00+02:00", "01.10.2025 09:00", "=1+1", "[red]x[/]",
    "T1", "open", "Closed", "yes", " ", "",
]
cell = st.lists(st.sampled_from(FRAGMENTS), max_size=4).map("".join) | st.text(max_size=8)
column_name = st.sampled_from(
    ["ticket_id", "created_at", "handle_seconds", "status", "Category", "Ticket ID", "", "_row",
     "file_row_number", "ünïcödé 名前", 'a"b', "x,y", "status"]
) | st.text(min_size=1, max_size=6)

OPTIONS = st.fixed_dictionaries(
    {
        "timezone": st.sampled_from(["UTC", "Europe/Zagreb", "America/New_York", "Asia/Kolkata"]),
        "args": st.lists(
            st.sampled_from(
                [
                    ["--timestamp-format", "%d.%m.%Y %H:%M"],
                    ["--timestamp-format", "%Y-%m-%d %H:%M %Z"],
                    ["--timestamp-format", "%Q"],
                    ["--value", "status:Closed=closed"],
                    ["--value", "created_at:x=2025-01-01"],
                    ["--value", "handle_seconds:NaN="],
                    ["--set", "team=tier 1"],
                    ["--set", "handle_seconds=inf"],
                    ["--map", "category=Category"],
                    ["--map", "handle_seconds=nope"],
                    ["--encoding", "cp1252"],
                    ["--encoding", "utf-16"],
                    ["--quote", "'"],
                    ["--quote", ""],
                    ["--delimiter", ";"],
                    ["--delimiter", "\\t"],
                ]
            ),
            max_size=3,
        ),
    }
)


def run(directory: Path, path: Path, options: dict[str, Any]) -> tuple[int, Path]:
    workspace = directory / "ws"
    workspace.mkdir()
    (workspace / "supportmetrics.toml").write_text(
        f'timezone = "{options["timezone"]}"\n', encoding="utf-8"
    )
    argv = ["-w", str(workspace), "ingest", "tickets", str(path)]
    for pair in options["args"]:
        argv += pair
    return main(argv), workspace


def check(code: int, workspace: Path, rows_in_file: int | None = None) -> None:
    assert code in (0, 2, 3), code
    with Workspace.open(workspace) as ws:
        loads = ws.con.execute(
            "SELECT rows_read, accepted, rejected, inserted FROM _sm_loads"
        ).fetchall()
        stored = ws.con.execute("SELECT count(*) FROM tickets").fetchall()[0][0]
    if code == 2:  # nothing committed
        assert loads == [] and stored == 0
        return
    [(rows_read, accepted, rejected, inserted)] = loads
    assert accepted + rejected == rows_read
    assert stored == inserted == accepted  # a fresh workspace: every accepted row is new
    if rows_in_file is not None:
        assert rows_read == rows_in_file
    assert code == (0 if rejected == 0 else 3)


@FUZZ
@given(
    header=st.lists(column_name, min_size=0, max_size=4),
    rows=st.lists(st.lists(cell, min_size=0, max_size=6), max_size=8),
    dialect=st.sampled_from([(",", '"'), (";", '"'), ("\t", "'"), ("|", '"')]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    options=OPTIONS,
)
def test_random_csv_records(
    header: list[str], rows: list[list[str]], dialect: tuple[str, str], encoding: str,
    options: dict[str, Any],
) -> None:
    """Well-formed CSV of random values (written by Python's csv module): every record counts."""
    delimiter, quote = dialect
    names = ["ticket_id", "created_at", *header]
    width = len(names)
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, quotechar=quote, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    records = [(row + [""] * width)[:width] for row in rows]
    writer.writerows(records)
    options = {
        **options,
        "args": [
            *options["args"], ["--delimiter", delimiter if delimiter != "\t" else "\\t"],
            ["--quote", quote],
        ],
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.csv"
        path.write_bytes(text.getvalue().encode(encoding, "surrogatepass"))
        code, workspace = run(Path(tmp), path, options)
        explicit = any(pair[0] == "--encoding" for pair in options["args"])
        check(code, workspace, None if explicit else len(records))


@FUZZ
@given(
    lines=st.lists(
        st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join) | st.text(max_size=12),
        max_size=10,
    ),
    header=st.booleans(),
    raw=st.binary(max_size=40),
    options=OPTIONS,
)
def test_random_csv_bytes(
    lines: list[str], header: bool, raw: bytes, options: dict[str, Any]
) -> None:
    """Any bytes at all: rows are accepted or rejected, never lost, and never a crash."""
    body = ("ticket_id,created_at,status\n" if header else "") + "\n".join(lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.csv"
        path.write_bytes(body.encode("utf-8", "surrogatepass") + raw)
        code, workspace = run(Path(tmp), path, options)
        check(code, workspace)


json_value = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | cell,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)


@FUZZ
@given(
    objects=st.lists(
        st.dictionaries(column_name, json_value, max_size=5)
        | st.fixed_dictionaries({"ticket_id": cell, "created_at": cell}, optional={"handle_seconds": json_value}),
        max_size=6,
    ),
    garbage=st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=10), max_size=3),
    blank=st.integers(0, 2),
    options=OPTIONS,
)
def test_random_json_lines(
    objects: list[dict[str, Any]], garbage: list[str], blank: int, options: dict[str, Any]
) -> None:
    """Random JSON Lines (NaN and infinities as Python writes them, garbage lines, blank lines):
    every line that is not blank is one row."""
    lines = [json.dumps(o, ensure_ascii=False) for o in objects] + [
        g.replace("\n", " ").replace("\r", " ") for g in garbage
    ]
    lines += [""] * blank
    text = "\n".join(lines) + "\n"
    data = text.encode("utf-8", "surrogatepass")
    rows_in_file = sum(1 for line in data.split(b"\n") if line.strip(b" \t\r\n"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.jsonl"
        path.write_bytes(data)
        code, workspace = run(Path(tmp), path, options)
        check(code, workspace, rows_in_file)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join), max_size=8),
    quote=st.sampled_from(['"', "'"]),
)
def test_one_pass_and_line_by_line_read_a_sound_file_alike(lines: list[str], quote: str) -> None:
    """The one-pass reading is used only for a file it reads exactly as line by line would."""
    options = {"delimiter": ",", "strict": True, "quotechar": quote, "doublequote": True}
    dialect = readers.CsvDialect(quote=quote)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_bytes(("a,b,c\n" + "\n".join(lines)).encode("utf-8", "surrogatepass"))
        con = duckdb.connect()
        try:
            readers._read_sound_csv(con, path, "sound", dialect, options)
        except readers._NotClean:
            return
        assert readers._read_csv_line_by_line(con, path, "careful", dialect, options) == []
        sound = con.execute("SELECT * FROM sound ORDER BY _row").fetchall()
        careful = con.execute("SELECT * FROM careful ORDER BY _row").fetchall()
        assert sound == careful
        con.close()
