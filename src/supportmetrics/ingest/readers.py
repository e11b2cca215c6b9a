"""Read CSV, Parquet and JSON Lines files (and gzip of each) into a DuckDB staging table.

The staging table has ``_row`` (the physical line number of a CSV record's first line, blank
lines and the header counted, so the first record after a one-line header is row 2; for JSON
Lines the line number; for Parquet the record number from 1) and one column per source column,
named as in the file. CSV and JSON Lines columns are text; Parquet keeps its types.

A path is always one file, taken literally: ``tick*.csv`` is the file of that name, never a
pattern (the shell expands patterns before the command sees them).

How a CSV file is split into records is decided by a fixed rule, never by sampling the file:
RFC 4180 with ``,`` as the delimiter (a tab for ``.tsv``) and ``"`` as the quote, unless the
mapping says otherwise (:class:`CsvDialect`). A quoted value may contain delimiters, doubled
quotes and line breaks. A record that cannot be read (a quote that is never closed or is followed
by other text, more or fewer values than the header, a record over :data:`MAX_RECORD_CHARS`,
text that is not valid in the file's encoding) is rejected as its first line alone, and reading
goes on from the next line, so one bad line never costs another line.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from supportmetrics.errors import InputFileError
from supportmetrics.ingest.sql import ident, literal

FORMATS = ("csv", "parquet", "jsonl")
#: The longest record (CSV) or line (JSON Lines) read, in characters; a longer one is rejected.
MAX_RECORD_CHARS = 2 * 1024 * 1024
#: Records staged per batch (bounds the memory a load of a large file needs).
BATCH_ROWS = 50_000
#: Column names the staging table uses itself; a source column so named gets a suffix.
RESERVED = frozenset({"_row"})
SHOWN_CHARS = 200

_PATTERN = re.compile(r"[*?\[\]{}]")  # characters the database's readers take as a file pattern
_BAD_TEXT = re.compile("[\udc80-\udcff]")  # bytes the decoder could not read (surrogateescape)


@dataclass(frozen=True)
class CsvDialect:
    """How CSV records are written: the delimiter, the quote ("" = no quoting) and the encoding.

    ``encoding`` None means UTF-8 (a byte-order mark is skipped), or UTF-16 when the file starts
    with a UTF-16 byte-order mark.
    """

    delimiter: str | None = None
    quote: str = '"'
    encoding: str | None = None

    def check(self) -> CsvDialect:
        """Itself, or an InputFileError naming the option that is wrong."""
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise InputFileError(
                f"delimiter {self.delimiter!r}: must be one character (use '\\t' for a tab)"
            )
        if len(self.quote) > 1:
            raise InputFileError(f"quote {self.quote!r}: must be one character, or '' for none")
        if self.delimiter is not None and self.delimiter in ('\n', '\r', self.quote):
            raise InputFileError(f"delimiter {self.delimiter!r}: cannot be a line break or the quote")
        if self.quote in ("\n", "\r"):
            raise InputFileError("quote: cannot be a line break")
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise InputFileError(
                    f"encoding {self.encoding!r} is not known; e.g. utf-8, utf-16, cp1252, latin-1"
                ) from None
        return self


@dataclass(frozen=True)
class StructuralReject:
    row: int
    reason: str
    text: str


@dataclass(frozen=True)
class StagedFile:
    path: Path
    format: str
    table: str
    columns: tuple[str, ...]
    types: dict[str, str]
    rows: int
    rejects: tuple[StructuralReject, ...]


def detect_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in (".csv", ".tsv", ".txt"):
        return "csv"
    if last in (".parquet", ".pq"):
        return "parquet"
    if last in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise InputFileError(
        f"{path}: cannot tell the format from the name; use .csv, .parquet or .jsonl (optionally .gz)"
    )


def stage_file(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, dialect: CsvDialect | None = None
) -> StagedFile:
    """Stage one file (its path taken literally) into the temporary table ``table``."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if not path.is_file():
        raise InputFileError(f"{path}: not a file")
    fmt = detect_format(path)
    try:
        if fmt == "csv":
            rejects = _stage_csv(con, path, table, (dialect or CsvDialect()).check())
        elif fmt == "parquet":
            rejects = _stage_parquet(con, path, table)
        else:
            rejects = _stage_jsonl(con, path, table)
    except UnicodeError as exc:  # e.g. "utf-16" given for a file without its byte-order mark
        hint = "; give utf-16-le or utf-16-be" if "BOM" in str(exc) else ""
        raise InputFileError(f"{path}: cannot be read in the encoding given: {exc}{hint}") from exc
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputFileError(f"{path}: cannot be read: {exc}") from exc
    except (pa.ArrowException, duckdb.Error) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputFileError(f"{path}: cannot be read as {fmt}: {first[:300]}") from exc
    return _staged(con, path, fmt, table, rejects)


