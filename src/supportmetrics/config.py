"""Workspace settings: ``supportmetrics.toml`` -> frozen, typed settings.

Every key is optional. The settings table (``SETTINGS``) documents each key once; the docs and
the default file written into a new workspace are generated from it.
"""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from supportmetrics.currency import check_currency
from supportmetrics.errors import ConfigError

CONFIG_FILE = "supportmetrics.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Zagreb)") from None
    return value


def strptime_error(fmt: str) -> str | None:
    """Why the database cannot parse timestamps with the strptime format ``fmt`` (its own
    words), or None when it can: the one probe of a format, for settings and loads alike."""
    import duckdb

    try:
        duckdb.connect().execute("SELECT try_strptime('', ?)", [fmt]).fetchall()
    except duckdb.Error as exc:
        return str(exc).split("Error: ", 1)[-1].splitlines()[0]
    return None


def check_timestamp_format(value: str) -> str:
    """A strptime format the database reads (``%Q`` or ``%s`` are refused here, not mid-load)."""
    if strptime_error(value) is not None:
        raise ValueError(
            f"{value!r} is not a strptime format the loader reads (e.g. '%Y-%m-%d %H:%M:%S', "
            "'%m/%d/%Y %I:%M %p'; %s and %Q are not supported)")
    return value


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

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_zone(value)

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
    service_level_seconds: NonNegative = 20
    short_abandon_seconds: NonNegative = 5
    backlog_age_hours: NonNegative = 24
    repeat_window_days: NonNegative = 7
    satisfied_at: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.75


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

    @field_validator("first_response_minutes", "resolution_hours")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        problems = [f"{priority} = {target}: a target is a time above 0"
                    for priority, target in value.items()
                    if not (math.isfinite(target) and target > 0)]
        if problems:
            raise ValueError("; ".join(problems))
        return value


#: surveys whose catalogue definitions fix higher as better (promoters, satisfied, great)
FIXED_DIRECTION_SURVEYS = ("csat", "nps", "happiness")


