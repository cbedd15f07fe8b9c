"""Engines with short timeouts, SQLite in WAL mode, and the schema migrations.

A database that is down or locked must turn into a quick, clear 503, never a hung
request, so every engine is built with connect and statement timeouts.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "DatabaseTimeouts",
    "make_engine",
    "make_session_factory",
    "read_one_snapshot",
    "upgrade_schema",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The execution option that marks a read-only session's connections (see make_engine).
READ_ONLY = "casetriage_read_only"
_MIGRATION_LOCK_ID = 0x6361_7365  # "case": the advisory lock migrations hold on PostgreSQL


class DatabaseTimeouts:
    """Connect, statement and lock-wait limits, in seconds."""

    def __init__(self, *, connect_s: float = 3.0, statement_s: float = 5.0) -> None:
        self.connect_s = connect_s
        self.statement_s = statement_s


def make_engine(url: str, *, timeouts: DatabaseTimeouts | None = None) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL via psycopg).

    SQLite connections use WAL, ``synchronous=FULL`` (an acknowledged write survives a
    crash), ``secure_delete`` (erased text is overwritten, not left in free space) and
    ``BEGIN IMMEDIATE`` so that writers queue on the busy timeout instead of
    failing when two of them read the audit-chain head at once. Sessions made with
    ``make_session_factory(engine, read_only=True)`` begin a plain (deferred) transaction
    instead and skip the writers' queue: in WAL mode a reader sees the last commit and
    never waits for a writer.
    """
    timeouts = timeouts or DatabaseTimeouts()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": timeouts.statement_s, "check_same_thread": False}
        )
        busy_ms = int(timeouts.statement_s * 1000)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # zero the bytes of deleted and shrunk rows: some builds default to off, and
            # then an erased note's evidence stayed readable in the file's free space
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.close()

        # One writer at a time in this process, queued on a lock that wakes the next thread
        # at once; SQLite's own busy handler (still there for other processes) polls with
        # sleeps of up to 100 ms, which under 32 concurrent clients cost seconds at p99.
        writer = threading.Lock()

        @event.listens_for(engine, "begin")
        def _sqlite_begin_immediate(connection) -> None:
            if connection.get_execution_options().get(READ_ONLY):
                # a reader behind the writers' lock waited for their commits: every
                # request's key check queued behind whole score transactions
                connection.exec_driver_sql("BEGIN")
                return
            connection.info["holds_writer_lock"] = writer.acquire(timeout=timeouts.statement_s)
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except Exception:
                _sqlite_end(connection)  # no transaction began, so no commit will release it
                raise

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _sqlite_end(connection) -> None:
            if connection.info.pop("holds_writer_lock", False):
                writer.release()

        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        statement_ms = int(timeouts.statement_s * 1000)
        engine = create_engine(
            parsed,
            pool_pre_ping=True,
            pool_timeout=timeouts.connect_s,
            connect_args={
                "connect_timeout": max(1, int(timeouts.connect_s)),
                "options": f"-c statement_timeout={statement_ms} -c lock_timeout={statement_ms}",
            },
        )
        # Batch inserts (scores, needs, audit entries) as multi-row INSERT statements, as
        # SQLAlchemy does for psycopg2, instead of psycopg 3's pipelined executemany, which
        # spends more CPU per row in Python than building the row does.
        engine.dialect.use_insertmanyvalues_wo_returning = True
        return engine
    raise ValueError(f"database_url: unsupported database {parsed.get_backend_name()!r}")


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``read_only`` ones must not write (see :func:`make_engine`)."""
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)


def read_one_snapshot(session: Session) -> None:
    """Make every statement of ``session``'s transaction read one consistent view: on
    PostgreSQL a REPEATABLE READ transaction (SQLite's read transaction already is one).
    Call before its first statement."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def upgrade_schema(engine: Engine, *, revision: str = "head") -> None:
    """Apply the Alembic migrations shipped in ``serving/migrations`` up to ``revision``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together on one database would otherwise race to create
            # the same tables; the first migrates, the others wait and find it done.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '120s'")
            connection.exec_driver_sql("SET LOCAL statement_timeout = '120s'")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()