def stage_frame(con: duckdb.DuckDBPyConnection, label: str, frame: object, table: str) -> StagedFile:
    """Stage an in-memory Arrow table or pandas DataFrame (row numbers from 1)."""
    con.register("_sm_frame", frame)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS "
            "SELECT row_number() OVER () AS _row, * FROM _sm_frame"
        )
    finally:
        con.unregister("_sm_frame")
    return _staged(con, Path(label), "frame", table, [])


def _staged(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, table: str, rejects: list[StructuralReject]
) -> StagedFile:
    described = con.execute(f"DESCRIBE {ident(table)}").fetchall()
    types = {str(name): str(kind) for name, kind, *_ in described if name != "_row"}
    rows = int(con.execute(f"SELECT count(*) FROM {ident(table)}").fetchall()[0][0])
    return StagedFile(path, fmt, table, tuple(types), types, rows, tuple(rejects))


def unique_names(names: list[str]) -> list[str]:
    """Column names as the staging table can hold them: an empty name becomes ``column_N``
    (N its position from 1), a repeated or reserved one gets ``_2``, ``_3``, ..."""
    seen: set[str] = set(RESERVED)
    result: list[str] = []
    for position, raw in enumerate(names, start=1):
        name = raw if raw.strip() else f"column_{position}"
        base, n = name, 2
        while name in seen:
            name, n = f"{base}_{n}", n + 1
        seen.add(name)
        result.append(name)
    return result


class _Batches:
    """Appends batches of text columns (plus ``_row``) to a temporary table."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
        self.con, self.table = con, table
        self.columns = list(columns)
        self.created = False

    def add_columns(self, names: list[str]) -> None:
        for name in names:
            self.columns.append(name)
            if self.created:
                self.con.execute(f"ALTER TABLE {ident(self.table)} ADD COLUMN {ident(name)} VARCHAR")

    def write(self, rows: list[int], values: Sequence[Sequence[str | None]]) -> None:
        """Write one batch; ``values`` holds one list per column, in ``columns`` order."""
        arrays = [pa.array(rows, pa.int64())] + [pa.array(v, pa.string()) for v in values]
        batch = pa.Table.from_arrays(arrays, names=["_row", *self.columns])
        self.con.register("_sm_batch_rows", batch)
        try:
            if self.created:
                self.con.execute(
                    f"INSERT INTO {ident(self.table)} BY NAME SELECT * FROM _sm_batch_rows"
                )
            else:
                self.con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {ident(self.table)} AS "
                    "SELECT * FROM _sm_batch_rows"
                )
                self.created = True
        finally:
            self.con.unregister("_sm_batch_rows")


@dataclass
class _LongLine:
    """A line over the record limit, skipped; ``start`` is its first characters."""

    start: str


class _RecordTooLong(Exception):
    pass


class _Lines:
    """Physical lines of a text stream for ``csv.reader``, with what the record being read used.

    ``number`` counts the lines handed out; lines given back with :meth:`replay` are handed out
    again (and counted again). A line longer than the record limit is read to its end in pieces
    and never kept whole.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.number = 0
        self.pending: list[str | _LongLine] = []
        self.size = 0
        self.replayed: list[str | _LongLine] = []  # reversed: pop() gives the next line

    def start_record(self) -> int:
        self.pending, self.size = [], 0
        return self.number + 1

    def replay(self, lines: list[str | _LongLine]) -> None:
        self.replayed.extend(reversed(lines))
        self.number -= len(lines)

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.replayed.pop() if self.replayed else self._read()
        if line == "":
            raise StopIteration
        self.number += 1
        self.pending.append(line)
        if isinstance(line, _LongLine):
            raise _RecordTooLong()
        self.size += len(line)
        if self.size > MAX_RECORD_CHARS:
            raise _RecordTooLong()
        return line

    def _read(self) -> str | _LongLine:
        line = self.stream.readline(MAX_RECORD_CHARS + 1)
        if len(line) <= MAX_RECORD_CHARS or line.endswith(("\n", "\r")):
            return line
        while True:  # skip the rest of an over-long line
            rest = self.stream.readline(MAX_RECORD_CHARS)
            if not rest or rest.endswith(("\n", "\r")):
                return _LongLine(line[:SHOWN_CHARS])
            continue


