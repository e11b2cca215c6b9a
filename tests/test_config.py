"""Settings: parsing, validation messages, and docs/configuration.md listing every key."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportmetrics.config import Settings, load_settings, parse_ranges, settings_from_dict
from supportmetrics.errors import ConfigError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def _keys(model: type, prefix: str = "") -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            keys |= _keys(annotation, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    weekdays = {f"business_hours.{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    missing = [k for k in sorted(_keys(Settings) - weekdays) if f"`{k}" not in text]
    assert missing == []


def test_ranges_parse_to_seconds() -> None:
    assert parse_ranges("09:00-12:00,13:00-17:00") == ((32400, 43200), (46800, 61200))
    assert parse_ranges("closed") == ()
    assert parse_ranges("00:00-24:00") == ((0, 86400),)
    with pytest.raises(ValueError, match="overlap"):
        parse_ranges("09:00-12:00,11:00-13:00")


def test_bad_settings_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="timezone"):
        settings_from_dict({"timezone": "Mars/Olympus"})
    with pytest.raises(ConfigError, match=r"business_hours\.mon"):
        settings_from_dict({"business_hours": {"mon": "9 to 5"}})
    with pytest.raises(ConfigError, match="thresholds.unknown_key"):
        settings_from_dict({"thresholds": {"unknown_key": 1}})
    bad = tmp_path / "supportmetrics.toml"
    bad.write_text("timezone = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)


def test_team_calendar_overrides_the_default() -> None:
    settings = settings_from_dict(
        {"business_hours": {"mon": "08:00-16:00", "teams": {"tier2": {"mon": "10:00-18:00"}}}}
    )
    assert settings.business_hours.for_team("tier2").weekly()[0] == ((36000, 64800),)
    assert settings.business_hours.for_team("tier1").weekly()[0] == ((28800, 57600),)


def test_team_calendar_inherits_what_it_does_not_set() -> None:
    settings = settings_from_dict(
        {"business_hours": {"tue": "08:00-12:00", "country": "HR", "holidays": ["2025-12-24"],
                            "teams": {"tier2": {"mon": "10:00-18:00"}}}}
    )
    tier2 = settings.business_hours.for_team("tier2")
    assert tier2.weekly()[1] == ((28800, 43200),)  # Tuesday from the default
    assert tier2.country == "HR" and [d.isoformat() for d in tier2.holidays] == ["2025-12-24"]


def test_engine_memory_and_threads_reach_the_database(tmp_path: Path) -> None:
    from supportmetrics import Workspace

    (tmp_path / "supportmetrics.toml").write_text(
        '[engine]\nmemory_limit = "1GB"\nthreads = 1\n', encoding="utf-8")
    with Workspace.open(tmp_path) as ws:
        limit, threads = ws.con.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()[0]
    assert limit == "953.6 MiB" and threads == 1  # 1 GB = 10^9 bytes
    (tmp_path / "supportmetrics.toml").write_text('[engine]\nmemory_limit = "lots"\n',
                                                  encoding="utf-8")
    with pytest.raises(ConfigError, match="memory_limit"):
        Workspace.open(tmp_path)


def test_a_survey_scale_declares_its_direction_once() -> None:
    assert settings_from_dict({}).higher_is_better("ces")  # an agree / ease scale by default
    effort = settings_from_dict({"surveys": {"directions": {"ces": "lower", "pulse": "lower"}}})
    assert not effort.higher_is_better("ces") and not effort.higher_is_better("pulse")
    assert effort.higher_is_better("csat")
    with pytest.raises(ConfigError, match=r"surveys\.directions.*ces = 'down': expected"):
        settings_from_dict({"surveys": {"directions": {"ces": "down"}}})
    with pytest.raises(ConfigError, match="nps = 'lower': the nps metrics define a higher"):
        settings_from_dict({"surveys": {"directions": {"nps": "lower"}}})


def test_settings_are_validated_whole_each_problem_naming_its_key() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({
            "targets": {"csat": ["low", "high"], "first_response_time": -60, "nope": 3,
                        "fcr_rate": [90, 70], "nps": -10, "aht": [300, 600]},
            "surveys": {"scales": {"csat": [float("nan"), float("inf")], "ces": [7, 1]}},
            "business_hours": {"timezone": "Mars/Olympus"},
            "engine": {"url": "postgres://db", "threads": 0},
            "thresholds": {"service_level_seconds": -5, "satisfied_at": 2},
            "sla": {"first_response_minutes": {"urgent": 0}},
        }, source="ws/supportmetrics.toml")
    # nps may be negative (-100..100) and aht's band is well formed: neither is reported
    assert str(caught.value) == (
        "ws/supportmetrics.toml: 8 problems:\n"
        "  business_hours.timezone: 'Mars/Olympus' is not an IANA time zone (e.g. Europe/Zagreb)\n"
        "  thresholds.service_level_seconds: Input should be greater than or equal to 0\n"
        "  thresholds.satisfied_at: Input should be less than or equal to 1\n"
        "  sla.first_response_minutes: urgent = 0.0: a target is a time above 0\n"
        "  surveys.scales: csat = [nan, inf]: a scale is two finite numbers; ces = [7.0, 1.0]: "
        "a scale is [lowest, highest] score, the lowest first (e.g. [1, 7])\n"
        "  targets: csat = ['low', 'high']: a target is a number (csat = 85) or a band of two "
        "numbers (csat = [80, 90]); first_response_time = -60: First response time is never "
        "negative (unit seconds); nope: not a metric id (supportmetrics metrics --list shows "
        "them); fcr_rate = [90, 70]: a band is [low, high], the low first\n"
        "  engine.url: 'postgres://db' is not an engine: use duckdb or spark://MASTER "
        "(e.g. spark://local[2])\n"
        "  engine.threads: Input should be greater than or equal to 1"
    )


def test_reversed_scale_and_bad_timestamp_formats_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"surveys\.scales: ces = \[7\.0, 1\.0\]: a scale is "
                       r"\[lowest, highest\] score, the lowest first \(e\.g\. \[1, 7\]\)"):
        settings_from_dict({"surveys": {"scales": {"ces": [7, 1]}}})
    with pytest.raises(ConfigError, match=r"mappings\.x\.timestamp_format: '%Q' is not a "
                       "strptime format"):
        settings_from_dict({"mappings": {"x": {"timestamp_format": "%Q"}}})
    with pytest.raises(ConfigError, match=r"mappings\.x\.timestamp_formats: created_at: '%s'"):
        settings_from_dict({"mappings": {"x": {"timestamp_formats": {"created_at": "%s"}}}})
    assert settings_from_dict({"mappings": {"x": {"timestamp_format": "%m/%d/%Y %I:%M %p"}}})
