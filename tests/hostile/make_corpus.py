"""The hostile-input corpus: broken, odd and valid-but-unusual files that ingest must handle.

Every file is generated (nothing binary is committed), so each case is readable here and can be
reproduced by hand::

    python tests/hostile/make_corpus.py /tmp/corpus      # writes the files, lists them
    supportmetrics -w /tmp/ws ingest tickets /tmp/corpus/broken_quote_top.csv

``CASES`` names each file and what it probes; tests/test_ingest_hostile.py loads each one and
asserts the exact outcome. Other test modules may add their own cases to their own corpus.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HEADER = "ticket_id,created_at,category\n"
#: the line number (a person's count, the header is line 1) of the broken row in the deep file
DEEP_LINE = 40_002


def _quoted_rows(ids: range) -> str:
    return "".join(f'T{i},2025-10-0{i % 9 + 1} 10:00,"billing, refunds"\n' for i in ids)


def broken_quote_top(directory: Path) -> Path:
    """5 rows, category quoted; row T3 (line 4) opens a quote it never closes on its line."""
    text = (
        HEADER
        + _quoted_rows(range(1, 3))
        + 'T3,2025-10-03 10:00,"billing\n'
        + _quoted_rows(range(4, 6))
    )
    return _write(directory / "broken_quote_top.csv", text)


def broken_quote_unquoted(directory: Path) -> Path:
    """The same broken row in a file with no other quoted value (the quote is never closed)."""
    rows = [f"U{i},2025-10-0{i} 10:00,billing\n" for i in range(1, 6)]
    rows[2] = 'U3,2025-10-03 10:00,"billing\n'
    return _write(directory / "broken_quote_unquoted.csv", HEADER + "".join(rows))


def broken_quote_deep(directory: Path) -> Path:
    """The broken row of broken_quote_top at line 40,002, after 40,000 good rows."""
    good = "".join(f'D{i},2025-10-01 10:00,"billing, refunds"\n' for i in range(1, DEEP_LINE - 1))
    text = HEADER + good + 'DX,2025-10-03 10:00,"billing\n' + _quoted_rows(range(4, 6))
    return _write(directory / "broken_quote_deep.csv", text)


def long_line(directory: Path) -> Path:
    """A 3,000,000-character value on line 3 (over the 2 MiB a record may have)."""
    text = (
        HEADER
        + "L1,2025-10-01 10:00,short\n"
        + "L2,2025-10-02 10:00," + "x" * 3_000_000 + "\n"
        + "L3,2025-10-03 10:00,short\n"
    )
    return _write(directory / "long_line.csv", text)


NOT_NUMBERS = ("NaN", "inf", "Infinity", "1e400", "-inf")


def not_numbers_csv(directory: Path) -> Path:
    """handle_seconds NaN, inf, Infinity, 1e400, -inf (rows N1..N5) and 90 (N6)."""
    rows = "".join(
        f"N{i},2025-10-01 10:00,{v}\n" for i, v in enumerate((*NOT_NUMBERS, "90"), start=1)
    )
    return _write(directory / "not_numbers.csv", "ticket_id,created_at,handle_seconds\n" + rows)


def not_numbers_jsonl(directory: Path) -> Path:
    """The same as JSON Lines: bare NaN / Infinity / 1e400 tokens, as Python's json writes them."""
    lines = [
        f'{{"ticket_id": "N{i}", "created_at": "2025-10-01 10:00", "handle_seconds": {v}}}\n'
        for i, v in enumerate(("NaN", "Infinity", "Infinity", "1e400", "-Infinity", "90"), 1)
    ]
    return _write(directory / "not_numbers.jsonl", "".join(lines))


def not_numbers_parquet(directory: Path) -> Path:
    """Typed doubles: NaN, inf, inf, inf (1e400 overflows), -inf, 90."""
    inf = float("inf")
    path = directory / "not_numbers.parquet"
    pq.write_table(
        pa.table(
            {
                "ticket_id": [f"N{i}" for i in range(1, 7)],
                "created_at": ["2025-10-01 10:00"] * 6,
                "handle_seconds": pa.array([float("nan"), inf, inf, inf, -inf, 90.0]),
            }
        ),
        path,
    )
    return path