def _open_binary(path: Path) -> gzip.GzipFile | io.BufferedReader:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def _encoding(path: Path, raw: gzip.GzipFile | io.BufferedReader, dialect: CsvDialect) -> str:
    """The encoding to read ``raw`` with (its first bytes decide the UTF-16 case)."""
    head = raw.read(512)
    raw.seek(0)
    if dialect.encoding is not None:
        name = codecs.lookup(dialect.encoding).name
        return "utf-8-sig" if name == "utf-8" else dialect.encoding
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 of a header in Latin letters: every other byte is 0 (a UTF-8 header has none)
    sample = head[:64]
    if len(sample) >= 4 and (not any(sample[1::2]) or not any(sample[0::2])):
        order = "le" if not any(sample[1::2]) else "be"
        raise InputFileError(
            f"{path}: looks like UTF-16 text without a byte-order mark; "
            f"give its encoding: --encoding utf-16-{order}"
        )
    return "utf-8-sig"


def _csv_reason(exc: Exception, quote: str, start: int, lines: int) -> str:
    """Why the record starting on line ``start`` (read over ``lines`` lines) is rejected."""
    if isinstance(exc, _RecordTooLong):
        return (
            f"the record is longer than {MAX_RECORD_CHARS:,} characters (a quote never closed, "
            "or a value too long to be data)"
        )
    message = str(exc)
    if "unexpected end of data" in message:
        return f"broken quoting: the quote ({quote}) opened on this line is never closed"
    if "expected after" in message and lines > 1:
        return (
            f"broken quoting: the quote ({quote}) opened on this line runs on into line "
            f"{start + lines - 1} (a quoted value may span lines, but its closing quote must end "
            "the value)"
        )
    if "expected after" in message:
        return (
            f"broken quoting: a quoted value is followed by other text before the delimiter "
            f"(a quote inside a quoted value is written twice: {quote}{quote})"
        )
    return f"cannot be read as CSV: {message}"


class _NotClean(Exception):
    """The file needs the careful reading: a record is broken somewhere."""


def _stage_csv(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, dialect: CsvDialect
) -> list[StructuralReject]:
    """Stage a CSV file. A file whose every record is sound is read in one pass at the speed of
    Python's csv module; at the first broken record it is read again, line by line, keeping what
    each record used so that a broken one can be rejected as its first line alone. Both ways
    give the same rows for a sound file."""
    tsv = ".tsv" in [s.lower() for s in path.suffixes]
    delimiter = dialect.delimiter if dialect.delimiter is not None else ("\t" if tsv else ",")
    quote = dialect.quote
    options: dict[str, Any] = {"delimiter": delimiter, "strict": True}
    options |= {"quotechar": quote, "doublequote": True} if quote else {"quoting": csv.QUOTE_NONE}
    csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_CHARS + 1))
    try:
        _read_sound_csv(con, path, table, dialect, options)
        return []
    except _NotClean:
        con.execute(f"DROP TABLE IF EXISTS {ident(table)}")
    return _read_csv_line_by_line(con, path, table, dialect, options)


def _read_sound_csv(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, dialect: CsvDialect,
    options: dict[str, Any],
) -> None:
    """One pass over a file of sound records; raises _NotClean at the first record that is not."""
    with _open_binary(path) as raw:
        encoding = _encoding(path, raw, dialect)
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
        reader = csv.reader(stream, **options)
        try:
            header = next(reader)
            while not header:  # blank lines before the header
                header = next(reader)
        except (StopIteration, csv.Error):
            raise _NotClean() from None
        if _BAD_TEXT.search("".join(header)):
            raise _NotClean()
        names = unique_names([header[0].lstrip("\ufeff"), *header[1:]])
        batches = _Batches(con, table, names)
        width = len(names)
        rows: list[int] = []
        records: list[list[str]] = []
        previous = reader.line_num
        try:
            for record in reader:
                if len(record) != width:
                    if record:
                        raise _NotClean()
                    previous = reader.line_num  # a blank line
                    continue
                rows.append(previous + 1)
                records.append(record)
                previous = reader.line_num
                if len(records) >= BATCH_ROWS:
                    _check_sound(records)
                    _write_records(batches, rows, records)
                    rows, records = [], []
        except csv.Error:
            raise _NotClean() from None
        _check_sound(records)
        _write_records(batches, rows, records)


def _check_sound(records: list[list[str]]) -> None:
    """_NotClean if a record has text the decoder could not read or is over the record limit."""
    if not records:
        return
    if _BAD_TEXT.search("".join(map("".join, records))):
        raise _NotClean()
    # as written, a record has at most twice its characters (quotes doubled) plus a quote pair
    # and a delimiter per value and a line break: past the limit, line by line decides
    if max(map(len, map("".join, records))) * 2 + 3 * len(records[0]) + 2 > MAX_RECORD_CHARS:
        raise _NotClean()