class Surveys(_Frozen):
    """Survey scales: ``[min, max]`` per survey and which end of a scale is the better one.

    ``directions`` says per survey whether a ``"higher"`` (the default: an agree / ease scale)
    or a ``"lower"`` score is better (a "how much effort" scale). The CES metrics and the
    report's marks and comment colours follow it.
    """

    scales: dict[str, tuple[float, float]] = Field(default_factory=dict)
    directions: dict[str, str] = Field(default_factory=dict)

    @field_validator("directions")
    @classmethod
    def _directions(cls, value: dict[str, str]) -> dict[str, str]:
        for survey, direction in value.items():
            if direction not in ("higher", "lower"):
                raise ValueError(
                    f"{survey} = {direction!r}: expected \"higher\" (a higher score is better) "
                    "or \"lower\" (a lower score is better)"
                )
            if survey in FIXED_DIRECTION_SURVEYS and direction != "higher":
                raise ValueError(
                    f"{survey} = {direction!r}: the {survey} metrics define a higher score as "
                    "better; only ces and surveys of your own take \"lower\""
                )
        return value

    @field_validator("scales")
    @classmethod
    def _scales(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        problems = []
        for survey, (low, high) in value.items():
            if not (math.isfinite(low) and math.isfinite(high)):
                problems.append(f"{survey} = [{low}, {high}]: a scale is two finite numbers")
            elif low >= high:
                problems.append(f"{survey} = [{low}, {high}]: a scale is [lowest, highest] "
                                f"score, the lowest first (e.g. [{high:g}, {low:g}])")
        if problems:
            raise ValueError("; ".join(problems))
        return value


class TableMapping(_Frozen):
    """How a file in a foreign shape becomes a canonical table.

    ``columns`` maps canonical column -> source column; ``values`` maps, per canonical column,
    source value -> canonical value; ``timestamp_format`` is a strptime format for every
    timestamp column (``timestamp_formats`` per column overrides it); ``set`` gives constant
    values for columns the file lacks; ``missing_values`` are values that mean "empty" in every
    column of the file (``?``, ``-``, ``N/A``; compared trimmed, ignoring case). ``delimiter``, ``quote`` and ``encoding`` say how a CSV
    file is written (default: ``,`` or a tab for ``.tsv``, ``"``, UTF-8 or UTF-16 by its mark). ``units`` gives the unit of a file's durations for a
    ``*_seconds`` column (seconds, minutes, hours or days), converted to seconds on load.
    """

    table: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    timestamp_format: str | None = None
    timestamp_formats: dict[str, str] = Field(default_factory=dict)
    set: dict[str, str] = Field(default_factory=dict)
    missing_values: tuple[str, ...] = ()
    delimiter: str | None = None
    quote: str = '"'
    encoding: str | None = None
    units: dict[str, str] = Field(default_factory=dict)

    @field_validator("timestamp_format")
    @classmethod
    def _format(cls, value: str | None) -> str | None:
        return None if value is None else check_timestamp_format(value)

    @field_validator("timestamp_formats")
    @classmethod
    def _formats(cls, value: dict[str, str]) -> dict[str, str]:
        for column, fmt in value.items():
            try:
                check_timestamp_format(fmt)
            except ValueError as exc:
                raise ValueError(f"{column}: {exc}") from None
        return value


class Engine(_Frozen):
    url: str = "duckdb"
    spark_master: str = "local[2]"
    spark_conf: dict[str, str] = Field(default_factory=dict)
    memory_limit: str | None = None
    threads: Annotated[int, Field(ge=1)] | None = None
    #: seconds a command waits for another process that holds the workspace
    lock_timeout: float = Field(default=30.0, ge=0)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_engine_url(value)


def check_engine_url(value: str) -> str:
    """``duckdb`` or a Spark URL (``spark``, ``spark://MASTER``); anything else is refused
    rather than silently run on DuckDB."""
    if value == "duckdb" or value in ("spark", "pyspark") or value.startswith("spark://"):
        return value
    raise ValueError(f"{value!r} is not an engine: use duckdb or spark://MASTER "
                     "(e.g. spark://local[2])")


#: the helpdesks and log shapes `import` and `sync` read (``[sources.NAME]``), sorted; each is
#: a module supportmetrics.importers.NAME
SOURCE_NAMES = ("chatwoot", "eventlog", "freshdesk", "helpscout", "intercom", "updatelog",
                "zammad", "zendesk")


class Source(_Frozen):
    """A helpdesk's API for ``supportmetrics sync NAME`` (``[sources.NAME]``).

    Every key may instead come from the environment, which wins: ``SUPPORTMETRICS_NAME_URL``,
    ``SUPPORTMETRICS_NAME_EMAIL``, ``SUPPORTMETRICS_NAME_TOKEN`` (e.g.
    ``SUPPORTMETRICS_ZENDESK_TOKEN``). The token is a secret: it is never printed or logged.
    """

    #: the account's API address, e.g. https://acme.zendesk.com
    url: str | None = None
    #: the user the token belongs to (Zendesk API tokens), if the source needs one
    email: str | None = None
    #: API token or key (prefer the environment variable to keeping it in this file)
    token: SecretStr | None = None
    #: the first sync fetches what changed since this date (default: everything)
    start: date | None = None
    #: records asked for per page
    page_size: Annotated[int, Field(ge=1, le=1000)] = 1000

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"{value!r} is not an http(s) address (e.g. https://acme.zendesk.com)")
        return None if value is None else value.rstrip("/")


# --- alerts, notification channels and digests ([alerts.NAME], [notify.NAME], [digests.NAME]) --

CONDITIONS = ("above", "below", "off_target", "change", "spike", "sla_at_risk", "backlog_over")
SEVERITIES = ("info", "warning", "critical")
ALERT_GRAINS = ("day", "week", "month", "quarter", "year")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d)\s*$")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def parse_duration(text: str) -> float:
    """``"30m"``, ``"4h"``, ``"1d"`` -> seconds; ``"0"`` or ``""`` -> 0 (never)."""
    if text.strip() in ("", "0"):
        return 0.0
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30m, 4h or 1d")
    number, unit = float(match.group(1)), match.group(2)
    return number * {"m": 60, "min": 60, "h": 3600, "d": 86400}[unit]


def check_cron(value: str) -> str:
    """A five-field cron expression (``0 8 * * MON``), read in the workspace time zone."""
    from croniter import croniter

    if len(value.split()) != 5 or not croniter.is_valid(value):
        raise ValueError(f"{value!r} is not a cron schedule of five fields, e.g. "
                         "'0 8 * * MON' (minute hour day-of-month month day-of-week)")
    return value