def zone_abbreviations(directory: Path) -> Path:
    """09:00 BST (London summer, not Bangladesh), PST in October, IST, and what is unambiguous."""
    text = (
        "ticket_id,created_at\n"
        "Z1,2025-10-01 09:00 BST\n"
        "Z2,2025-10-01 09:00 PST\n"
        "Z3,2025-10-01 09:00 IST\n"
        "Z4,2025-10-01 09:00 UTC\n"
        "Z5,2025-10-01T09:00:00+01:00\n"
        "Z6,2025-10-01 09:00 Europe/London\n"
    )
    return _write(directory / "zone_abbreviations.csv", text)


def dst_gap(directory: Path) -> Path:
    """Local times in Europe/Zagreb: 02:30 on 2025-03-30 does not exist (clocks 02:00 -> 03:00);
    02:30 on 2025-10-26 happens twice (clocks 03:00 -> 02:00)."""
    text = (
        "ticket_id,created_at,resolved_at\n"
        "G1,2025-03-30 01:30,2025-03-30 02:30\n"
        "G2,2025-03-30 02:30,2025-03-30 04:00\n"
        "G3,2025-10-26 02:30,2025-10-26 03:10\n"
        "G4,2025-03-30T02:30:00+01:00,\n"
    )
    return _write(directory / "dst_gap.csv", text)


def dst_overlap(directory: Path) -> Path:
    """Europe/Zagreb on 2025-10-26: the clocks go back from 03:00 to 02:00, so 02:00-03:00
    happens twice. V1 was opened at 02:50 summer time and answered at 02:10 winter time (20
    minutes later), written without offsets; V2 is plainly answered before it was opened."""
    text = (
        "ticket_id,created_at,first_response_at\n"
        "V1,2025-10-26 02:50,2025-10-26 02:10\n"
        "V2,2025-10-27 10:00,2025-10-27 09:00\n"
        "V3,2025-10-26T02:50:00+02:00,2025-10-26T02:10:00+01:00\n"
    )
    return _write(directory / "dst_overlap.csv", text)


def literal_paths(directory: Path) -> Path:
    """A file really named ``tick*.csv`` next to ``ticket_other.csv`` (which the name matches)."""
    _write(directory / "ticket_other.csv", "ticket_id,created_at\nOTHER,2025-10-01 10:00\n")
    return _write(directory / "tick*.csv", "ticket_id,created_at\nSTAR,2025-10-01 10:00\n")


def literal_paths_parquet(directory: Path) -> Path:
    """The same for Parquet: ``tick[1].parquet`` next to ``tick1.parquet`` (which it matches)."""
    for name, ticket in (("tick1.parquet", "OTHER"), ("tick[1].parquet", "BRACKET")):
        pq.write_table(pa.table({"ticket_id": [ticket], "created_at": ["2025-10-01 10:00"]}), directory / name)
    return directory / "tick[1].parquet"


ENCODED = "ticket_id,created_at,category\nE1,2025-10-01 10:00,café\n"


def utf16_bom(directory: Path) -> Path:
    """UTF-16 with its byte-order mark (as spreadsheet programs save 'Unicode text')."""
    path = directory / "utf16_bom.csv"
    path.write_bytes(ENCODED.encode("utf-16"))
    return path


def utf16_no_bom(directory: Path) -> Path:
    """UTF-16 little-endian without a byte-order mark."""
    path = directory / "utf16_no_bom.csv"
    path.write_bytes(ENCODED.encode("utf-16-le"))
    return path


def cp1252(directory: Path) -> Path:
    """Windows-1252: 'café' is the byte 0xE9, not UTF-8."""
    path = directory / "cp1252.csv"
    path.write_bytes(ENCODED.encode("cp1252"))
    return path


def header_newline(directory: Path) -> Path:
    """A quoted line break inside a header name, and one inside a value."""
    text = 'ticket_id,"Created\nAt",Note\nH1,2025-10-01 10:00,"two\nlines"\nH2,2025-10-02 10:00,one\n'
    return _write(directory / "header_newline.csv", text)


def file_row_number_parquet(directory: Path) -> Path:
    """A Parquet column named like the reader's own row-number column."""
    path = directory / "file_row_number.parquet"
    pq.write_table(
        pa.table(
            {
                "ticket_id": ["P1", "P2"],
                "created_at": ["2025-10-01 10:00", "2025-10-02 10:00"],
                "file_row_number": [70, 80],
            }
        ),
        path,
    )
    return path


def nul_bytes(directory: Path) -> Path:
    """A NUL byte inside a category (kept as text)."""
    return _write(directory / "nul_bytes.csv", HEADER + "B1,2025-10-01 10:00,bill\x00ing\n")


