"""Access to the dashboard and the API: tokens, login sessions, CSRF, rate limits, CSP.

* **Tokens** (``supportmetrics tokens create NAME --scope read|ingest|admin``) are shown once
  and stored hashed (scrypt, a deliberately slow hash from the standard library) in
  ``auth.sqlite`` in the workspace directory, outside the DuckDB file: a read-only server
  records its state there. The file and the session key it holds are readable by the owner only
  (mode 0600). Scopes nest: ``admin`` may do what ``ingest`` may, which may do what ``read`` may.
* **The API** takes a token in the ``Authorization: Bearer`` header. A browser that logged in
  may also read (GET) the API with its session cookie.
* **Pages** need a login session: the login form takes a token and sets a signed, HttpOnly,
  SameSite=Strict session cookie (Secure over https). Revoking the token ends its sessions.
* **Failed logins** (form or Bearer) are limited per client address: after
  :data:`FAILED_LOGINS` failures within :data:`FAILURE_WINDOW` seconds, more attempts get 429
  until the window has passed. Token and CSRF comparisons are constant-time.
* **Forms** carry a CSRF token (:func:`csrf_token`, checked by :func:`require_csrf`).
* **Every response** carries a Content Security Policy (:class:`SecurityHeaders`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from supportmetrics.errors import UserError

AUTH_FILE = "auth.sqlite"
SCOPES = ("read", "ingest", "admin")
TOKEN_PREFIX = "smt"
SESSION_COOKIE = "sm_session"
LOGIN_CSRF_COOKIE = "sm_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: how long a login session lasts (seconds)
SESSION_SECONDS = 12 * 3600
#: failed logins allowed per client address within FAILURE_WINDOW seconds
FAILED_LOGINS = 5
FAILURE_WINDOW = 60.0
#: scrypt parameters: 16 MiB of memory, ~50 ms per hash
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}

#: The policy every response carries unless it sets its own: nothing from another origin, no
#: inline script, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


class TokenError(UserError):
    """A token name, scope or id the caller got wrong."""


class UnknownToken(TokenError):
    """No active token of that name or id."""


@dataclass(frozen=True)
class Token:
    id: str
    name: str
    scope: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    def allows(self, scope: str) -> bool:
        return SCOPES.index(self.scope) >= SCOPES.index(scope)


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise TokenError(f"scope {scope!r}: expected one of {', '.join(SCOPES)}")
    return scope


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)


class TokenStore:
    """The tokens and the session key of one workspace, in ``auth.sqlite`` (stdlib sqlite3)."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / AUTH_FILE
        self._verified: dict[bytes, str] = {}  # keyed HMAC of a token -> its id (skip scrypt)
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()
        self._key: bytes | None = None

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self.path.parent.is_dir():
            raise TokenError(f"{self.path.parent}: no workspace directory here")
        new = not self.path.exists()
        if new:  # created readable by the owner only, before anything is written to it
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        con = sqlite3.connect(self.path, timeout=10)
        try:
            con.execute("CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, name TEXT "
                        "UNIQUE NOT NULL, scope TEXT NOT NULL, salt BLOB NOT NULL, hash BLOB NOT "
                        "NULL, created_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT)")
            con.execute("CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BLOB)")
            with con:
                yield con
        finally:
            con.close()

    # -- administration ------------------------------------------------------------------------

    def create(self, name: str, scope: str) -> tuple[Token, str]:
        """A new token: its record and its value (shown once, never stored)."""
        check_scope(scope)
        name = name.strip()
        if not name or len(name) > 100 or not name.isprintable():
            raise TokenError(f"token name {name!r}: give 1 to 100 printable characters")
        ident, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        with self._db() as con:
            if con.execute("SELECT 1 FROM tokens WHERE name = ?", [name]).fetchone():
                raise TokenError(f"a token named {name!r} exists already; choose another name "
                                 "or revoke it first")
            created = _now()
            con.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
                        [ident, name, scope, salt, _hash(secret, salt), created])
        return Token(ident, name, scope, created, None, None), f"{TOKEN_PREFIX}_{ident}_{secret}"

    def list(self, include_revoked: bool = True) -> list[Token]:
        with self._db() as con:
            rows = con.execute("SELECT id, name, scope, created_at, last_used_at, revoked_at "
                               "FROM tokens ORDER BY created_at, name").fetchall()
        tokens = [Token(*row) for row in rows]
        return [t for t in tokens if include_revoked or t.revoked_at is None]

    def revoke(self, name_or_id: str) -> Token:
        """Revoke a token (by name or id): it and its sessions stop working at once."""
        with self._db() as con:
            row = con.execute("SELECT id FROM tokens WHERE (name = ? OR id = ?) AND revoked_at "
                              "IS NULL", [name_or_id, name_or_id]).fetchone()
            if row is None:
                raise UnknownToken(f"no active token named {name_or_id!r}; `supportmetrics tokens "
                                 "list` shows them")
            con.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", [_now(), row[0]])
        with self._lock:
            self._verified = {k: v for k, v in self._verified.items() if v != row[0]}
        return self.get(row[0])  # type: ignore[return-value]

    def get(self, ident: str) -> Token | None:
        with self._db() as con:
            row = con.execute("SELECT id, name, scope, created_at, last_used_at, revoked_at "
                              "FROM tokens WHERE id = ?", [ident]).fetchone()
        return Token(*row) if row else None

    # -- checking ------------------------------------------------------------------------------

    def key(self) -> bytes:
        """The workspace's session key: made once, kept in auth.sqlite (mode 0600)."""
        if self._key is None:
            with self._db() as con:
                row = con.execute("SELECT value FROM secrets WHERE name = 'session'").fetchone()
                if row is None:
                    con.execute("INSERT OR IGNORE INTO secrets VALUES ('session', ?)",
                                [secrets.token_bytes(32)])
                    row = con.execute(
                        "SELECT value FROM secrets WHERE name = 'session'").fetchone()
            self._key = bytes(row[0])
        return self._key

    def verify(self, value: str) -> Token | None:
        """The active token ``value`` is, or None (a constant-time comparison of the hash)."""
        fast = hmac.new(self.key(), value.encode(), hashlib.sha256).digest()
        with self._lock:
            known = self._verified.get(fast)
        if known is not None:
            token = self.get(known)
            if token is not None and token.revoked_at is None:
                self._touch(token)
                return token
            return None
        prefix, _, rest = value.partition("_")
        ident, _, secret = rest.partition("_")
        with self._db() as con:
            row = con.execute("SELECT salt, hash FROM tokens WHERE id = ? AND revoked_at IS NULL",
                              [ident]).fetchone() if prefix == TOKEN_PREFIX else None
        salt, stored = (bytes(row[0]), bytes(row[1])) if row else (b"\0" * 16, b"\0" * 32)
        computed = _hash(secret, salt)  # computed for unknown ids too: same time either way
        if row is None or not hmac.compare_digest(computed, stored):
            return None
        with self._lock:
            self._verified[fast] = ident
        token = self.get(ident)
        if token is not None:
            self._touch(token)
        return token

    def _touch(self, token: Token) -> None:
        """Record the last use (at most once a minute per token)."""
        now = time.monotonic()
        if now - self._used.get(token.id, -1e9) < 60:
            return
        self._used[token.id] = now
        with contextlib.suppress(sqlite3.Error), self._db() as con:
            con.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", [_now(), token.id])