def environment_names(text: str) -> tuple[str, ...]:
    """The ``${NAME}`` environment variables a channel URL refers to."""
    return tuple(_ENV.findall(text))


class AlertRule(_Frozen):
    """``[alerts.NAME]``: a metric, a grain and one condition (docs/alerts.md)."""

    condition: str
    metric: str | None = None
    value: float | None = None
    percent: bool = False
    compare: str = "previous"
    by: str = "category"
    within_minutes: float = Field(default=60, gt=0)
    age_hours: float | None = Field(default=None, gt=0)
    grain: str = "day"
    period: str = "current"
    where: dict[str, str] = Field(default_factory=dict)
    for_: int = Field(default=1, ge=1, alias="for")
    severity: str = "warning"
    channels: tuple[str, ...] = ()
    repeat: str = "0"
    schedule: str | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @field_validator("condition")
    @classmethod
    def _condition(cls, value: str) -> str:
        if value not in CONDITIONS:
            raise ValueError(f"{value!r} is not a condition: use one of {', '.join(CONDITIONS)}")
        return value

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str | None) -> str | None:
        from supportmetrics.metrics import CATALOGUE

        if value is not None and value not in CATALOGUE:
            raise ValueError(f"{value!r} is not a metric id (supportmetrics metrics --list "
                             "shows them)")
        return value

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        if value not in SEVERITIES:
            raise ValueError(f"{value!r}: use one of {', '.join(SEVERITIES)}")
        return value

    @field_validator("grain")
    @classmethod
    def _grain(cls, value: str) -> str:
        if value not in ALERT_GRAINS:
            raise ValueError(f"{value!r}: use one of {', '.join(ALERT_GRAINS)}")
        return value

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        if value not in ("current", "last_complete"):
            raise ValueError(f"{value!r}: use current (the period so far) or last_complete")
        return value

    @field_validator("compare")
    @classmethod
    def _compare(cls, value: str) -> str:
        if value not in ("previous", "last_year"):
            raise ValueError(f"{value!r}: use previous (the period before) or last_year (the "
                             "same period a year before)")
        return value

    @field_validator("by")
    @classmethod
    def _by(cls, value: str) -> str:
        if value not in ("category", "channel"):
            raise ValueError(f"{value!r}: spikes are found in the volume by category or channel")
        return value

    @field_validator("repeat")
    @classmethod
    def _repeat(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        return None if value is None else check_cron(value)

    @model_validator(mode="after")
    def _complete(self) -> AlertRule:
        needs_metric = self.condition in ("above", "below", "off_target", "change")
        if needs_metric and self.metric is None:
            raise ValueError(f"condition {self.condition} needs metric = \"METRIC_ID\"")
        needs_value = self.condition in ("above", "below", "change")
        if (needs_value or (self.condition == "backlog_over" and self.age_hours is None)) \
                and self.value is None:
            raise ValueError(f"condition {self.condition} needs value = NUMBER")
        if not self.channels:
            raise ValueError("channels: name at least one [notify.NAME] channel")
        return self

    @property
    def repeat_seconds(self) -> float:
        return parse_duration(self.repeat)


class NotifyChannel(_Frozen):
    """``[notify.NAME]``: an Apprise URL; ``${NAME}`` parts are read from the environment."""

    url: str

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("not a notification URL (e.g. mailto://, slack://, ntfy://, "
                             "msteams://; see docs/alerts.md)")
        return value


class Digest(_Frozen):
    """``[digests.NAME]``: the period's KPIs on a cron schedule, with the report attached."""

    schedule: str
    grain: str = "week"
    where: dict[str, str] = Field(default_factory=dict)
    channels: tuple[str, ...] = ()
    attach: tuple[str, ...] = ("xlsx",)
    title: str | None = None
    dashboard_url: str | None = None

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("grain")
    @classmethod
    def _grain(cls, value: str) -> str:
        if value not in ("week", "month"):
            raise ValueError(f"{value!r}: a digest covers a week or a month")
        return value

    @field_validator("attach")
    @classmethod
    def _attach(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for fmt in value:
            if fmt not in ("xlsx", "pdf", "html"):
                raise ValueError(f"{fmt!r}: attach xlsx, pdf and/or html")
        return value

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one [notify.NAME] channel")
        return value


def check_channels(settings: Settings) -> list[str]:
    """Rules and digests naming a channel that ``[notify]`` does not define."""
    problems = []
    for kind, items in (("alerts", settings.alerts), ("digests", settings.digests)):
        for name, item in items.items():
            for channel in item.channels:
                if channel not in settings.notify:
                    known = ", ".join(sorted(settings.notify)) or "none is"
                    problems.append(f"{kind}.{name}.channels: {channel!r} is not a [notify.NAME] "
                                    f"channel ({known} defined)")
    return problems


class Settings(_Frozen):
    timezone: str = "UTC"
    currency: str | None = None
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    sla: Sla = Field(default_factory=Sla)
    surveys: Surveys = Field(default_factory=Surveys)
    targets: dict[str, Any] = Field(default_factory=dict)
    engagement_weights: dict[str, float] = Field(default_factory=dict)
    clv: dict[str, float] = Field(default_factory=dict)
    mappings: dict[str, TableMapping] = Field(default_factory=dict)
    engine: Engine = Field(default_factory=Engine)
    sources: dict[str, Source] = Field(default_factory=dict)
    alerts: dict[str, AlertRule] = Field(default_factory=dict)
    notify: dict[str, NotifyChannel] = Field(default_factory=dict)
    digests: dict[str, Digest] = Field(default_factory=dict)

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: dict[str, Source]) -> dict[str, Source]:
        unknown = [name for name in value if name not in SOURCE_NAMES]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a source (sources: "
                             f"{', '.join(SOURCE_NAMES)})")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_zone(value)

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Each target a number or a band ``[low, high]``, for a metric of the catalogue."""
        from supportmetrics.metrics import CATALOGUE, Unit

        problems = []
        for metric_id, target in value.items():
            metric = CATALOGUE.get(metric_id)
            if metric is None:
                problems.append(f"{metric_id}: not a metric id (supportmetrics metrics --list "
                                "shows them)")
                continue
            numbers = list(target) if isinstance(target, (list, tuple)) else [target]
            if len(numbers) not in (1, 2) or not all(
                    isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n)
                    for n in numbers):
                problems.append(f"{metric_id} = {target!r}: a target is a number (csat = 85) "
                                "or a band of two numbers (csat = [80, 90])")
            elif len(numbers) == 2 and numbers[0] > numbers[1]:
                problems.append(f"{metric_id} = {target!r}: a band is [low, high], the low "
                                "first")
            elif metric.unit not in (Unit.POINTS, Unit.MONEY) and min(numbers) < 0:
                problems.append(f"{metric_id} = {target!r}: {metric.title} is never negative "
                                f"(unit {metric.unit.value})")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @model_validator(mode="after")
    def _channels_known(self) -> Settings:
        problems = check_channels(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return None if value is None else check_currency(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def survey_scale(self, survey: str) -> tuple[float, float] | None:
        from supportmetrics.schema import DEFAULT_SCALES

        if survey in self.surveys.scales:
            return self.surveys.scales[survey]
        return DEFAULT_SCALES.get(survey)

    def higher_is_better(self, survey: str) -> bool:
        """Whether a higher score of ``survey`` is better (``[surveys.directions]``)."""
        return self.surveys.directions.get(survey, "higher") == "higher"

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
    """Settings from parsed TOML: every problem found at once, each naming its key."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {issues(exc)}") from exc


def table_mapping(data: dict[str, Any], source: str = "mapping") -> TableMapping:
    """A mapping from plain values (options or a dict), or a MappingError naming the key."""
    from supportmetrics.errors import MappingError

    try:
        return TableMapping.model_validate(data)
    except ValidationError as exc:
        raise MappingError(f"{source}: {issues(exc)}") from exc


def issues(exc: ValidationError) -> str:
    """Pydantic's errors as ``key: what is wrong`` lines (one issue: one line)."""
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"{key}: {message}" if key else message)
    if len(lines) == 1:
        return lines[0]
    return f"{len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines)


DEFAULT_CONFIG_TEXT = """\
# supportmetrics workspace settings. Every key is optional; see docs/configuration.md.
timezone = "UTC"                    # periods and naive timestamps (IANA name)
# currency = "EUR"                  # of every amount of money (ISO 4217 code)

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
