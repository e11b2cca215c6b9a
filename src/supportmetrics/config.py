"""Workspace settings: ``supportmetrics.toml`` -> frozen, typed settings.

Every key is optional. The settings table (``SETTINGS``) documents each key once; the docs and
the default file written into a new workspace are generated from it.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from supportmetrics.errors import ConfigError

CONFIG_FILE = "supportmetrics.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def parse_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """``"09:00-12:00,13:00-17:00"`` -> ((32400, 43200), (46800, 61200)) seconds after midnight.

    ``"closed"`` or ``""`` means no hours; ``24:00`` is allowed as an end.
    """
    text = text.strip()
    if text in ("", "closed"):
        return ()
    ranges: list[tuple[int, int]] = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match:
            raise ValueError(f"{part.strip()!r} is not a range like 09:00-17:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
        if m1 > 59 or m2 > 59 or start >= end or end > 86400:
            raise ValueError(f"{part.strip()!r} is not a valid range within one day")
        ranges.append((start, end))
    ranges.sort()
    for (_, end1), (start2, _) in zip(ranges, ranges[1:], strict=False):
        if start2 < end1:
            raise ValueError(f"ranges in {text!r} overlap")
    return tuple(ranges)


class Calendar(_Frozen):
    """A weekly schedule with holidays: the business clock of a team or of the workspace."""

    mon: str = "09:00-17:00"
    tue: str = "09:00-17:00"
    wed: str = "09:00-17:00"
    thu: str = "09:00-17:00"
    fri: str = "09:00-17:00"
    sat: str = "closed"
    sun: str = "closed"
    holidays: tuple[date, ...] = ()
    country: str | None = None
    subdivision: str | None = None
    timezone: str | None = None

    @field_validator(*WEEKDAYS)
    @classmethod
    def _ranges(cls, value: str) -> str:
        parse_ranges(value)
        return value

    def weekly(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Open ranges (seconds after local midnight) for Monday..Sunday."""
        return tuple(parse_ranges(getattr(self, day)) for day in WEEKDAYS)


class BusinessHours(Calendar):
    """The default calendar plus per-team calendars.

    A team calendar inherits every key it does not set (weekdays, holidays, country, zone)
    from the default calendar, so ``[business_hours.teams.tier2] mon = "10:00-18:00"`` changes
    Monday only.
    """

    teams: dict[str, Calendar] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _inherit(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("teams"), dict):
            return data
        defaults = {k: v for k, v in data.items() if k != "teams"}
        teams = {
            name: {**defaults, **team} if isinstance(team, dict) else team
            for name, team in data["teams"].items()
        }
        return {**data, "teams": teams}

    def for_team(self, team: str | None) -> Calendar:
        if team is not None and team in self.teams:
            return self.teams[team]
        return Calendar(**self.model_dump(exclude={"teams"}))


class Thresholds(_Frozen):
    service_level_seconds: float = 20
    short_abandon_seconds: float = 5
    backlog_age_hours: float = 24
    repeat_window_days: float = 7
    satisfied_at: float = 0.75


class Sla(_Frozen):
    first_response_minutes: dict[str, float] = Field(default_factory=dict)
    resolution_hours: dict[str, float] = Field(default_factory=dict)
    clock: str = "business"

    @field_validator("clock")
    @classmethod
    def _clock(cls, value: str) -> str:
        if value not in ("business", "calendar"):
            raise ValueError("clock must be 'business' or 'calendar'")
        return value


class Surveys(_Frozen):
    scales: dict[str, tuple[float, float]] = Field(default_factory=dict)


class TableMapping(_Frozen):
    """How a file in a foreign shape becomes a canonical table.

    ``columns`` maps canonical column -> source column; ``values`` maps, per canonical column,
    source value -> canonical value; ``timestamp_format`` is a strptime format for every
    timestamp column (``timestamp_formats`` per column overrides it); ``set`` gives constant
    values for columns the file lacks; ``missing_values`` are values that mean "empty" in every
    column of the file (``?``, ``-``, ``N/A``; compared trimmed, ignoring case).
    """

    table: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    timestamp_format: str | None = None
    timestamp_formats: dict[str, str] = Field(default_factory=dict)
    set: dict[str, str] = Field(default_factory=dict)
    missing_values: tuple[str, ...] = ()


class Engine(_Frozen):
    url: str = "duckdb"
    spark_master: str = "local[2]"
    spark_conf: dict[str, str] = Field(default_factory=dict)
    memory_limit: str | None = None
    threads: int | None = None
    #: seconds a command waits for another process that holds the workspace
    lock_timeout: float = Field(default=30.0, ge=0)


class Settings(_Frozen):
    timezone: str = "UTC"
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    sla: Sla = Field(default_factory=Sla)
    surveys: Surveys = Field(default_factory=Surveys)
    targets: dict[str, Any] = Field(default_factory=dict)
    engagement_weights: dict[str, float] = Field(default_factory=dict)
    clv: dict[str, float] = Field(default_factory=dict)
    mappings: dict[str, TableMapping] = Field(default_factory=dict)
    engine: Engine = Field(default_factory=Engine)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Zagreb)") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def survey_scale(self, survey: str) -> tuple[float, float] | None:
        from supportmetrics.schema import DEFAULT_SCALES

        if survey in self.surveys.scales:
            return self.surveys.scales[survey]
        return DEFAULT_SCALES.get(survey)

    def all_scales(self) -> dict[str, tuple[float, float]]:
        from supportmetrics.schema import DEFAULT_SCALES

        return {**DEFAULT_SCALES, **self.surveys.scales}


def load_settings(path: Path) -> Settings:
    """Read a supportmetrics.toml; a missing file gives the defaults."""
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return settings_from_dict(data, source=str(path))


def settings_from_dict(data: dict[str, Any], source: str = "settings") -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{source}: {problems}") from exc


DEFAULT_CONFIG_TEXT = """\
# supportmetrics workspace settings. Every key is optional; see docs/configuration.md.
timezone = "UTC"                    # periods and naive timestamps (IANA name)

[business_hours]                    # the business clock; default mon-fri 09:00-17:00
# mon = "09:00-12:00,13:00-17:00"
# holidays = ["2025-12-25"]
# country = "HR"

[thresholds]
# service_level_seconds = 20
# short_abandon_seconds = 5
# backlog_age_hours = 24
# repeat_window_days = 7
# satisfied_at = 0.75

# [sla.first_response_minutes]
# urgent = 60
# [sla.resolution_hours]
# urgent = 8

# [mappings.tickets]                # column mapping for files in a foreign shape
# columns = { ticket_id = "Id", created_at = "Created" }
"""
