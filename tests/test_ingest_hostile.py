"""Hostile and unusual files (tests/hostile/make_corpus.py): each loads exactly as stated.

Row numbers are physical line numbers (the header is line 1, blank lines count); every expected
value is read off the file the corpus script writes, described in its docstring.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hostile.make_corpus import DEEP_LINE, write_corpus

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.ingest import LoadResult
from supportmetrics.ingest.load import GAP, NOT_FINITE, REPEATED

QUOTE_RUNS_ON = (
    'broken quoting: the quote (") opened on this line runs on into line {next} (a quoted value '
    "may span lines, but its closing quote must end the value)"
)
NEVER_CLOSED = 'broken quoting: the quote (") opened on this line is never closed'


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture
def zagreb(tmp_path: Path) -> Iterator[Workspace]:
    directory = tmp_path / "zg"
    directory.mkdir()
    (directory / "supportmetrics.toml").write_text('timezone = "Europe/Zagreb"\n', encoding="utf-8")
    with Workspace.open(directory) as ws:
        yield ws


def rejects(result: LoadResult) -> list[tuple[int, str, str, str]]:
    return [(r.row, r.column, r.value, r.reason) for r in result.rejects]


def counts(result: LoadResult) -> tuple[int, int, int]:
    return result.rows_read, result.accepted, result.rejected_rows


def column(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    return ws.con.execute(sql).fetchall()


def flat(text: str) -> str:
    return " ".join(text.split())


# --- one broken quote costs one line, wherever it is -------------------------------------------


@pytest.mark.parametrize("case", ["broken_quote_top", "gzipped_broken"])
def test_a_broken_quote_rejects_its_line_alone(
    workspace: Workspace, corpus: dict[str, Path], case: str
) -> None:
    result = workspace.ingest("tickets", corpus[case])
    # line 4 (T3) opens a quote; the next quote is on line 5, followed by text
    assert rejects(result) == [
        (4, "", 'T3,2025-10-03 10:00,"billing', QUOTE_RUNS_ON.format(next=5)),
    ]
    assert counts(result) == (5, 4, 1)
    assert column(workspace, "SELECT ticket_id, category FROM tickets ORDER BY 1") == [
        (f"T{i}", "billing, refunds") for i in (1, 2, 4, 5)
    ]


def test_a_quote_never_closed_rejects_its_line_alone(
    workspace: Workspace, corpus: dict[str, Path]
) -> None:
    result = workspace.ingest("tickets", corpus["broken_quote_unquoted"])
    assert rejects(result) == [(4, "", 'U3,2025-10-03 10:00,"billing', NEVER_CLOSED)]
    assert counts(result) == (5, 4, 1)
    assert column(workspace, "SELECT ticket_id, category FROM tickets ORDER BY 1") == [
        ("U1", "billing"), ("U2", "billing"), ("U4", "billing"), ("U5", "billing"),
    ]


def test_the_same_broken_row_deep_in_a_file_is_handled_the_same(
    workspace: Workspace, corpus: dict[str, Path]
) -> None:
    result = workspace.ingest("tickets", corpus["broken_quote_deep"])
    assert rejects(result) == [
        (DEEP_LINE, "", 'DX,2025-10-03 10:00,"billing', QUOTE_RUNS_ON.format(next=DEEP_LINE + 1)),
    ]
    # 40,000 good rows before it (lines 2..40,001), T4 and T5 after it
    assert counts(result) == (40_003, 40_002, 1)
    assert column(workspace, "SELECT count(*) FROM tickets WHERE category = 'billing, refunds'") == [
        (40_002,)
    ]


def test_an_over_long_line_is_rejected_alone_in_the_products_words(
    tmp_path: Path, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["-w", str(tmp_path / "ws"), "ingest", "tickets", str(corpus["long_line"])])
    out, err = capsys.readouterr()
    assert code == 3
    assert (
        "long_line.csv row 3: the record is longer than 2,097,152 characters (a quote never "
        "closed, or a value too long to be data)" in flat(err)
    )
    assert "tickets: 3 rows read, 2 accepted (2 new, 0 updated, 0 unchanged), 1 rejected" in flat(out)
    assert len(err) < 600  # the message, not the line or the reader's internals
    for internal in ("read_csv", "reject_errors", "max_line_size", "SELECT", "_sm_"):
        assert internal not in err + out
    with Workspace.open(tmp_path / "ws") as ws:
        assert column(ws, "SELECT ticket_id, category FROM tickets ORDER BY 1") == [
            ("L1", "short"), ("L3", "short"),
        ]


def test_a_header_that_cannot_be_read_is_a_file_error(
    tmp_path: Path, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["-w", str(tmp_path / "ws"), "ingest", "tickets", str(corpus["broken_header"])]
    assert main(argv) == 2
    assert (
        "broken_header.csv: line 1, the header, cannot be read: " + NEVER_CLOSED
        in flat(capsys.readouterr().err)
    )


# --- numbers that are not numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "shown", "first_row"),
    [
        ("not_numbers_csv", ["NaN", "inf", "Infinity", "1e400", "-inf"], 2),
        ("not_numbers_jsonl", ["NaN", "Infinity", "Infinity", "1e400", "-Infinity"], 1),
        ("not_numbers_parquet", ["nan", "inf", "inf", "inf", "-inf"], 1),
    ],
)
def test_nan_and_infinities_are_rejected_rows(
    workspace: Workspace, corpus: dict[str, Path], case: str, shown: list[str], first_row: int
) -> None:
    result = workspace.ingest("tickets", corpus[case])
    assert rejects(result) == [
        (first_row + i, "handle_seconds", value, NOT_FINITE) for i, value in enumerate(shown)
    ]
    assert counts(result) == (6, 1, 5)
    assert column(workspace, "SELECT ticket_id, handle_seconds FROM tickets") == [("N6", 90.0)]
    assert NOT_FINITE == "is not a finite number (NaN and infinity are not numbers)"


# --- time zones --------------------------------------------------------------------------------


def test_zone_abbreviations_are_rejected_naming_the_offset_to_use(
    workspace: Workspace, corpus: dict[str, Path]
) -> None:
    result = workspace.ingest("tickets", corpus["zone_abbreviations"])
    got = rejects(result)
    assert [(row, col, value) for row, col, value, _ in got] == [
        (2, "created_at", "2025-10-01 09:00 BST"),
        (3, "created_at", "2025-10-01 09:00 PST"),
        (4, "created_at", "2025-10-01 09:00 IST"),
    ]
    lead = "ends in the time-zone abbreviation {}, which is not read"
    hints = [
        "+01:00 for British Summer Time (Europe/London), +06:00 for Bangladesh (Asia/Dhaka)",
        "-08:00 for Pacific Standard Time, -07:00 in summer (America/Los_Angeles)",
        "+05:30 for India (Asia/Kolkata), +01:00 for Irish Standard Time (Europe/Dublin)",
    ]
    for (_, _, _, reason), word, hint in zip(got, ("BST", "PST", "IST"), hints, strict=True):
        assert reason.startswith(lead.format(word)) and hint in reason
        assert "write the UTC offset instead" in reason
    # UTC as written; +01:00 -> 08:00 UTC; Europe/London is on summer time (+01:00) on 1 October
    assert column(workspace, "SELECT ticket_id, created_at FROM tickets ORDER BY 1") == [
        ("Z4", datetime(2025, 10, 1, 9, 0)),
        ("Z5", datetime(2025, 10, 1, 8, 0)),
        ("Z6", datetime(2025, 10, 1, 8, 0)),
    ]


def test_a_local_time_in_a_dst_gap_is_rejected_for_that_reason(
    zagreb: Workspace, corpus: dict[str, Path]
) -> None:
    result = zagreb.ingest("tickets", corpus["dst_gap"])
    gap = GAP.format(zone="Europe/Zagreb")
    assert gap == (
        "is not a time in Europe/Zagreb: the clocks skipped that hour (daylight saving time "
        "began); write the time with its UTC offset"
    )
    # one reason per row: the gap, not "resolved_at is before created_at"
    assert rejects(result) == [
        (2, "resolved_at", "2025-03-30 02:30", gap),
        (3, "created_at", "2025-03-30 02:30", gap),
    ]
    # G3: 02:30 on 26 October happens twice; read as the second (standard time, +01:00) ->
    # 01:30 UTC; 03:10 is after the change (+01:00) -> 02:10 UTC.
    # G4: 02:30+01:00 is a moment (01:30 UTC), whatever the wall clock did.
    assert column(zagreb, "SELECT ticket_id, created_at, resolved_at FROM tickets ORDER BY 1") == [
        ("G3", datetime(2025, 10, 26, 1, 30), datetime(2025, 10, 26, 2, 10)),
        ("G4", datetime(2025, 3, 30, 1, 30), None),
    ]


def test_a_broken_order_in_a_repeated_hour_names_that_hour(
    zagreb: Workspace, corpus: dict[str, Path]
) -> None:
    result = zagreb.ingest("tickets", corpus["dst_overlap"])
    assert rejects(result) == [
        (
            2, "first_response_at", "2025-10-26 02:10",
            "is before created_at" + REPEATED.format(zone="Europe/Zagreb"),
        ),
        (3, "first_response_at", "2025-10-27 09:00", "is before created_at"),
    ]
    assert REPEATED.format(zone="Europe/Zagreb") == (
        " (Europe/Zagreb repeats an hour when its clocks go back, and a local time in that hour "
        "is read as its second occurrence, in standard time; give these times with their UTC "
        "offset)"
    )
    # with offsets: 02:50+02:00 = 00:50 UTC, 02:10+01:00 = 01:10 UTC
    assert column(zagreb, "SELECT ticket_id, created_at, first_response_at FROM tickets") == [
        ("V3", datetime(2025, 10, 26, 0, 50), datetime(2025, 10, 26, 1, 10)),
    ]


# --- paths are literal -------------------------------------------------------------------------


def test_a_file_name_with_a_star_is_that_file_only(
    tmp_path: Path, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    star = corpus["literal_paths"]
    assert star.name == "tick*.csv" and (star.parent / "ticket_other.csv").exists()
    code = main(["-w", str(tmp_path / "ws"), "ingest", "tickets", str(star)])
    assert code == 0, capsys.readouterr()
    with Workspace.open(tmp_path / "ws") as ws:
        assert column(ws, "SELECT ticket_id FROM tickets") == [("STAR",)]
    # a pattern that names no file is a missing file, not a search
    code = main(["-w", str(tmp_path / "ws"), "ingest", "tickets", str(star.parent / "tick?.csv")])
    assert code == 2
    assert "tick?.csv: no such file" in flat(capsys.readouterr().err)


def test_a_parquet_file_name_with_brackets_is_that_file_only(
    workspace: Workspace, corpus: dict[str, Path]
) -> None:
    result = workspace.ingest("tickets", corpus["literal_paths_parquet"])
    assert counts(result) == (1, 1, 0)
    assert column(workspace, "SELECT ticket_id FROM tickets") == [("BRACKET",)]


# --- encodings ---------------------------------------------------------------------------------


def test_utf16_with_its_mark_is_read(workspace: Workspace, corpus: dict[str, Path]) -> None:
    result = workspace.ingest("tickets", corpus["utf16_bom"])
    assert counts(result) == (1, 1, 0)
    assert column(workspace, "SELECT ticket_id, category FROM tickets") == [("E1", "café")]


def test_utf16_without_its_mark_names_the_encoding_option(
    tmp_path: Path, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(corpus["utf16_no_bom"])
    assert main(["-w", str(tmp_path / "ws"), "ingest", "tickets", path]) == 2
    assert (
        "utf16_no_bom.csv: looks like UTF-16 text without a byte-order mark; give its "
        "encoding: --encoding utf-16-le" in flat(capsys.readouterr().err)
    )
    assert main(["-w", str(tmp_path / "ws"), "ingest", "tickets", path, "--encoding", "utf-16-le"]) == 0
    with Workspace.open(tmp_path / "ws") as ws:
        assert column(ws, "SELECT ticket_id, category FROM tickets") == [("E1", "café")]


def test_text_in_another_encoding_is_rejected_naming_the_option(
    workspace: Workspace, corpus: dict[str, Path]
) -> None:
    result = workspace.ingest("tickets", corpus["cp1252"])
    assert rejects(result) == [
        (
            2, "", "E1,2025-10-01 10:00,caf\\xe9",
            "is not valid UTF-8 text (byte 0xE9); give the file's encoding, e.g. --encoding cp1252",
        )
    ]
    again = workspace.ingest("tickets", corpus["cp1252"], mapping={"encoding": "cp1252"})
    assert counts(again) == (1, 1, 0)
    assert column(workspace, "SELECT ticket_id, category FROM tickets") == [("E1", "café")]


# --- valid files that used to be refused or mangled --------------------------------------------


def test_a_line_break_in_a_quoted_header_and_value(workspace: Workspace, corpus: dict[str, Path]) -> None:
    result = workspace.ingest("tickets", corpus["header_newline"])
    assert counts(result) == (2, 2, 0)
    assert result.attributes == ("note",)
    # "Created\nAt" is found as created_at
    assert column(workspace, "SELECT ticket_id, created_at, note FROM tickets ORDER BY 1") == [
        ("H1", datetime(2025, 10, 1, 10, 0), "two\nlines"),
        ("H2", datetime(2025, 10, 2, 10, 0), "one"),
    ]


def test_a_parquet_column_named_file_row_number(workspace: Workspace, corpus: dict[str, Path]) -> None:
    result = workspace.ingest("tickets", corpus["file_row_number_parquet"])
    assert counts(result) == (2, 2, 0)
    assert column(workspace, "SELECT ticket_id, file_row_number FROM tickets ORDER BY 1") == [
        ("P1", "70"), ("P2", "80"),
    ]


def test_nul_bytes_are_kept_in_text(workspace: Workspace, corpus: dict[str, Path]) -> None:
    assert workspace.ingest("tickets", corpus["nul_bytes"]).ok
    assert column(workspace, "SELECT category FROM tickets") == [("bill\x00ing",)]


def test_column_names_keep_the_letters_of_every_script(
    workspace: Workspace, corpus: dict[str, Path]
) -> None:
    result = workspace.ingest("tickets", corpus["unicode_names"])
    assert result.attributes == ("ünïcödé_名前", "регион")
    assert column(workspace, 'SELECT "ünïcödé_名前", "регион" FROM tickets') == [("x", "y")]


def test_a_json_key_given_twice_rejects_the_row(workspace: Workspace, corpus: dict[str, Path]) -> None:
    result = workspace.ingest("tickets", corpus["duplicate_keys"])
    assert rejects(result) == [
        (
            2, "", '{"ticket_id": "K2", "created_at": "2025-10-02 10:00", "ticket_id": "K3"}',
            "the key 'ticket_id' appears twice in the object (which one is meant is unclear)",
        )
    ]
    assert column(workspace, "SELECT ticket_id FROM tickets ORDER BY 1") == [("K1",), ("K4",)]


def test_json_lines_that_are_not_objects_or_not_utf8(
    workspace: Workspace, corpus: dict[str, Path]
) -> None:
    result = workspace.ingest("tickets", corpus["json_not_object"])
    assert rejects(result) == [
        (2, "", "[1, 2]", "not a JSON object"),
        (3, "", '"text"', "not a JSON object"),
        (4, "", '{"ticket_id": "O2", "created_at": "caf\ufffd"}', "is not valid UTF-8 text (byte 0xE9)"),
    ]
    assert counts(result) == (5, 2, 3)
    assert column(workspace, "SELECT ticket_id FROM tickets ORDER BY 1") == [("O1",), ("O3",)]


# --- row numbers are physical lines ------------------------------------------------------------


def test_reject_rows_are_physical_line_numbers(workspace: Workspace, corpus: dict[str, Path]) -> None:
    result = workspace.ingest("tickets", corpus["physical_lines"])
    got = rejects(result)
    assert [(row, col, value) for row, col, value, _ in got] == [
        (7, "created_at", "not a date"),
        (8, "", "R4,2025-10-04 10:00,d,extra"),
        (10, "created_at", "yesterday"),
    ]
    assert got[1][3] == (
        "too many columns: 4 values where the header has 3 (a value containing ',' must be quoted)"
    )
    assert counts(result) == (5, 2, 3)
    assert column(workspace, "SELECT ticket_id, category FROM tickets ORDER BY 1") == [
        ("R1", "a"), ("R2", "two\nlines"),
    ]


def test_json_lines_rows_count_blank_lines(workspace: Workspace, corpus: dict[str, Path]) -> None:
    result = workspace.ingest("tickets", corpus["physical_lines_jsonl"])
    assert [(row, col, value) for row, col, value, _ in rejects(result)] == [(4, "created_at", "nope")]
    assert counts(result) == (3, 2, 1)


# --- the dialect is an option, never a guess ---------------------------------------------------


def test_the_delimiter_is_an_option(
    tmp_path: Path, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(corpus["semicolons"])
    argv = ["-w", str(tmp_path / "ws"), "ingest", "tickets", path]
    # read by the default rule (',') the header is one column: the mapping says what is missing
    assert main(argv) == 2
    err = flat(capsys.readouterr().err)
    assert "required column(s) not found: ticket_id" in err
    assert (
        "(the header is one column: if the values are separated by ';', give --delimiter ';')"
        in err
    )
    assert main([*argv, "--delimiter", ";"]) == 0
    with Workspace.open(tmp_path / "ws") as ws:
        assert column(ws, "SELECT ticket_id, category FROM tickets") == [("S1", "billing, refunds")]


def test_no_quoting_and_a_tab_delimiter(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text('ticket_id\tcreated_at\tcategory\nQ1\t2025-10-01 10:00\t"as is\n', encoding="utf-8")
    result = workspace.ingest("tickets", path, mapping={"quote": ""})
    assert counts(result) == (1, 1, 0)
    assert column(workspace, "SELECT category FROM tickets") == [('"as is',)]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--delimiter", ";;"], "delimiter ';;': must be one character"),
        (["--quote", "<>"], "quote '<>': must be one character, or '' for none"),
        (["--encoding", "klingon"], "encoding 'klingon' is not known"),
    ],
)
def test_a_bad_dialect_option_is_a_user_error(
    tmp_path: Path, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str],
    option: list[str], message: str,
) -> None:
    argv = ["-w", str(tmp_path / "ws"), "ingest", "tickets", str(corpus["semicolons"]), *option]
    assert main(argv) == 2
    assert message in flat(capsys.readouterr().err)
