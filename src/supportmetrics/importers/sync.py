"""``supportmetrics sync SOURCE``: fetch what changed from a helpdesk's HTTP API and load it.

The parts every source shares:

- :class:`Http`: GET with httpx (the transport injectable: a loopback server or httpx's
  ``MockTransport`` in tests), JSON pages, a 429 answered by waiting ``Retry-After`` seconds,
  a 5xx or a dropped connection retried with exponential backoff, and a :class:`SourceError`
  that says what to do when the API refuses (401/403: the credentials) or keeps failing.
- :class:`SyncState`: the cursor of every stream, kept in ``sync/SOURCE.json`` in the workspace
  directory and replaced atomically after each page is committed. A sync that stops half way
  (an error, Ctrl-C) starts again from the last committed page: a page loaded twice is
  upserted on its table's key (no duplicates), and no page is skipped (no gaps).
- :func:`run_sync`: credentials from the environment or ``[sources.NAME]``, each page loaded
  with :func:`~supportmetrics.importers.run.load_imported` (same validation and rejects as
  ``import``) without a refresh, and one refresh at the end.

A source's module exposes ``SYNC``, an object with ``name``, ``default_url`` and ``run(client,
state, load, progress)``; it walks its streams page by page, calls ``load`` with each page's
:class:`~supportmetrics.importers.base.Imported`, then stores the page's cursor in ``state``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from supportmetrics.config import Source
from supportmetrics.errors import SourceError
from supportmetrics.importers.base import Imported
from supportmetrics.importers.run import ImportResult, load_imported

if TYPE_CHECKING:
    from supportmetrics.workspace import Workspace

STATE_DIR = "sync"
#: attempts of one request before giving up (429s and 5xx answers, dropped connections)
ATTEMPTS = 6
#: first wait after a 5xx answer or a dropped connection, doubled each time
BACKOFF_SECONDS = 1.0
#: the longest wait a Retry-After header may ask for; a longer one stops the sync
MAX_WAIT_SECONDS = 600.0
TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Credentials:
    """Where the API is and how to sign in; ``token`` is never printed (see ``__repr__``)."""

    url: str
    email: str | None
    token: str | None

    def __repr__(self) -> str:
        return f"Credentials(url={self.url!r}, email={self.email!r}, token=<hidden>)"


def credentials(name: str, settings: Source | None, default_url: str | None = None) -> Credentials:
    """The environment's ``SUPPORTMETRICS_NAME_URL``/``_EMAIL``/``_TOKEN``, else
    ``[sources.NAME]``; a :class:`SourceError` naming both when the address is missing."""
    prefix = f"SUPPORTMETRICS_{name.upper()}_"
    url = os.environ.get(prefix + "URL") or (settings.url if settings else None) or default_url
    if not url:
        raise SourceError(
            f"sync {name}: no API address: set {prefix}URL (e.g. https://acme.{name}.com) or "
            f"url in [sources.{name}] of supportmetrics.toml")
    if not url.startswith(("http://", "https://")):
        raise SourceError(f"sync {name}: {prefix}URL {url!r} is not an http(s) address")
    token = os.environ.get(prefix + "TOKEN") or (
        settings.token.get_secret_value() if settings and settings.token else None)
    email = os.environ.get(prefix + "EMAIL") or (settings.email if settings else None)
    return Credentials(url.rstrip("/"), email, token)


class Http:
    """JSON GETs against one API with retries; see the module docstring."""

    def __init__(
        self, source: str, base_url: str, auth: httpx.Auth | None = None,
        headers: dict[str, str] | None = None, transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep, backoff: float = BACKOFF_SECONDS,
    ) -> None:
        self.source = source
        self.sleep = sleep
        self.backoff = backoff
        self.requests = 0
        self.client = httpx.Client(base_url=base_url, auth=auth, headers=headers,
                                   transport=transport, timeout=TIMEOUT_SECONDS)

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """The JSON of ``url`` (a path under the API address, or a full next-page URL)."""
        return self.page(url, params)[0]

    def page(self, url: str, params: dict[str, Any] | None = None) -> tuple[Any, str | None]:
        """The JSON of ``url`` and the next page's URL from its ``Link`` header, if any."""
        wait = self.backoff
        shown = url.split("?")[0]
        for attempt in range(1, ATTEMPTS + 1):
            self.requests += 1
            try:
                response = self.client.get(url, params=params)
            except httpx.TransportError as exc:
                if attempt == ATTEMPTS:
                    raise SourceError(f"sync {self.source}: {shown}: the connection failed "
                                      f"{ATTEMPTS} times ({type(exc).__name__}); check the "
                                      "address and the network, then sync again: it resumes "
                                      "where it stopped") from None
                self.sleep(wait)
                wait *= 2
                continue
            if response.status_code == 429:
                delay = retry_after(response.headers.get("Retry-After"), wait)
                if delay > MAX_WAIT_SECONDS or attempt == ATTEMPTS:
                    raise SourceError(f"sync {self.source}: {shown}: the API's rate limit holds "
                                      f"(429, Retry-After {delay:g} s); sync again later: it "
                                      "resumes where it stopped")
                self.sleep(delay)
                continue
            if response.status_code >= 500:
                if attempt == ATTEMPTS:
                    raise SourceError(f"sync {self.source}: {shown}: the API answered "
                                      f"{response.status_code} {ATTEMPTS} times; sync again "
                                      "later: it resumes where it stopped")
                self.sleep(wait)
                wait *= 2
                continue
            if response.status_code in (401, 403):
                raise SourceError(
                    f"sync {self.source}: {shown}: the API refused the credentials "
                    f"({response.status_code}); check SUPPORTMETRICS_{self.source.upper()}_TOKEN "
                    f"(and _EMAIL) or [sources.{self.source}]")
            if response.status_code >= 400:
                raise SourceError(f"sync {self.source}: {shown}: the API answered "
                                  f"{response.status_code}: {response.text[:200]}")
            try:
                return response.json(), response.links.get("next", {}).get("url")
            except ValueError:
                raise SourceError(f"sync {self.source}: {shown}: the answer is not JSON; is "
                                  "the API address right?") from None
        raise AssertionError("unreachable")  # pragma: no cover


