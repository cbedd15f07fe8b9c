"""``casetriage release`` and ``casetriage signoff``: the fairness gate in front of serving."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register", "release", "signoff"]

EXIT_HELD = 1
EXIT_BAD_INPUT = 2


def release(
    data_dir: Annotated[Path, typer.Argument(help="synthetic or real caseload folder (cases.csv)")],
    version: Annotated[
        str | None, typer.Option(help="model version or alias to audit (default: candidate)")
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="release policy YAML (default core/config/release_policy.yaml)"),
    ] = None,
    report_dir: Annotated[
        Path | None, typer.Option(help="report folder (default var/reports/releases/vN)")
    ] = None,
) -> None:
    """Audit a candidate on held-out cases; make it champion only if the gate passes.

    Exit code 0 when promoted, 1 when held (fail, or review awaiting an ethics reviewer),
    2 on bad input.
    """
    from casetriage.operator_release import release as release_version
    from governance import ReleaseError

    try:
        outcome = release_version(
            data_dir, version=version, policy_path=policy, report_dir=report_dir
        )
    except (ReleaseError, FileNotFoundError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    typer.echo(
        f"version {outcome.version}: verdict {outcome.verdict.upper()} "
        f"on {outcome.holdout_cases} held-out cases (policy sha256 {outcome.policy_sha256[:12]}…)"
    )
    for reason in outcome.verdict_reasons:
        typer.echo(f"  - {reason}")
    typer.echo(f"report: {outcome.report_dir / 'report.html'}")
    if outcome.promoted:
        typer.echo(f"version {outcome.version} is now champion")
        return
    if outcome.verdict == "review":
        typer.echo(
            f"held for an ethics reviewer: casetriage signoff {outcome.version} "
            "--reviewer NAME --reason TEXT [--block]"
        )
    else:
        typer.echo("held: the champion alias is unchanged")
    raise typer.Exit(EXIT_HELD)


def signoff(
    version: Annotated[str, typer.Argument(help="model version held for review")],
    reviewer: Annotated[str, typer.Option(help="the ethics reviewer's name")],
    reason: Annotated[str, typer.Option(help="why the release may (or may not) serve")],
    block: Annotated[bool, typer.Option(help="block it instead of signing off")] = False,
) -> None:
    """Sign off (or block) a release whose audit verdict is 'review'."""
    from casetriage.operator_release import signoff as record_signoff
    from governance import ReleaseError

    try:
        version = record_signoff(version, reviewer=reviewer, reason=reason, block=block)
    except ReleaseError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if block:
        typer.echo(f"version {version} blocked by {reviewer}")
    else:
        typer.echo(f"version {version} signed off by {reviewer}; it is now champion")


def register(app: typer.Typer) -> None:
    app.command("release")(release)
    app.command("signoff")(signoff)