def unicode_names(directory: Path) -> Path:
    """Column names in several scripts."""
    text = "ticket_id,created_at,ünïcödé 名前,Регион\nC1,2025-10-01 10:00,x,y\n"
    return _write(directory / "unicode_names.csv", text)


def duplicate_keys(directory: Path) -> Path:
    """A JSON object with the same key twice (line 2), between two good lines."""
    lines = [
        '{"ticket_id": "K1", "created_at": "2025-10-01 10:00"}',
        '{"ticket_id": "K2", "created_at": "2025-10-02 10:00", "ticket_id": "K3"}',
        '{"ticket_id": "K4", "created_at": "2025-10-04 10:00"}',
    ]
    return _write(directory / "duplicate_keys.jsonl", "\n".join(lines) + "\n")


def physical_lines(directory: Path) -> Path:
    """Blank lines and a two-line quoted value before bad rows: rows are physical line numbers.

    line 1 header, 2 R1, 3 blank, 4-5 R2 (a value over two lines), 6 blank, 7 R3 bad date,
    8 R4 too many columns, 9 blank, 10 R5 bad date.
    """
    text = (
        HEADER
        + "R1,2025-10-01 10:00,a\n"
        + "\n"
        + 'R2,2025-10-02 10:00,"two\nlines"\n'
        + "\n"
        + "R3,not a date,c\n"
        + "R4,2025-10-04 10:00,d,extra\n"
        + "\r\n"
        + "R5,yesterday,e\n"
    )
    return _write(directory / "physical_lines.csv", text)


def physical_lines_jsonl(directory: Path) -> Path:
    """Blank lines in JSON Lines: line 4 is bad, line 6 good."""
    text = (
        '{"ticket_id": "J1", "created_at": "2025-10-01 10:00"}\n'
        "\n"
        "   \n"
        '{"ticket_id": "J2", "created_at": "nope"}\n'
        "\n"
        '{"ticket_id": "J3", "created_at": "2025-10-03 10:00"}\n'
    )
    return _write(directory / "physical_lines.jsonl", text)


def semicolons(directory: Path) -> Path:
    """A European export: ';' delimiter, ',' decimal separators in the text."""
    text = "ticket_id;created_at;category\nS1;2025-10-01 10:00;billing, refunds\n"
    return _write(directory / "semicolons.csv", text)


def gzipped_broken(directory: Path) -> Path:
    """broken_quote_top, gzipped."""
    source = broken_quote_top(directory)
    path = directory / "broken_quote_top.csv.gz"
    path.write_bytes(gzip.compress(source.read_bytes()))
    return path


def json_not_object(directory: Path) -> Path:
    """JSON values that are not objects, and a line of bytes that are not UTF-8."""
    path = directory / "not_objects.jsonl"
    path.write_bytes(
        b'{"ticket_id": "O1", "created_at": "2025-10-01 10:00"}\n'
        b"[1, 2]\n"
        b'"text"\n'
        b'{"ticket_id": "O2", "created_at": "caf\xe9"}\n'
        + json.dumps({"ticket_id": "O3", "created_at": "2025-10-03 10:00"}).encode()
        + b"\n"
    )
    return path


def broken_header(directory: Path) -> Path:
    """A header whose quote is never closed: there are no columns to read rows into."""
    return _write(directory / "broken_header.csv", 'ticket_id,"created_at\nT1,2025-10-01 10:00\n')


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


CASES: dict[str, Callable[[Path], Path]] = {
    f.__name__: f
    for f in (
        broken_quote_top, broken_quote_unquoted, broken_quote_deep, long_line, not_numbers_csv,
        not_numbers_jsonl, not_numbers_parquet, zone_abbreviations, dst_gap, dst_overlap, literal_paths,
        literal_paths_parquet,
        utf16_bom, utf16_no_bom, cp1252, header_newline, file_row_number_parquet, nul_bytes,
        unicode_names, duplicate_keys, physical_lines, physical_lines_jsonl, semicolons,
        gzipped_broken, json_not_object, broken_header,
    )
}


def write_corpus(directory: Path) -> dict[str, Path]:
    """Write every case into ``directory``; returns case name -> file."""
    directory.mkdir(parents=True, exist_ok=True)
    return {name: make(directory) for name, make in CASES.items()}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for name, file in write_corpus(target).items():
        print(f"{name:28} {file}")