def _read_csv_line_by_line(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, dialect: CsvDialect,
    options: dict[str, Any],
) -> list[StructuralReject]:
    delimiter, quote = options["delimiter"], options.get("quotechar", "")
    rejects: list[StructuralReject] = []
    with _open_binary(path) as raw:
        encoding = _encoding(path, raw, dialect)
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
        lines = _Lines(stream)
        reader = csv.reader(lines, **options)
        header: list[str] | None = None
        batches: _Batches | None = None
        rows: list[int] = []
        records: list[list[str]] = []
        while True:
            start = lines.start_record()
            try:
                record = next(reader)
            except StopIteration:
                break
            except (csv.Error, _RecordTooLong) as exc:
                reason = _csv_reason(exc, quote, start, len(lines.pending))
                if header is None:
                    raise InputFileError(f"{path}: line {start}, the header, cannot be read: {reason}") from None
                rejects.append(StructuralReject(start, reason, _shown(lines.pending[0])))
                lines.replay(lines.pending[1:])
                reader = csv.reader(lines, **options)
                continue
            if not record:  # a blank line
                continue
            bad = next((line for line in lines.pending if _BAD_TEXT.search(str(line))), None)
            if bad is not None:
                if header is None:
                    raise InputFileError(
                        f"{path}: the header is not valid {_encoding_name(encoding)} text; "
                        "give the file's encoding, e.g. --encoding cp1252"
                    )
                rejects.append(StructuralReject(start, _bad_text_reason(str(bad), encoding), _shown(lines.pending[0])))
                continue
            if header is None:
                header = unique_names([record[0].lstrip("\ufeff"), *record[1:]])
                batches = _Batches(con, table, header)
                continue
            if len(record) != len(header):
                rejects.append(
                    StructuralReject(start, _count_reason(len(record), len(header), delimiter), _shown(lines.pending[0]))
                )
                lines.replay(lines.pending[1:])
                reader = csv.reader(lines, **options)
                continue
            rows.append(start)
            records.append(record)
            if len(records) >= BATCH_ROWS:
                _write_records(batches, rows, records)
                rows, records = [], []
        if header is None or batches is None:
            raise InputFileError(f"{path}: the file is empty (a CSV file starts with a header row)")
        if records or not batches.created:
            _write_records(batches, rows, records)
    return rejects


def _write_records(batches: _Batches | None, rows: list[int], records: list[list[str]]) -> None:
    assert batches is not None
    if records:
        values: list[Sequence[str | None]] = list(zip(*records, strict=True))
    else:
        values = [[] for _ in batches.columns]
    batches.write(rows, values)


def _count_reason(found: int, expected: int, delimiter: str) -> str:
    shown = "a tab" if delimiter == "\t" else repr(delimiter)
    if found > expected:
        return (
            f"too many columns: {found} values where the header has {expected} "
            f"(a value containing {shown} must be quoted)"
        )
    return f"too few columns: {found} value{'s' if found != 1 else ''} where the header has {expected}"


def _encoding_name(encoding: str) -> str:
    return "UTF-8" if encoding == "utf-8-sig" else encoding


def _bad_text_reason(line: str, encoding: str) -> str:
    match = _BAD_TEXT.search(line)
    byte = f" (byte 0x{ord(match.group()) - 0xDC00:02X})" if match else ""
    return (
        f"is not valid {_encoding_name(encoding)} text{byte}; give the file's encoding, "
        "e.g. --encoding cp1252"
    )


def _shown(line: str | _LongLine) -> str:
    """A line as a reject shows it: its start, bytes the decoder could not read as ``\\xE9``."""
    text = line.start + " ..." if isinstance(line, _LongLine) else line.rstrip("\r\n")[:SHOWN_CHARS]
    if _BAD_TEXT.search(text):
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