def retry_after(header: str | None, default: float) -> float:
    """Seconds a Retry-After header asks to wait (seconds, or an HTTP date)."""
    if not header:
        return default
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return default
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


class SyncState:
    """Each stream's cursor (and whatever a source keeps between syncs), in one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.data = {}
        except (OSError, ValueError) as exc:
            raise SourceError(f"{path}: the stored sync state cannot be read ({exc}); delete "
                              "it to sync everything again") from None

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def save(self, **values: Any) -> None:
        """Store ``values`` (after the rows they follow were committed): written, then renamed."""
        self.data.update(values)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(self.data, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(self.path)


Load = Callable[[Imported], None]


class Sync(Protocol):
    """A source's API sync (``SYNC`` in its module)."""

    name: str
    default_url: str | None

    def client(self, creds: Credentials, transport: httpx.BaseTransport | None,
               sleep: Callable[[float], None]) -> Http:
        """An :class:`Http` signed in with ``creds``."""
        ...

    def run(self, client: Http, settings: Source, state: SyncState, load: Load,
            progress: Callable[[str], None]) -> None:
        """Walk every stream from its stored cursor: ``load`` each page, then save its cursor."""
        ...


@dataclass(frozen=True)
class SyncResult:
    source: str
    pages: int
    requests: int
    imports: tuple[ImportResult, ...]

    def rows(self) -> dict[str, int]:
        """Rows read per table."""
        totals: dict[str, int] = {}
        for result in self.imports:
            for load in result.loads:
                totals[load.table] = totals.get(load.table, 0) + load.rows_read
        return totals

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.imports)


def run_sync(
    ws: Workspace, sync: Sync, transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] = lambda message: None,
) -> SyncResult:
    """Fetch and load every page that changed since the last sync; refresh once at the end."""
    settings = ws.settings.sources.get(sync.name) or Source()
    creds = credentials(sync.name, settings, sync.default_url)
    state = SyncState(ws.directory / STATE_DIR / f"{sync.name}.json")
    results: list[ImportResult] = []

    def load(imported: Imported) -> None:
        results.append(load_imported(ws, sync.name, imported, refresh=False))

    with _client(sync, creds, transport, sleep) as client:
        try:
            sync.run(client, settings, state, load, progress)
        finally:  # the pages committed so far are in: bring the stored tables up to date
            if any(load.committed for r in results for load in r.loads):
                progress("refreshing the stored tables")
                ws.refresh()
        return SyncResult(sync.name, len(results), client.requests, tuple(results))


@contextmanager
def _client(sync: Sync, creds: Credentials, transport: httpx.BaseTransport | None,
            sleep: Callable[[float], None]) -> Iterator[Http]:
    client = sync.client(creds, transport, sleep)
    try:
        yield client
    finally:
        client.close()
