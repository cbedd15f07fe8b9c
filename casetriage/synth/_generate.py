"""Put the pieces together: population -> needs -> referral -> outcome -> biases -> notes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casetriage.synth._config import SynthConfig, load_config
from casetriage.synth._needs import sample_active_needs, sample_referral_source
from casetriage.synth._notes import NoteWriter
from casetriage.synth._outcome import label_bias_rate, true_crisis_probability
from casetriage.synth._population import sample_population
from casetriage.synth._roster import assign_previous_workers, sample_roster
from casetriage.synth._shift import PopulationShift
from casetriage.synth._switches import UnfairnessSwitches
from core.schemas import NEEDS

__all__ = ["CASE_COLUMNS", "Caseload", "generate_caseload"]

CASE_COLUMNS: tuple[str, ...] = (
    "case_id",
    "referral_date",
    "note",
    "age",
    "household_size",
    "n_children",
    "prior_referrals",
    "prior_crises",
    "income_band",
    "housing_type",
    "referral_source",
    "region",
    "preferred_language",
    "previous_worker_id",
    "race_ethnicity",
    "sex",
    "age_band",
    "disability",
    "gold_needs",
    "true_probability",
    "crisis_90d_true",
    "crisis_90d",
)


@dataclass(frozen=True, kw_only=True)
class Caseload:
    """A generated caseload: one row per case, the roster and a description of the run.

    ``active_needs`` (one boolean column per need) is what the outcome was drawn from; every
    active need is written into the case's note, so it equals the gold ``present``/``client``
    labels.
    """

    cases: pd.DataFrame
    workers: pd.DataFrame
    seed: int
    switches: UnfairnessSwitches
    config: SynthConfig
    shift: PopulationShift = field(default_factory=PopulationShift)
    note_styles: pd.Series = field(repr=False)
    active_needs: pd.DataFrame = field(repr=False)


def _check_groups_exist(config: SynthConfig, switches: UnfairnessSwitches) -> None:
    group = switches.target_group
    if group.value not in config.population[group.attribute]:
        known = ", ".join(config.population[group.attribute])
        raise ValueError(
            f"unknown target group {group.value!r} for {group.attribute}; known: {known}"
        )


def generate_caseload(
    *,
    n_cases: int,
    seed: int,
    switches: UnfairnessSwitches | None = None,
    config: SynthConfig | None = None,
    progress: Callable[[int], None] | None = None,
    shift: PopulationShift | None = None,
) -> Caseload:
    """Generate a synthetic caseload; the same arguments always give the same data.

    Parameters
    ----------
    n_cases : int
        Number of cases (>= 1).
    seed : int
        Seed of every random draw.
    switches : UnfairnessSwitches, optional
        Biases to inject; none by default.
    config : SynthConfig, optional
        Parameters; ``config/synth.yaml`` by default.
    progress : callable, optional
        Called with the number of notes written since the previous call.
    shift : PopulationShift, optional
        Shifted population distributions (a caseload after a release); none by default.
    """
    if n_cases < 1:
        raise ValueError(f"n_cases must be at least 1, got {n_cases}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    switches = switches or UnfairnessSwitches()
    config = config or load_config()
    _check_groups_exist(config, switches)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    pop_rng, needs_rng, referral_rng, outcome_rng, bias_rng, roster_rng, date_rng = streams

    shift = shift or PopulationShift()
    population = sample_population(pop_rng, n_cases, config, switches, shift)
    active = sample_active_needs(needs_rng, population, config)
    population["referral_source"] = sample_referral_source(referral_rng, active)

    # The proxy rewrites a field with no causal effect, so true risk is unchanged by it.
    target = population[switches.target_group.attribute].to_numpy() == switches.target_group.value
    proxied = target & (bias_rng.random(n_cases) < switches.proxy_strength)
    population.loc[proxied, switches.proxy_field] = switches.proxy_value

    probability = true_crisis_probability(population, active, config)
    crisis_true = outcome_rng.random(n_cases) < probability
    surveilled = bias_rng.random(n_cases) < label_bias_rate(population, switches, proxied)
    crisis_recorded = crisis_true | surveilled

    writer = NoteWriter(seed=seed, config=config)
    columns = population.to_dict(orient="list")
    active_lists = active.to_numpy()
    notes, gold, styles = [], [], []
    for i in range(n_cases):
        case = {key: values[i] for key, values in columns.items()}
        note = writer.write(
            index=i, case=case, active={NEEDS[j] for j in np.flatnonzero(active_lists[i])}
        )
        notes.append(note.text)
        gold.append(json.dumps(note.needs))
        styles.append(note.style)
        if progress is not None and (i + 1) % 250 == 0:
            progress(250)
    if progress is not None and n_cases % 250:
        progress(n_cases % 250)

    roster = sample_roster(roster_rng, n_cases, population["preferred_language"], config)
    days_ago = date_rng.integers(0, config.date_window_days, size=n_cases)
    dates = [(config.reference_date - dt.timedelta(days=int(d))).isoformat() for d in days_ago]
    width = max(6, len(str(n_cases)))
    cases = population.assign(
        case_id=[f"C{i + 1:0{width}d}" for i in range(n_cases)],
        referral_date=dates,
        note=notes,
        previous_worker_id=assign_previous_workers(roster_rng, population, roster, config),
        gold_needs=gold,
        true_probability=np.round(probability, 6),
        crisis_90d_true=crisis_true.astype(int),
        crisis_90d=crisis_recorded.astype(int),
    )[list(CASE_COLUMNS)]
    return Caseload(
        cases=cases,
        workers=roster,
        seed=seed,
        switches=switches,
        config=config,
        shift=shift,
        note_styles=pd.Series(styles, name="style"),
        active_needs=active,
    )