# --- JSON Lines ---------------------------------------------------------------------------------


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _json_text(value: Any) -> str | None:
    """A JSON value as the text staged: numbers as written in the file, nested values as JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _stage_jsonl(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[StructuralReject]:
    rejects: list[StructuralReject] = []
    columns: dict[str, str] = {}  # key in the file -> staged column name
    batches: _Batches | None = None
    rows: list[int] = []
    objects: list[dict[str, Any]] = []
    taken: list[str] = []

    def flush() -> None:
        nonlocal batches, rows, objects
        if batches is None:
            batches = _Batches(con, table, list(columns.values()))
        elif len(columns) > len(batches.columns):
            batches.add_columns(list(columns.values())[len(batches.columns):])
        keys = list(columns)
        batches.write(rows, [[_json_text(o.get(k)) for o in objects] for k in keys])
        rows, objects = [], []

    with _open_binary(path) as raw:
        number = 0
        while True:
            line = raw.readline(MAX_RECORD_CHARS + 1)
            if not line:
                break
            number += 1
            if len(line) > MAX_RECORD_CHARS and not line.endswith(b"\n"):
                while (rest := raw.readline(MAX_RECORD_CHARS)) and not rest.endswith(b"\n"):
                    pass
                rejects.append(
                    StructuralReject(
                        number, f"the line is longer than {MAX_RECORD_CHARS:,} characters",
                        line[:SHOWN_CHARS].decode("utf-8", "replace") + " ...",
                    )
                )
                continue
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8):]
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                shown = line.decode("utf-8", "replace").rstrip("\r\n")[:SHOWN_CHARS]
                byte = f" (byte 0x{line[exc.start]:02X})"
                rejects.append(StructuralReject(number, f"is not valid UTF-8 text{byte}", shown))
                continue
            if not text.strip(" \t\r\n"):  # blank: JSON's own white space only
                continue
            text = text.rstrip("\r\n")
            shown = text[:SHOWN_CHARS]
            try:
                value = json.loads(
                    text, object_pairs_hook=_object, parse_float=str, parse_int=str,
                    parse_constant=str,
                )
            except _DuplicateKey as exc:
                rejects.append(
                    StructuralReject(
                        number, f"the key {exc.key!r} appears twice in the object (which one is "
                        "meant is unclear)", shown,
                    )
                )
                continue
            except (ValueError, RecursionError) as exc:
                detail = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
                where = f" at character {exc.pos + 1}" if isinstance(exc, json.JSONDecodeError) else ""
                rejects.append(
                    StructuralReject(number, f"not a JSON object: {detail.lower()}{where}", shown)
                )
                continue
            if not isinstance(value, dict):
                rejects.append(StructuralReject(number, "not a JSON object", shown))
                continue
            new = [k for k in value if k not in columns]
            if new:
                for key, name in zip(new, unique_names([*taken, *new])[len(taken):], strict=True):
                    columns[key] = name
                    taken.append(name)
            rows.append(number)
            objects.append(value)
            if len(objects) >= BATCH_ROWS:
                flush()
        if not columns:
            raise InputFileError(f"{path}: no JSON objects found")
        if objects or batches is None:
            flush()
    return rejects


# --- Parquet ------------------------------------------------------------------------------------


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[StructuralReject]:
    """Stage a Parquet file: by the database's own reader when the path has no character it
    would take as a pattern and no column is named like its row-number column, else (same rows,
    same types) through Arrow."""
    with _plain(path) as plain:
        parquet = pq.ParquetFile(plain)
        schema = parquet.schema_arrow
        names = unique_names(list(schema.names))
        if names == schema.names and "file_row_number" not in names and not _PATTERN.search(str(plain)):
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS "
                "SELECT file_row_number + 1 AS _row, * EXCLUDE (file_row_number) "
                f"FROM read_parquet({literal(str(plain))}, file_row_number = true)"
            )
            return []
        renamed = pa.schema([field.with_name(n) for field, n in zip(schema, names, strict=True)])
        out_schema = pa.schema([pa.field("_row", pa.int64()), *renamed])

        def batches() -> Iterator[pa.RecordBatch]:
            first = 1
            for batch in parquet.iter_batches(batch_size=256_000):
                numbers = pa.array(range(first, first + batch.num_rows), pa.int64())
                first += batch.num_rows
                yield pa.RecordBatch.from_arrays([numbers, *batch.columns], schema=out_schema)

        reader = pa.RecordBatchReader.from_batches(out_schema, batches())
        con.register("_sm_parquet", reader)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT * FROM _sm_parquet")
        finally:
            con.unregister("_sm_parquet")
    return []


class _plain:
    """Context manager giving a plain path for a possibly gzipped Parquet file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp: tempfile._TemporaryFileWrapper[bytes] | None = None

    def __enter__(self) -> Path:
        if self.path.suffix.lower() != ".gz":
            return self.path
        self.tmp = tempfile.NamedTemporaryFile(suffix=".parquet", delete=False)
        with gzip.open(self.path, "rb") as src:
            shutil.copyfileobj(src, self.tmp)
        self.tmp.close()
        return Path(self.tmp.name)

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            Path(self.tmp.name).unlink(missing_ok=True)
