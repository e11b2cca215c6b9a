"""The API fuzzed from its own OpenAPI description (schemathesis): whatever a client sends, the
answer is never a 5xx, and every error is a JSON body with a message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from supportmetrics import Workspace
from supportmetrics.web.app import create_app
from supportmetrics.web.auth import TokenStore

TOKEN: dict[str, str] = {}
#: generated requests per operation (fixed: derandomized)
EXAMPLES = 3


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    directory: Path = tmp_path_factory.mktemp("fuzz") / "ws"
    with Workspace.open(directory) as ws:
        ws.ingest_frame("tickets", pd.DataFrame({
            "ticket_id": ["F1", "F2", "F3"],
            "created_at": ["2025-10-01 09:00", "2025-10-02 09:00", "2025-11-03 09:00"],
            "resolved_at": ["2025-10-01 12:00", None, "2025-11-03 10:00"],
            "channel": ["email", "chat", "email"],
        }))
    TOKEN["admin"] = TokenStore(directory).create("fuzz", "admin")[1]
    app = create_app(directory)
    yield schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", app, headers={"Authorization": f"Bearer {TOKEN['admin']}"})
    app.state.workspace.close()


def test_no_5xx_and_every_error_is_json_with_a_message(api_schema: object) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]  # type: ignore[attr-defined]
    assert len(operations) >= 10  # every operation of /api/v1, tokens included
    failures: list[str] = []
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {TOKEN['admin']}"})
            where = f"{case.method} {case.formatted_path} {case.query}"
            assert response.status_code < 500, (where, response.text[:500])
            if response.status_code >= 400:
                body = response.json()
                assert isinstance(body, dict) and isinstance(body.get("error"), str), where
                assert body["error"], where

        try:
            check()
        except AssertionError as exc:
            failures.append(str(exc))
    assert failures == []