class FailureLimiter:
    """Failed logins per client address; too many within the window get 429."""

    def __init__(self, limit: int = FAILED_LOGINS, window: float = FAILURE_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def check(self, client: str) -> None:
        """Raise 429 when ``client`` used up its failures."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            if len(failures) >= self.limit:
                wait = max(1, int(failures[0] + self.window - now + 0.999))
                raise HTTPException(
                    429, f"too many failed logins from this address; try again in {wait} s",
                    headers={"Retry-After": str(wait)})

    def fail(self, client: str) -> None:
        with self._lock:
            self._recent(client, time.monotonic()).append(time.monotonic())
            if len(self._failures) > 10_000:  # forget the quiet addresses
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]


@dataclass
class Access:
    """The app's access settings (``app.state.access``)."""

    store: TokenStore | None  # None: --no-auth (loopback only)
    limiter: FailureLimiter

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def serializer(self) -> URLSafeTimedSerializer:
        assert self.store is not None
        return URLSafeTimedSerializer(self.store.key(), salt="supportmetrics-session")


#: who a request acts for when authentication is off (--no-auth on loopback)
ANONYMOUS = Token("-", "anonymous (--no-auth)", "admin", "", None, None)


def access(request: Request) -> Access:
    result: Access = request.app.state.access
    return result


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def session_token(request: Request) -> tuple[Token, str] | None:
    """The token and CSRF value of the request's valid session cookie, or None."""
    acc = access(request)
    if not acc.enabled:
        return ANONYMOUS, _anonymous_csrf(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        data = acc.serializer().loads(cookie, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        return None
    assert acc.store is not None
    token = acc.store.get(data["t"])
    if token is None or token.revoked_at is not None:
        return None
    return token, str(data.get("c", ""))


def _anonymous_csrf(request: Request) -> str:
    """Without authentication, forms still carry a CSRF value: one per app."""
    value: str = request.app.state.anonymous_csrf
    return value


def new_session(request: Request, token: Token) -> tuple[str, str]:
    """A signed session cookie value for ``token`` and its CSRF value."""
    csrf = secrets.token_urlsafe(24)
    return access(request).serializer().dumps({"t": token.id, "c": csrf}), csrf


def cookie_options(request: Request) -> dict[str, Any]:
    """Session cookies: HttpOnly, SameSite=Strict, Secure when the request came over https."""
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https",
            "path": "/"}


def bearer_token(request: Request) -> Token:
    """The request's Bearer token (401 when missing or wrong; 429 after many failures)."""
    acc = access(request)
    if not acc.enabled:
        return ANONYMOUS
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        assert acc.store is not None
        client = _client(request)
        acc.limiter.check(client)
        token = acc.store.verify(value.strip())
        if token is not None:
            return token
        acc.limiter.fail(client)
        raise HTTPException(401, "the token is not valid (unknown, mistyped or revoked)",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if request.method == "GET":  # a browser that logged in may read the API
        found = session_token(request)
        if found is not None:
            return found[0]
    raise HTTPException(
        401, "this needs a token: send `Authorization: Bearer TOKEN` (create one with "
        "`supportmetrics tokens create NAME --scope read`)",
        headers={"WWW-Authenticate": "Bearer"})


def require_scope(scope: str) -> Callable[[Request], Token]:
    """A dependency: the request's Bearer token, which must allow ``scope`` (else 401/403)."""
    check_scope(scope)

    def dependency(request: Request) -> Token:
        token = bearer_token(request)
        if not token.allows(scope):
            raise HTTPException(403, f"token {token.name!r} has scope {token.scope!r}; this needs "
                                f"scope {scope!r}")
        request.state.token = token
        return token

    dependency.__name__ = f"require_scope_{scope}"
    return dependency


class LoginRequired(Exception):
    """No valid session: pages redirect to the login form (the app handles this)."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def login_url(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


def require_page_session(request: Request) -> Token:
    """A dependency for pages: the session's token, or a redirect to /login (then back)."""
    found = session_token(request)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    request.state.token, request.state.csrf = found
    return found[0]


def csrf_token(request: Request) -> str:
    """The CSRF value a form of this session must carry (field ``csrf_token``)."""
    found = session_token(request)
    if found is None:
        raise LoginRequired(request.url.path)
    return found[1]


async def require_csrf(request: Request) -> None:
    """A dependency for form posts: the ``csrf_token`` field (or ``X-CSRF-Token`` header)
    must equal the session's value (403 otherwise)."""
    expected = csrf_token(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "the form's CSRF token is missing or does not match this "
                            "session; reload the page and submit again")


def safe_next(value: str | None) -> str:
    """Where to go after login: a path of this site only (never another host)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

#: headers every response carries (the CSP unless the response set its own)
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """ASGI middleware: a Content Security Policy (``policy``) and the other security headers
    on every response. A response that sets its own policy (the report) keeps it."""

    def __init__(self, app: Any, policy: str = CSP) -> None:
        self.app = app
        self.policy = policy.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.policy))
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in names)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, sending)


__all__ = [
    "CSP",
    "CSRF_FIELD",
    "SCOPES",
    "Access",
    "FailureLimiter",
    "LoginRequired",
    "SecurityHeaders",
    "Token",
    "TokenError",
    "TokenStore",
    "UnknownToken",
    "bearer_token",
    "csrf_token",
    "require_csrf",
    "require_page_session",
    "require_scope",
    "session_token",
]
