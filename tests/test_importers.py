"""The importer registry, the figure comparison of ``import --check``, and the sync parts that
need no server (Retry-After, credentials)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from supportmetrics.cli import main
from supportmetrics.config import Source, settings_from_dict
from supportmetrics.errors import ConfigError, SourceError
from supportmetrics.importers import SOURCES, importer, sync_for
from supportmetrics.importers.check import compare
from supportmetrics.importers.sync import credentials, retry_after


def test_every_source_of_the_issue_is_registered() -> None:
    assert sorted(SOURCES) == ["chatwoot", "eventlog", "freshdesk", "helpscout", "intercom",
                               "updatelog", "zammad", "zendesk"]
    assert importer("zendesk").name == "zendesk"


def test_a_registered_source_whose_module_is_absent_is_not_available(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(SOURCES, "intercom", "supportmetrics.importers.no_such_module")
    with pytest.raises(SourceError, match="the intercom importer is not available"):
        importer("intercom")
    assert main(["-w", str(tmp_path), "import", "intercom", "x.json"]) == 2
    err = capsys.readouterr().err
    assert "not available in this installation" in err and "Traceback" not in err


def test_an_unknown_source_names_the_sources(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-w", str(tmp_path), "import", "jira", "x.json"]) == 2
    assert "'jira' is not a source; sources: " in capsys.readouterr().err
    with pytest.raises(SourceError, match="helpscout has no API sync"):
        sync_for("helpscout")


def test_check_says_why_figures_differ() -> None:
    figures = pa.table({
        "ticket_id": ["a", "b", "c", "d", "e", "f"],
        "first_response_seconds": [600.0, 3600.0, 7200.0, 300.0, None, 100.0],
        "resolution_seconds": [None, None, None, None, 7200.0, None],
    })
    t0 = pd.Timestamp("2025-10-01 09:00")
    facts = pd.DataFrame({
        "ticket_id": ["a", "b", "c", "d", "e"],
        "created_at": [t0] * 5,
        "first_solved_at": [None, None, None, None, t0 + pd.Timedelta(hours=2)],
        # a agrees within a minute (630 s); b: 3600 is the business figure; c: the engine
        # finds no reply; d: the engine's reply comes 25 min later than the source's
        "first_response_seconds": [630.0, 50400.0, None, 1800.0, 60.0],
        "first_response_business_seconds": [630.0, 3600.0, None, 1800.0, 60.0],
        # e: reopened, solved first after 2 h, last after 3 days
        "resolution_seconds": [None, None, None, None, 259200.0],
        "resolution_business_seconds": [None, None, None, None, 86400.0],
    })
    result = compare(figures, facts)
    assert [(c.title, c.agreed, c.compared) for c in result.figures] == [
        ("first reply time", 1, 5), ("resolution time", 0, 1)]
    reasons = {(d.ticket_id, d.figure): d.reason.split(":")[0] for d in result.disagreements}
    assert reasons == {
        ("b", "first reply time"): "calendar vs business time",
        ("c", "first reply time"): "the engine finds no public agent reply",
        ("d", "first reply time"): "the source's first reply is 25 min earlier",
        ("f", "first reply time"): "the ticket is not in the workspace (rejected, or in another export)",
        ("e", "resolution time"): "reopen handling",
    }


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after("0.01", 1.0) == 0.01
    assert retry_after("7", 1.0) == 7.0
    assert retry_after(None, 2.0) == 2.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 3.0) == 0.0  # a past date: no wait
    assert retry_after("soon", 4.0) == 4.0


def test_credentials_from_the_environment_win_and_the_token_is_never_shown(
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Source(url="https://file.zendesk.com/", email="a@example.com", token="from-file")
    assert "from-file" not in repr(settings) and "from-file" not in str(settings)
    monkeypatch.delenv("SUPPORTMETRICS_ZENDESK_URL", raising=False)
    monkeypatch.delenv("SUPPORTMETRICS_ZENDESK_EMAIL", raising=False)
    monkeypatch.setenv("SUPPORTMETRICS_ZENDESK_TOKEN", "from-env")
    creds = credentials("zendesk", settings)
    assert (creds.url, creds.email, creds.token) == (
        "https://file.zendesk.com", "a@example.com", "from-env")
    assert "from-env" not in repr(creds)
    monkeypatch.delenv("SUPPORTMETRICS_ZENDESK_TOKEN")
    with pytest.raises(SourceError, match="set SUPPORTMETRICS_ZENDESK_URL"):
        credentials("zendesk", None)


def test_source_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="jira: not a source"):
        settings_from_dict({"sources": {"jira": {}}})
    with pytest.raises(ConfigError, match="is not an http"):
        settings_from_dict({"sources": {"zendesk": {"url": "acme.zendesk.com"}}})
    with pytest.raises(ConfigError, match="sources.zendesk.tokn"):
        settings_from_dict({"sources": {"zendesk": {"tokn": "x"}}})


def test_deleted_tickets_and_conversations_are_rejected_with_the_reason() -> None:
    from supportmetrics.importers import helpscout, zendesk

    export = zendesk.Export()
    export.add("tickets.json", {"tickets": [
        {"id": 8, "status": "deleted", "created_at": "2025-10-01T00:00:00Z"},
        {"id": 9, "status": "open", "created_at": "2025-10-01T00:00:00Z"}]})
    imported = zendesk.convert(export)
    assert imported.tables["tickets"].column("ticket_id").to_pylist() == ["9"]
    assert [str(r) for r in imported.rejects] == [
        "tickets.json row 1: status 'deleted' ticket 8 was deleted in Zendesk: not loaded "
        "(one loaded before stays; `supportmetrics tables` shows the tickets)"]
    conversations = [("page.json", 1, {"id": 5, "status": "closed", "state": "deleted",
                                       "createdAt": "2025-10-01T00:00:00Z"})]
    rejected = helpscout.convert(conversations, [], {}).rejects
    assert [str(r) for r in rejected] == [
        "page.json row 1: state 'deleted' conversation 5 was deleted in Help Scout: not loaded"]
