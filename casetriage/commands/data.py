"""``casetriage synth``: generate the synthetic caseload every other part runs on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register", "synth"]


def synth(
    cases: Annotated[int, typer.Option("--cases", min=1, help="number of cases to generate")],
    out: Annotated[Path, typer.Option("--out", help="directory to write the four files into")],
    seed: Annotated[int, typer.Option("--seed", min=0, help="seed: same seed, same bytes")] = 7,
    label_bias: Annotated[
        float,
        typer.Option(
            "--label-bias",
            min=0.0,
            max=1.0,
            help="surveillance bias: P(a target-group case with no true crisis is recorded "
            "as a crisis)",
        ),
    ] = 0.0,
    proxy_strength: Annotated[
        float,
        typer.Option(
            "--proxy-strength",
            min=0.0,
            max=1.0,
            help="P(a target-group case carries the proxy value); the label bias then "
            "concentrates on those cases",
        ),
    ] = 0.0,
    proxy: Annotated[
        str,
        typer.Option(
            "--proxy", help="FIELD=VALUE that carries the proxy (referral_source or region)"
        ),
    ] = "referral_source=police",
    target_group: Annotated[
        str,
        typer.Option(
            "--target-group",
            help="group the label bias and proxy act on: a race/ethnicity or ATTRIBUTE:VALUE",
        ),
    ] = "Black",
    underrepresent: Annotated[
        list[str] | None,
        typer.Option(
            "--underrepresent",
            help="GROUP=FRACTION, e.g. 'Native American=0.004' or 'disability:yes=0.01'; "
            "repeatable",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="generator parameters (YAML)")
    ] = None,
    shift: Annotated[
        str,
        typer.Option(
            "--shift",
            help="population shift after a release, KEY=NUMBER[,...] with KEY adversity, "
            "income (SD units), housing (log-odds of shelter/unhoused) or age (years)",
        ),
    ] = "",
) -> None:
    """Generate a synthetic caseload: cases.csv, notes.jsonl, workers.csv, manifest.json.

    Without switches the data hold no injected bias. The switches inject the biases a
    fairness gate must catch: label (surveillance) bias, a proxy field and an
    under-represented group. See the docstring of ``casetriage.synth``.
    """
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from casetriage.synth import (
        SynthConfigError,
        UnfairnessSwitches,
        generate_caseload,
        load_config,
        parse_group,
        parse_proxy,
        parse_shift,
        parse_underrepresent,
        write_caseload,
    )

    try:
        group = parse_group(target_group)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--target-group") from None
    try:
        proxy_field, proxy_value = parse_proxy(proxy)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--proxy") from None
    fractions = {}
    for item in underrepresent or []:
        try:
            under_group, fraction = parse_underrepresent(item)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--underrepresent") from None
        fractions[under_group] = fraction
    switches = UnfairnessSwitches(
        target_group=group,
        label_bias=label_bias,
        proxy_strength=proxy_strength,
        proxy_field=proxy_field,
        proxy_value=proxy_value,
        underrepresent=fractions,
    )
    try:
        population_shift = parse_shift(shift)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--shift") from None
    try:
        parameters = load_config(config)
    except SynthConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--config") from None
    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} exists and is not a directory", param_hint="--out")

    console = Console(stderr=True)
    started = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    ) as bar:
        task = bar.add_task("writing notes", total=cases)
        try:
            caseload = generate_caseload(
                n_cases=cases,
                seed=seed,
                switches=switches,
                config=parameters,
                progress=lambda k: bar.advance(task, k),
                shift=population_shift,
            )
        except ValueError as exc:
            hint = "--underrepresent" if "unknown group" in str(exc) else "--target-group"
            raise typer.BadParameter(str(exc), param_hint=hint) from None
    try:
        manifest = write_caseload(caseload, out)
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write to {out}: {exc.strerror}", param_hint="--out"
        ) from None
    seconds = time.perf_counter() - started
    typer.echo(
        f"wrote {manifest['n']} cases and {manifest['n_workers']} workers to {out} in "
        f"{seconds:.1f} s: base rate {manifest['base_rate']:.3f}, "
        f"oracle AUC {manifest['oracle_auc']}"
        + (" (bias injected: see manifest.json)" if switches.any_active else "")
        + (" (population shifted: see manifest.json)" if population_shift.any_active else "")
    )


def register(app: typer.Typer) -> None:
    """Add ``synth`` to ``app``."""
    app.command("synth")(synth)
