"""``serve`` (the dashboard and the HTTP API) and ``tokens`` (who may use them)."""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from rich.text import Text

from supportmetrics.cli.app import app, console, err_console, say, workspace_dir
from supportmetrics.errors import UserError, WorkspaceError

if TYPE_CHECKING:
    from supportmetrics.web import TokenStore

DEFAULT_PORT = 8765


class ServeError(UserError):
    """A serve option the user must change (an address, a port, --no-auth)."""


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise ServeError(f"--host {host}: not an address of this machine ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        hint = "choose another with --port (0 picks a free one)"
        if exc.errno == 98:
            raise ServeError(f"port {port} on {host} is in use; {hint}") from None
        raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror}); {hint}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every "
                             "interface; then put it behind https)."),
    port: int = typer.Option(DEFAULT_PORT, "--port", help="Port (0 picks a free one)."),
    no_auth: bool = typer.Option(False, "--no-auth", help="No tokens and no login: anyone who "
                                 "can connect may read and load. Only on a loopback address."),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log",
                                    help="Print a line per request."),
) -> None:
    """Serve the dashboard and the HTTP API (/api/v1) of the workspace; Ctrl-C stops it.

    The workspace is read beside loads made through the API (POST /api/v1/ingest/TABLE) and by
    `supportmetrics ingest`. Every page and endpoint but /api/v1/health needs a token: create
    one with `supportmetrics tokens create NAME --scope read`.
    """
    import uvicorn

    from supportmetrics.web import TokenStore, create_app

    if no_auth and not _loopback(host):
        raise ServeError(f"--no-auth is allowed only on a loopback address (127.0.0.1, ::1, "
                         f"localhost), not {host}; create a token instead: supportmetrics "
                         "tokens create NAME --scope read")
    if not 0 <= port <= 65535:
        raise ServeError(f"--port {port}: expected 0 to 65535")
    directory = workspace_dir()
    from supportmetrics.web import router as pages

    web = create_app(directory, auth=not no_auth, pages=pages)
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    console.print(f"supportmetrics serving {directory} at {url} (API: {url}api/v1/docs); "
                  "Ctrl-C stops it", highlight=False, markup=False, soft_wrap=True)
    if no_auth:
        say(err_console, "note:", "bold yellow", "no authentication (--no-auth): anyone who can "
            "connect to this machine may read and load data")
    elif not TokenStore(directory).list(include_revoked=False):
        say(console, "first run:", "bold", f"no token yet. Create one with `supportmetrics -w "
            f"{directory} tokens create NAME --scope read` (ingest to load, admin for tokens), "
            f"then sign in at {url}login with it")
    config = uvicorn.Config(web, log_level="info" if access_log else "warning",
                            access_log=access_log, lifespan="on", timeout_graceful_shutdown=5,
                            proxy_headers=True)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn hands Ctrl-C on once it has shut down
        pass
    finally:
        sock.close()
    console.print("supportmetrics serve: stopped", highlight=False, markup=False)


tokens_app = typer.Typer(
    help="Create, list and revoke the tokens of `serve` (stored hashed in auth.sqlite in the "
    "workspace directory).",
    no_args_is_help=True,
)
app.add_typer(tokens_app, name="tokens")


def _store() -> TokenStore:
    from supportmetrics.web import TokenStore
    from supportmetrics.workspace import DATABASE_FILE

    directory = workspace_dir()
    if not (directory / DATABASE_FILE).exists():
        raise WorkspaceError(f"{directory}: no workspace here (no {DATABASE_FILE}); ingest data "
                             "or run `supportmetrics demo`, or name it with -w DIR")
    return TokenStore(directory)


@tokens_app.command("create")
def tokens_create(
    name: str = typer.Argument(..., help="Who or what uses it, e.g. grafana or alice."),
    scope: str = typer.Option("read", "--scope", help="read (pages and queries), ingest "
                              "(also loads), admin (also tokens)."),
) -> None:
    """Create a token and print it (only this once: it is stored hashed)."""
    from supportmetrics.web import check_scope

    check_scope(scope)
    store = _store()
    token, value = store.create(name, scope)
    console.print(value, highlight=False, markup=False, soft_wrap=True)
    say(err_console, "note:", "bold yellow", f"token {token.name!r} (scope {token.scope}, id "
        f"{token.id}) is shown only this once: keep it now. Use it as `Authorization: Bearer "
        "TOKEN` or on the login page")


@tokens_app.command("list")
def tokens_list() -> None:
    """Show the tokens: name, id, scope, created, last used, revoked (never their values)."""
    store = _store()
    view = Table("name", "id", "scope", "created", "last used", "revoked", caption="times in UTC")
    for t in store.list():
        view.add_row(*(Text(c) for c in (t.name, t.id, t.scope, t.created_at,
                                          t.last_used_at or "never", t.revoked_at or "")))
    console.print(view)


@tokens_app.command("revoke")
def tokens_revoke(
    name: str = typer.Argument(..., help="The token's name or id."),
) -> None:
    """Revoke a token: it, and every session signed in with it, stops working at once."""
    store = _store()
    token = store.revoke(name)
    console.print(f"token {token.name!r} (id {token.id}) revoked", highlight=False, markup=False)
