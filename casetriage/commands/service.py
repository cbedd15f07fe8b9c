"""``casetriage serve``, ``keys``, ``audit-log`` and ``db``: run and operate the scoring API."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Annotated

import typer

__all__ = ["audit_log_app", "db_app", "keys_app", "register", "serve"]

keys_app = typer.Typer(
    help="Create, revoke and list API keys (one role per key).", no_args_is_help=True
)
audit_log_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
db_app = typer.Typer(help="The service database.", no_args_is_help=True)


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _store():
    from sqlalchemy.exc import SQLAlchemyError

    from serving.runtime import open_store

    try:
        return open_store()
    except (SQLAlchemyError, ValueError, OSError) as error:
        _fail(f"cannot open the service database: {error}")


def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 3000,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    check: Annotated[
        bool, typer.Option(help="load the champion first and refuse to start if it cannot serve")
    ] = True,
) -> None:
    """Serve the API (``bentoml serve serving.service:TriageAPI``) after migrating the database.

    Refuses to start when the champion model has no passing or signed-off fairness audit.
    """
    from serving.champion import ChampionUnavailableError, load_champion

    _store()
    if check:
        try:
            model = load_champion()
        except ChampionUnavailableError as error:
            _fail(f"refusing to serve: {error}")
        typer.echo(f"champion model version {model.version} passed its checks")
    bentoml = shutil.which("bentoml", path=os.path.dirname(sys.executable)) or "bentoml"
    args = [bentoml, "serve", "serving.service:TriageAPI", "--host", host, "--port", str(port)]
    os.execv(bentoml, args)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Argument(help="case_system, supervisor, ethics_reviewer or admin")],
    name: Annotated[str, typer.Option("--name", help="who or what holds the key")],
) -> None:
    """Create a key; it is printed once and stored only as a hash."""
    from serving.api_keys import create_key
    from serving.audit_log import CLI_ACTOR

    store = _store()
    try:
        with store.sessions.begin() as session:
            issued = create_key(session, role=role, name=name, actor=CLI_ACTOR)
    except ValueError as error:
        _fail(str(error), code=2)
    typer.echo(f"key_id {issued.key_id} role {issued.role}")
    typer.echo(issued.key)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key's id")]) -> None:
    """Revoke a key; requests with it get 401 from now on."""
    from serving.api_keys import revoke_key
    from serving.audit_log import CLI_ACTOR

    store = _store()
    try:
        with store.sessions.begin() as session:
            revoke_key(session, key_id=key_id, actor=CLI_ACTOR)
    except LookupError as error:
        _fail(str(error), code=2)
    typer.echo(f"revoked {key_id}")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (ids, roles, names, state); never the keys themselves."""
    from serving.api_keys import list_keys

    store = _store()
    with store.sessions() as session:
        for key in list_keys(session):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            typer.echo(f"{key.key_id}\t{key.role}\t{state}\t{key.name}")


@keys_app.command("demo")
def keys_demo() -> None:
    """Create one demo key per role and print them once."""
    from serving.api_keys import ROLES, create_key
    from serving.audit_log import CLI_ACTOR

    store = _store()
    with store.sessions.begin() as session:
        issued = [
            create_key(session, role=role, name=f"demo {role}", actor=CLI_ACTOR) for role in ROLES
        ]
    for key in issued:
        typer.echo(f"{key.role:<16} {key.key}")
    typer.echo("(shown once; stored only as SHA-256 hashes)", err=True)


@audit_log_app.command("verify")
def audit_log_verify() -> None:
    """Recompute the hash chain; exit 1 naming the first edited or missing entry."""
    from serving.audit_log import verify_chain

    store = _store()
    with store.sessions() as session:
        report = verify_chain(session)
    if not report.ok:
        _fail(f"audit log broken at entry {report.first_bad_seq}: {report.problem}")
    typer.echo(f"audit log intact: {report.entries} entries")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations to the database in CASETRIAGE_DATABASE_URL."""
    from core.settings import get_settings

    _store()
    url = get_settings().database_url
    typer.echo(f"database at the latest schema ({url.split('://', 1)[0]})")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
    app.add_typer(audit_log_app, name="audit-log")
    app.add_typer(db_app, name="db")
