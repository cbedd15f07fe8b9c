"""Choose the one mention that stands for a need, and how sure the extractor is of it.

A need is often mentioned several times in a note, by the lexicon, the sentence classifier
and the safety net. Each mention has a probability of stating the need present for the
client: 1 or 0 for the rules' reading of a lexicon mention, the refiner's for the others.
For each need:

* the *confident* mentions are the lexicon's and the classifier's at or above its
  threshold; when the best of them reaches the need's ``active`` bar, the need is present
  for the client;
* else, for a safety need, when a warning sign of the safety net reads as present for the
  client (ConText finds no denial, past or other person), or a classifier mention reaches
  the lower ``active_possible`` bar (the ``active`` bar where a lexicon phrase reads the
  need as denied: "Denies SI"), the need is returned present for the client with
  confidence ``possible``: missing a safety need costs more than a supervisor's look at a
  false alarm;
* else the best rule reading that is not active (denied, past, hypothetical, someone
  else's), of a lexicon phrase or a warning sign, stands for it; the classifier's mentions
  only add active needs.

A *weak* phrase of the lexicon (see :mod:`features.mention_refiner`) reaches this choice only
where the refiner reads a need in it, with the rules' reading like any lexicon phrase.

Rank among equals: an active mention beats everything, then client beats other, then
status by ``present > hypothetical > historical > negated``, then the earliest mention.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["Bars", "Candidate", "Choice", "Reading", "choose", "rank"]

#: Order used when one need is mentioned several times: the higher, the more it wins.
STATUS_PRIORITY = {"present": 3, "hypothetical": 2, "historical": 1, "negated": 0}


class Reading(NamedTuple):
    """The trained refiner's reading of a mention (see :mod:`features.mention_refiner`).

    ``p_need``: it states the need at all; ``p_active``: it states it present for the client;
    ``status``/``experiencer``: its most likely reading.
    """

    p_need: float
    p_active: float
    status: str
    experiencer: str


class Candidate(NamedTuple):
    """One mention of a need, with what found it (``probability`` only for the model)."""

    need: str
    status: str
    experiencer: str
    start: int
    end: int
    evidence: str
    source: str = "lexicon"
    probability: float | None = None
    basis: str = ""
    reading: Reading | None = None
    features: tuple[int, ...] = ()  # the refiner's input, kept only for training
    rule_reading: tuple[str, str] | None = None  # ConText's (status, experiencer)

    @property
    def rule_active(self) -> bool:
        return self.rule_reading == ("present", "client")

    @property
    def active(self) -> bool:
        return self.status == "present" and self.experiencer == "client"

    @property
    def p_active(self) -> float:
        if self.reading is None:
            return 1.0 if self.active else 0.0
        return self.reading.p_active

    @property
    def p_need(self) -> float:
        return 1.0 if self.reading is None else self.reading.p_need


class Choice(NamedTuple):
    chosen: Candidate
    confidence: str
    kept: list[Candidate]


def _as_active(c: Candidate) -> Candidate:
    """The mention read as the need present for the client (the bars decided it is)."""
    return c._replace(status="present", experiencer="client")


def rank(c: Candidate) -> tuple[bool, bool, int, int]:
    """The order of the module docstring: the highest ranked mention stands for its need."""
    client = c.experiencer == "client"
    return (client and c.status == "present", client, STATUS_PRIORITY[c.status], -c.start)


@dataclass(frozen=True, kw_only=True)
class Bars:
    """The bars a need's mentions must reach.

    ``threshold`` / ``possible_threshold``: the classifier's probability for its mention to
    count / to be possible (None: never). ``active`` / ``active_possible``: the probability
    (the refiner's, or 1 for a rule reading of present-for-the-client) that the best mention
    states the need present for the client, for the need to be returned so, confident /
    possible.
    """

    threshold: float | None = None
    possible_threshold: float | None = None
    active: float = 0.5
    active_possible: float = 0.5


def _denied(confident: list[Candidate]) -> bool:
    """Whether a lexicon phrase reads the need as denied by the client ("Denies SI")."""
    return any(
        c.source == "lexicon" and c.status == "negated" and c.experiencer == "client"
        for c in confident
    )


def choose(candidates: Iterable[Candidate], *, bars: Bars, safety: bool) -> Choice | None:
    """The mention that stands for one need and its confidence, or None when none counts."""
    confident, possible = [], []
    for c in candidates:
        if c.source == "lexicon":
            found, maybe = True, False
        elif c.source == "model" and c.probability is not None:
            found = bars.threshold is not None and c.probability >= bars.threshold
            maybe = bars.possible_threshold is not None and c.probability >= bars.possible_threshold
        else:  # the safety net: possible at most
            found, maybe = False, c.source == "safety_net"
        if found:
            confident.append(c)
        elif safety and maybe:
            possible.append(c)
    kept = sorted(confident + possible, key=lambda c: c.start)
    best = max(confident, key=lambda c: (c.p_active, rank(c))) if confident else None
    if best is not None and best.p_active >= bars.active:
        return Choice(_as_active(best), "confident", kept)
    if safety:
        # a warning sign ConText reads as present for the client, whatever the refiner
        # says, or a classifier mention the refiner rates above the lower bar: a person
        # should look. Where the note denies the need in so many words ("Denies SI"), the
        # classifier's mention must reach the confident bar: a sentence that merely sounds
        # like the need does not outweigh the denial (a warning sign still does)
        bar = max(bars.active_possible, bars.active) if _denied(confident) else bars.active_possible
        pool = [c for c in kept if c.p_active >= bar]
        pool += [c for c in possible if c.source == "safety_net" and c.rule_active]
        if pool:
            chosen = max(pool, key=lambda c: (c.p_active, rank(c)))
            return Choice(_as_active(chosen), "possible", kept)
    # not active: the best rule reading, of a lexicon phrase or a warning sign (the
    # classifier's mentions only ever add active needs)
    inactive = [c for c in confident if c.source == "lexicon" and not c.active]
    inactive += [
        c._replace(status=c.rule_reading[0], experiencer=c.rule_reading[1])
        for c in possible
        if c.source == "safety_net" and c.rule_reading and not c.rule_active
    ]
    if inactive:
        return Choice(max(inactive, key=rank), "confident", kept)
    return None
