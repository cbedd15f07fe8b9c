"""``casetriage deliver-events``: send decision events to the case systems' webhooks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["deliver_events", "register"]


def _one_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _summary(totals) -> str:
    failures = ", ".join(f"{status} x{count}" for status, count in sorted(totals.failures.items()))
    return f"delivered {totals.delivered}, failed {totals.failed}" + (
        f" ({failures}; retries scheduled)" if failures else ""
    )


def deliver_events(
    once: Annotated[bool, typer.Option("--once", help="send what is due now, then exit")] = False,
    interval: Annotated[
        float | None,
        typer.Option(min=0.05, help="seconds between looks for due events (default: config)"),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="an operator's copy of event_delivery.yaml")
    ] = None,
) -> None:
    """Send due decision events, signed, to every registered webhook; retry failures.

    Without --once it runs until stopped (SIGTERM or Ctrl-C end it after the batch in
    flight). Several workers may run at once, on several machines: each claims its own
    deliveries. Exit 1 if the database cannot be reached, 2 if the config is invalid.
    """
    import signal
    import threading

    from sqlalchemy.exc import SQLAlchemyError

    from core.config import ConfigError
    from serving.event_delivery import deliver_forever, drain, pending_deliveries
    from serving.event_delivery_config import EventDeliveryConfig
    from serving.runtime import operator_store

    try:
        loaded = EventDeliveryConfig.load(config)
    except ConfigError as error:
        typer.echo(f"error: --config: {error}", err=True)
        raise typer.Exit(2) from None
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        with operator_store() as store:
            pending = pending_deliveries(store)
            if once:
                typer.echo(f"{pending} deliveries pending; sending those due now")
                totals = drain(store, loaded, stop=stop)
                left = pending_deliveries(store)
                typer.echo(f"{_summary(totals)}; {left} pending (not yet due or failed)")
                return
            every = interval or loaded.interval_s
            typer.echo(f"{pending} deliveries pending; looking for due ones every {every:g} s")
            deliver_forever(
                store,
                loaded,
                interval_s=every,
                stop=stop,
                on_drain=lambda totals: typer.echo(_summary(totals)),
                on_error=lambda error: typer.echo(
                    f"error: database: {_one_line(error)}; retrying", err=True
                ),
            )
            typer.echo("stopped")
    except (SQLAlchemyError, OSError) as error:
        typer.echo(f"error: cannot reach the service database: {_one_line(error)}", err=True)
        raise typer.Exit(1) from None
    except ValueError as error:  # e.g. a note key file that cannot read the secrets
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    """Add ``deliver-events`` to ``app``."""
    app.command("deliver-events")(deliver_events)
