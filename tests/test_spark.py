"""The catalogue on Apache Spark (local mode) gives the same numbers as on DuckDB.

The hand-made workspace of tests/engine_fixture.py, queried through both engines; a few values
are also checked against the hand-computed ones of tests/test_metrics.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pandas as pd
import pytest
from engine_fixture import SETTINGS, build

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.engine import build_query, open_engine
from supportmetrics.engine.engine import Engine
from supportmetrics.engine.spark import export_tables, spark_master

URL = "spark://local[2]"
SPARK_SETTINGS = SETTINGS + """
[engine]
spark_conf = { "spark.sql.shuffle.partitions" = "2", "spark.default.parallelism" = "2" }
"""

needs_spark = pytest.mark.skipif(
    shutil.which("java") is None, reason="Spark needs Java 17 on the PATH"
)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    pytest.importorskip("pyspark")
    workspace = build(tmp_path_factory.mktemp("spark") / "ws", SPARK_SETTINGS)
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def engines(ws: Workspace) -> tuple[Engine, Engine]:
    return open_engine(ws), open_engine(ws, URL)


def _same(engines: tuple[Engine, Engine], metric: str, **kwargs: object) -> pd.DataFrame:
    duck, spark = engines
    kwargs.setdefault("start", "2025-10-01")
    kwargs.setdefault("end", "2025-12-01")
    query = build_query(metric, **kwargs)  # type: ignore[arg-type]
    expected, got = duck.metric(query), spark.metric(query)
    pd.testing.assert_frame_equal(got, expected)
    return got


# one of every kind, the business clock, percentiles, snapshots, rollups, a --by dimension
CASES = [
    ("ticket_volume", {}),  # Count
    ("request_volume", {"by": ("channel",)}),  # Count over a union of tickets and calls
    ("fcr_rate", {}),  # Ratio
    ("csat", {"by": ("agent_id",)}),  # Ratio by a dimension
    ("nps", {}),
    ("csat_mean", {}),  # Mean
    ("iqs", {}),
    ("first_response_time", {"by": ("agent_id",)}),  # Duration, credited to the responder
    ("first_response_time", {"stat": "median"}),
    ("first_response_time", {"stat": "p90"}),
    ("first_response_time", {"clock": "business"}),
    ("first_response_time", {"clock": "business", "stat": "p90"}),
    ("resolution_time", {"clock": "business", "stat": "median"}),
    ("response_time", {"grain": "week", "start": "2025-09-29", "end": "2025-11-10"}),
    ("asa", {"grain": "day", "start": "2025-10-01", "end": "2025-10-04"}),
    ("open_tickets", {}),  # Snapshot
    ("backlog", {"by": ("team",)}),
    ("awaiting_reply", {}),
    ("sla_compliance", {}),  # business-clock SLA timers with pauses
    ("channel_share", {"by": ("channel",)}),  # Combined
    ("churn_rate", {}),  # Combined with a start-of-period snapshot
    ("clv_simple", {}),
    ("repeat_contact_rate", {}),  # window functions on the facts
    ("engagement_score", {}),  # Rollup
    ("agent_utilization", {"by": ("agent_id",)}),
    ("feedback_volume", {"by": ("hour_of_week",)}),  # local time
    ("tickets_solved", {"grain": "range"}),
    ("resolution_rate", {"by": ("team",)}),  # Derived: a ratio of two metrics
    ("cost_per_ticket", {}),  # Derived over a ledger sum and a ticket count
    ("abandonment_rate", {}),  # flags of the catalogue, one reading a setting
]


@needs_spark
@pytest.mark.spark
@pytest.mark.parametrize(
    ("metric", "options"), CASES, ids=[f"{m}-{'-'.join(map(str, o.values()))}" for m, o in CASES]
)
def test_spark_equals_duckdb(
    engines: tuple[Engine, Engine], metric: str, options: dict[str, object]
) -> None:
    assert len(_same(engines, metric, **options)) > 0


@needs_spark
@pytest.mark.spark
def test_spark_values_are_the_hand_computed_ones(engines: tuple[Engine, Engine]) -> None:
    _duck, spark = engines

    def value(metric: str, **kwargs: object) -> list[object]:
        query = build_query(metric, start="2025-10-01", end="2025-11-01", **kwargs)  # type: ignore[arg-type]
        return spark.metric(query)[["value", "count"]].values.tolist()[0]  # type: ignore[no-any-return]

    assert value("first_response_time") == [39250.0, 6]
    assert value("first_response_time", stat="p90") == [115200.0, 6]
    assert value("first_response_time", clock="business") == [1150.0, 6]
    assert value("resolution_time", clock="business") == [15540.0, 5]
    assert value("open_tickets") == [2.0, 2]
    assert value("nps") == [25.0, 4]


@needs_spark
@pytest.mark.spark
def test_cli_engine_option_runs_on_spark(
    ws: Workspace, engines: tuple[Engine, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--workspace", str(ws.directory), "--engine", URL, "metrics", "tickets_solved",
                 "--from", "2025-10-01", "--to", "2025-11-01", "--by", "agent_id",
                 "--format", "json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["agent_id"], r["value"]) for r in rows] == [("a1", 1.0), ("a2", 2.0), ("a3", 2.0)]


@needs_spark
@pytest.mark.spark
def test_parquet_cache_is_rewritten_only_after_a_load(
    ws: Workspace, engines: tuple[Engine, Engine]
) -> None:
    directory = ws.directory / ".spark"
    before = {p.name: p.stat().st_mtime_ns for p in directory.glob("*.parquet")}
    assert len(before) == 11
    export_tables(ws, directory)
    assert {p.name: p.stat().st_mtime_ns for p in directory.glob("*.parquet")} == before
    frame = pd.DataFrame({"entry_id": ["L5"], "date": ["2025-11-30"], "kind": ["revenue"],
                          "amount": ["5.0"]})
    assert ws.ingest_frame("ledger", frame, label="ledger").ok
    export_tables(ws, directory)
    after = {p.name: p.stat().st_mtime_ns for p in directory.glob("*.parquet")}
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == ["ledger.parquet"]


@pytest.mark.parametrize(
    ("url", "master"),
    [
        ("spark", "local[2]"),
        ("spark://local[2]", "local[2]"),
        ("spark://local[*]", "local[*]"),
        ("spark://10.0.0.5:7077", "spark://10.0.0.5:7077"),
        ("spark://yarn", "yarn"),
    ],
)
def test_engine_url_names_the_spark_master(url: str, master: str) -> None:
    assert spark_master(url, "local[2]") == master
