"""Train the needs pipeline's two trained parts: the sentence classifier and the refiner.

Data: labelled notes whose needs carry an ``evidence`` quote (the blind corpus's training
split), each with its writer.

* **Sentence classifier** (``need_classifier``): each sentence that holds a need's evidence
  is a positive example of that need, in any status; the note's other sentences are left
  out for that need (a need is often said twice and only one quote is labelled); every
  sentence of the other notes is a negative. One L2-penalised logistic regression per need
  over :mod:`features._sentence_features`, balanced class weights, a fixed seed.
* **Mention refiner** (``mention_refiner``): every mention found, with
  :mod:`features._mention_features`, labelled from the gold needs (see
  :func:`_reading_targets`); a multinomial logistic regression for "no need" or a status,
  and a logistic one for someone else's. It reads the classifier's and the safety net's
  mentions, and of the lexicon's *weak phrases* (:func:`_weak_phrases`) only whether they
  state a need at all; the rules' reading of lexicon phrases stands.

Choices made by measurement, never on the locked split (its records are refused): each
candidate of the config (classifier features x C, refiner C x weak-phrase bar) is scored
end to end (note level active-need F1) with **leave-one-writer-out** cross-validation, so
that every figure comes from notes whose writer the models never saw; the refiner is
trained on mentions the out-of-fold classifiers found. Each need's bars (the probability
of "present for the client" that makes it active, and the lower ``possible`` bar of a
safety need, the lowest that keeps its precision at the config's floor) come from the same
out-of-fold readings. The winner is then fitted on all notes and written with its bars and
the hashes of the corpus and the config.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from core.schemas import NEEDS, SAFETY_NEEDS, is_active
from features._mention_model import phrase_key, weak_reading
from features._resolution import Bars, Candidate, choose
from features._vocabulary import known_words

__all__ = [
    "NeedTrainingConfig",
    "TrainingReport",
    "default_config_path",
    "load_training_config",
    "report_json",
    "train_need_model",
]


class FeatureSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prefixes: bool = True
    pairs: bool = True
    headings: bool = True


class SentenceCandidate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    C: float = Field(gt=0)
    features: FeatureSet = FeatureSet()


class RefinerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    C: list[float] = Field(min_length=1)
    weak_precision: list[float] = Field(
        default=[0.0],
        min_length=1,
        description="a lexicon phrase the rules read as present for the client whose need the "
        "training labels name in fewer than this share of its notes is weak: the refiner may "
        "drop it (0: none is); chosen by CV",
    )
    weak_min_mentions: int = Field(default=8, ge=1, description="notes a weak phrase is in")
    weak_drop_below: list[Annotated[float, Field(ge=0, le=1)]] = Field(
        default=[0.25],
        min_length=1,
        description="drop a weak phrase where the refiner's P(need) is under this bar; "
        "chosen by CV",
    )


class NeedTrainingConfig(BaseModel):
    """``core/config/needs_classifier.yaml``: candidates, seed, threshold search."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    seed: int
    min_count: int = Field(ge=1, description="keep features seen in this many sentences")
    candidates: list[SentenceCandidate] = Field(min_length=1)
    refiner: RefinerSettings
    active_grid: list[float] = Field(min_length=1)
    safety_min_precision: float = Field(gt=0, le=1)
    floor: float = Field(gt=0, lt=1, description="lowest probability kept as a candidate")


def default_config_path() -> Path:
    """The shipped ``core/config/needs_classifier.yaml``."""
    from core.config import config_file

    return config_file("needs_classifier.yaml")


def load_training_config(path: str | Path | None = None) -> NeedTrainingConfig:
    """Read and validate the training config; errors name the file and the field.

    Raises
    ------
    core.config.ConfigError
    """
    from core.config import load_config

    return load_config("needs_classifier.yaml", NeedTrainingConfig, path=path)


@dataclass(frozen=True)
class _Sentences:
    """Every sentence of the notes: its feature hashes, labels, and which note it is in."""

    keys: list[np.ndarray]
    labels: np.ndarray  # (n_sentences, n_needs) of 0/1
    usable: np.ndarray  # (n_sentences, n_needs) bool: False where the label is unknown
    note: np.ndarray  # (n_sentences,) index of the note


def _sentences(records: Sequence[dict], features: FeatureSet) -> _Sentences:
    from features._sentence_features import SentenceFeaturizer
    from features._token_patterns import doc_columns
    from features.pipeline import build_pipeline

    nlp = build_pipeline(lexicon=False, classifier=False, safety_net=False, refiner=False)
    featurizer = SentenceFeaturizer(known_words=known_words(), **features.model_dump())
    need_index = {need: j for j, need in enumerate(NEEDS)}
    keys, labels, usable, notes = [], [], [], []
    for n, (record, doc) in enumerate(
        zip(records, nlp.pipe(r["text"] for r in records), strict=True)
    ):
        columns = doc_columns(doc)
        starts = columns.sentence_starts
        if not starts:
            continue
        rows, hashes = featurizer.features(doc, columns)
        chars = [doc[i].idx for i in starts]
        ends = [*chars[1:], len(doc.text)]
        note_labels = np.zeros((len(starts), len(NEEDS)), dtype=np.int8)
        note_usable = np.ones((len(starts), len(NEEDS)), dtype=bool)
        for need in record["needs"]:
            begin = record["text"].find(need.get("evidence") or "\0")
            if begin < 0:
                continue
            finish = begin + len(need["evidence"])
            j = need_index[need["need"]]
            note_usable[:, j] = False
            for s, (c0, c1) in enumerate(zip(chars, ends, strict=True)):
                if c0 < finish and begin < c1:
                    note_labels[s, j] = 1
                    note_usable[s, j] = True
        for s in range(len(starts)):
            keys.append(hashes[rows == s])
        labels.append(note_labels)
        usable.append(note_usable)
        notes += [n] * len(starts)
    return _Sentences(keys, np.vstack(labels), np.vstack(usable), np.array(notes))


def _fit_classifier(
    data: _Sentences, chosen: np.ndarray, candidate: SentenceCandidate, config: NeedTrainingConfig
):
    """A :class:`~features._need_model.NeedModel` fitted on the sentences of ``chosen``."""
    from sklearn.linear_model import LogisticRegression

    from features._need_model import NeedModel, feature_matrix

    index = np.flatnonzero(chosen)
    keys = [data.keys[i] for i in index]
    rows = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
    flat = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
    # a feature's count is the number of sentences it occurs in
    distinct = np.concatenate([np.unique(k) for k in keys]) if keys else flat
    values, counts = np.unique(distinct, return_counts=True)
    vocabulary = np.sort(values[counts >= config.min_count])
    matrix = feature_matrix(rows, flat, len(keys), vocabulary)
    weights = np.zeros((len(vocabulary), len(NEEDS)), dtype=np.float32)
    bias = np.full(len(NEEDS), -10.0, dtype=np.float32)
    for j in range(len(NEEDS)):
        use = data.usable[index, j]
        y = data.labels[index, j][use]
        if y.min(initial=1) == y.max(initial=0):  # one class only: never fires
            continue
        model = LogisticRegression(
            C=candidate.C, class_weight="balanced", solver="liblinear", random_state=config.seed
        )
        model.fit(matrix[use], y)
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
    return NeedModel(
        needs=NEEDS,
        vocabulary=vocabulary,
        weights=weights,
        bias=bias,
        thresholds=dict.fromkeys(NEEDS, config.floor),
        possible_thresholds=dict.fromkeys(SAFETY_NEEDS, config.floor),
        known_words=known_words(),
        header={"features": candidate.features.model_dump()},
    )


def _candidates_out_of_fold(
    records: Sequence[dict],
    groups: np.ndarray,
    data: _Sentences,
    candidate: SentenceCandidate,
    config: NeedTrainingConfig,
    progress: Callable[[str], None],
) -> list[list[Candidate]]:
    """Every mention of every note, found by a classifier that never saw the note's writer,
    with ConText's reading and the refiner's input features (no refiner model yet)."""
    from features.extractor import NeedsExtractor

    found: list[list[Candidate]] = [[] for _ in records]
    with tempfile.TemporaryDirectory(prefix="casetriage-needs-cv-") as tmp:
        for group in np.unique(groups):
            progress(f"{candidate.name}: classifier fold without writer {group}")
            held_out = np.flatnonzero(groups == group)
            model = _fit_classifier(data, ~np.isin(data.note, held_out), candidate, config)
            path = Path(tmp) / f"{group}.npz"
            model.save(path)
            extractor = NeedsExtractor(model_path=str(path), refiner_path="none", bars={})
            texts = (records[i]["text"] for i in held_out)
            for i, mentions in zip(held_out, extractor.candidates_many(texts), strict=True):
                found[i] = mentions
    return found


def _reading_targets(records: Sequence[dict], found: list[list[Candidate]]):
    """``(note, features, status class, other)`` for the candidates whose reading the labels
    tell: of a need the note's labels lack (class "none"); overlapping the labelled evidence
    (its status, and whether it is someone else's); and any other mention of a need labelled
    as not active, which by the one-label precedence rule is not present for the client
    either (taken as the label's status and experiencer). Other mentions of an active need
    may have any status and are left out (``other`` is -1 where it is unknown)."""
    from features._mention_model import READING_CLASSES

    examples = []
    for n, (record, mentions) in enumerate(zip(records, found, strict=True)):
        gold = {g["need"]: g for g in record["needs"]}
        for c in mentions:
            g = gold.get(c.need)
            if g is None:
                examples.append((n, c.features, 0, -1))
                continue
            begin = record["text"].find(g.get("evidence") or "\0")
            overlaps = begin >= 0 and c.start < begin + len(g["evidence"]) and begin < c.end
            if overlaps or not is_active(g):
                other = int(g["experiencer"] == "other")
                examples.append((n, c.features, READING_CLASSES.index(g["status"]), other))
    return examples


def _fit_refiner(examples, strength: float, config: NeedTrainingConfig):
    """A :class:`~features._mention_model.MentionModel` fitted on ``examples``."""
    from sklearn.linear_model import LogisticRegression

    from features._mention_model import READING_CLASSES, MentionModel
    from features._need_model import feature_matrix

    features = [e[1] for e in examples]
    distinct = np.concatenate([np.unique(np.array(f, dtype=np.uint64)) for f in features])
    values, counts = np.unique(distinct, return_counts=True)
    vocabulary = np.sort(values[counts >= config.min_count])
    rows = np.repeat(np.arange(len(features)), [len(f) for f in features])
    keys = np.array([k for f in features for k in f], dtype=np.uint64)
    matrix = feature_matrix(rows, keys, len(features), vocabulary)
    status = np.array([e[2] for e in examples])
    status_weights = np.zeros((len(vocabulary), len(READING_CLASSES)), dtype=np.float32)
    status_bias = np.full(len(READING_CLASSES), -10.0, dtype=np.float32)
    model = LogisticRegression(C=strength, max_iter=2000, random_state=config.seed)
    model.fit(matrix, status)
    for column, label in enumerate(model.classes_):
        status_weights[:, label] = model.coef_[column] if len(model.classes_) > 2 else 0
        status_bias[label] = model.intercept_[column] if len(model.classes_) > 2 else 0
    other = np.array([e[3] for e in examples])
    known = other >= 0
    other_weights = np.zeros(len(vocabulary), dtype=np.float32)
    other_bias = -10.0
    if len(set(other[known].tolist())) == 2:
        head = LogisticRegression(C=strength, max_iter=2000, random_state=config.seed)
        head.fit(matrix[known], other[known])
        other_weights, other_bias = head.coef_[0].astype(np.float32), float(head.intercept_[0])
    return MentionModel(
        vocabulary=vocabulary,
        status_weights=status_weights,
        status_bias=status_bias,
        other_weights=other_weights,
        other_bias=other_bias,
        known_words=known_words(),
        header={"C": strength},
    )


def _read_out_of_fold(
    records, groups: np.ndarray, found: list[list[Candidate]], strength: float, config
) -> list[list[Candidate]]:
    """Every candidate with the refiner's reading, each from a refiner that never saw the
    note's writer (which lexicon mentions keep the rules' reading is decided after, by
    :func:`_with_weak_phrases`)."""
    examples = _reading_targets(records, found)
    example_groups = np.array([groups[e[0]] for e in examples])
    read: list[list[Candidate]] = [[] for _ in records]
    for group in np.unique(groups):
        model = _fit_refiner(
            [e for e, g in zip(examples, example_groups, strict=True) if g != group],
            strength,
            config,
        )
        for n in np.flatnonzero(groups == group):
            readings = model.read([list(c.features) for c in found[n]])
            read[n] = [_read(c, reading) for c, reading in zip(found[n], readings, strict=True)]
    return read


def _weak_phrases(
    records, found: list[list[Candidate]], notes: Iterable[int], below: float, min_mentions: int
) -> frozenset[tuple[str, str]]:
    """The lexicon phrases the rules read as present for the client in at least
    ``min_mentions`` of these notes, whose need the labels name at all (in any status) in
    fewer than ``below`` of them: words that name a service, a place or a topic
    ("counselor", "shelter", "rehab", "transport") more often than they state a need. The
    refiner reads them in their context. A phrase whose status the rules misread is not
    weak (the labels name its need): ConText's reading of plain wording stands. Phrases of
    the safety needs are never weak: missing one costs more than a supervisor's look."""
    counts: dict[tuple[str, str], list[int]] = {}
    for n in notes:
        labelled = {g["need"] for g in records[n]["needs"]}
        keys = {
            phrase_key(c.need, c.evidence)
            for c in found[n]
            if _rule_active_phrase(c) and c.need not in SAFETY_NEEDS
        }
        for key in keys:
            seen = counts.setdefault(key, [0, 0])
            seen[0] += 1
            seen[1] += key[0] in labelled
    return frozenset(
        key for key, (n, named) in counts.items() if n >= min_mentions and named < below * n
    )


def _rule_active_phrase(c: Candidate) -> bool:
    return c.source == "lexicon" and (c.rule_reading or (c.status, c.experiencer)) == (
        "present",
        "client",
    )


def _with_weak_phrases(
    records, groups: np.ndarray, found, read, below: float, drop_below: float, config
) -> list[list[Candidate]]:
    """``read``, where a lexicon mention keeps the rules' reading (``found``'s), and one of a
    phrase weak on the notes of the other writers, read by the rules as present for the
    client, is left out where the refiner is sure it names no need (see
    :func:`weak_reading`)."""
    result: list[list[Candidate]] = [[] for _ in records]
    min_mentions = config.refiner.weak_min_mentions
    for group in np.unique(groups):
        others = np.flatnonzero(groups != group)
        weak = _weak_phrases(records, found, others, below, min_mentions) if below else ()
        for n in np.flatnonzero(groups == group):
            result[n] = []
            for rules, refined in zip(found[n], read[n], strict=True):
                if rules.source != "lexicon":
                    result[n].append(refined)
                elif (
                    not _rule_active_phrase(rules)
                    or phrase_key(rules.need, rules.evidence) not in weak
                    or weak_reading(refined.reading, drop_below)
                ):
                    result[n].append(rules)
    return result


def _weak_settings(refiner: RefinerSettings) -> list[tuple[float, float]]:
    """The (weak-phrase precision, drop bar) pairs cross-validation compares; with no weak
    phrases (precision 0) the drop bar means nothing and is tried once."""
    return [
        (below, drop_below)
        for below in refiner.weak_precision
        for drop_below in (refiner.weak_drop_below if below else refiner.weak_drop_below[:1])
    ]


def _read(candidate: Candidate, reading) -> Candidate:
    return candidate._replace(
        status=reading.status, experiencer=reading.experiencer, reading=reading
    )


def _resolved(found: list[list[Candidate]], bars: dict[str, Bars]) -> list[list[dict]]:
    results = []
    for mentions in found:
        by_need: dict[str, list[Candidate]] = {}
        for m in mentions:
            by_need.setdefault(m.need, []).append(m)
        needs = []
        for need, group in by_need.items():
            choice = choose(group, bars=bars.get(need, Bars()), safety=need in SAFETY_NEEDS)
            if choice is not None:
                needs.append(
                    choice.chosen._asdict() | {"need": need, "confidence": choice.confidence}
                )
        results.append(needs)
    return results


def _need_counts(records, predicted, need: str) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for record, needs in zip(records, predicted, strict=True):
        g = any(n["need"] == need and is_active(n) for n in record["needs"])
        p = any(n["need"] == need and is_active(n) for n in needs)
        tp, fp, fn = tp + (g and p), fp + (p and not g), fn + (g and not p)
    return tp, fp, fn


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _best_bars(records, found, grid: list[float], config, *, vary: str) -> dict[str, Bars]:
    """Per need, the grid value of ``vary`` (``threshold`` of the classifier, or ``active``
    of the refiner) with the best out-of-fold F1 (the one nearest 0.5 on a tie); for safety
    needs the lowest ``possible`` bar whose precision stays at the config's floor."""
    bars = {}
    possible_name = "possible_threshold" if vary == "threshold" else "active_possible"
    base = Bars(threshold=config.floor, possible_threshold=config.floor)
    for need in NEEDS:
        scored = []
        for value in grid:
            bar = replace(base, **{vary: value, possible_name: value})
            f1 = _f1(*_need_counts(records, _resolved(found, {need: bar}), need))
            scored.append((f1, -abs(value - 0.5), value))
        best = max(scored)[2]
        bar = replace(base, **{vary: best, possible_name: best})
        if need in SAFETY_NEEDS:
            for value in sorted(v for v in grid if v < best):
                trial = replace(bar, **{possible_name: value})
                tp, fp, _ = _need_counts(records, _resolved(found, {need: trial}), need)
                if tp and tp / (tp + fp) >= config.safety_min_precision:
                    bar = trial
                    break
        bars[need] = bar
    return bars


@dataclass(kw_only=True)
class TrainingReport:
    """What ``casetriage train-needs`` measured and chose."""

    n_notes: int
    n_sentences: int
    writers: list[str]
    candidates: list[dict[str, Any]] = field(default_factory=list)
    chosen: str = ""
    bars: dict[str, dict[str, Any]] = field(default_factory=dict)
    cross_validated: dict[str, dict[str, Any]] = field(default_factory=dict)
    weak_phrases: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


def _sha256(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def _writer(record: dict) -> str:
    return str(record.get("writer") or str(record["id"]).split("-", 1)[0])


def _compare(records, found, read, bars, config) -> dict[str, dict[str, Any]]:
    """Out-of-fold figures of the parts alone and together (see ``docs/needs-extraction.md``)."""
    from features.evaluation import evaluate_extractions
    from features.extractor import NeedsExtractor

    rules = NeedsExtractor(classifier=False, safety_net=False, refiner=False)
    grid = config.active_grid
    by_source = {
        "classifier + ConText": [[c for c in m if c.source == "model"] for m in found],
        "lexicon + classifier + safety net + ConText": found,
    }
    results = {
        "lexicon + ConText (rules only)": evaluate_extractions(
            records, list(rules.extract_many(r["text"] for r in records))
        )
    }
    for name, mentions in by_source.items():
        tuned = _best_bars(records, mentions, grid, config, vary="threshold")
        results[name] = evaluate_extractions(records, _resolved(mentions, tuned))
    results["all, with the refiner"] = evaluate_extractions(records, _resolved(read, bars))
    return {name: result.summary() for name, result in results.items()}


def train_need_model(
    gold_paths: Sequence[str | Path],
    classifier_output: str | Path,
    refiner_output: str | Path,
    *,
    config_path: str | Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> TrainingReport:
    """Choose the classifier and refiner by cross-validation, fit both on all notes, write
    them with their bars.

    See the module docstring. The locked split is refused: its records carry
    ``"split": "locked"``.
    """
    from features.evaluation import evaluate_extractions, is_locked, read_gold

    config = load_training_config(config_path)
    paths = [Path(p) for p in gold_paths]
    records = [r for p in paths for r in read_gold(p)]
    if is_locked(records):
        raise ValueError("the locked test split is never trained or tuned on")
    groups = np.array([_writer(r) for r in records])
    report = TrainingReport(n_notes=len(records), n_sentences=0, writers=sorted(set(groups)))
    if len(report.writers) < 2:
        raise ValueError("cross-validation by writer needs notes of at least two writers")
    best = None
    for candidate in config.candidates:
        data = _sentences(records, candidate.features)
        report.n_sentences = len(data.note)
        found = _candidates_out_of_fold(records, groups, data, candidate, config, progress)
        for strength in config.refiner.C:
            read_all = _read_out_of_fold(records, groups, found, strength, config)
            for below, drop_below in _weak_settings(config.refiner):
                read = _with_weak_phrases(
                    records, groups, found, read_all, below, drop_below, config
                )
                bars = _best_bars(records, read, config.active_grid, config, vary="active")
                evaluation = evaluate_extractions(records, _resolved(read, bars))
                name = f"{candidate.name}; refiner C={strength}; weak phrases below {below}"
                if below:
                    name += f", dropped under P(need) {drop_below}"
                summary = {"candidate": name, **evaluation.summary()}
                report.candidates.append(summary)
                progress(f"{name}: cross-validated F1 {evaluation.micro['f1']:.3f}")
                if best is None or summary["f1"] > best[0]["f1"]:
                    chosen = (below, drop_below)
                    best = (summary, candidate, strength, chosen, data, found, read, bars)
    summary, candidate, strength, (below, drop_below), data, found, read, bars = best
    report.chosen = summary["candidate"]
    report.bars = {need: asdict(bar) for need, bar in bars.items()}
    progress("comparing the parts")
    report.cross_validated = _compare(records, found, read, bars, config)
    provenance = {
        "seed": config.seed,
        "corpus_sha256": _sha256(paths),
        "config_sha256": _sha256([Path(config_path) if config_path else default_config_path()]),
        "n_notes": len(records),
        "writers": report.writers,
        "cross_validated_f1": summary["f1"],
    }
    classifier = _fit_classifier(data, np.ones(len(data.note), dtype=bool), candidate, config)
    replace(
        classifier,
        header=classifier.header | provenance | {"candidate": candidate.name, "C": candidate.C},
    ).save(classifier_output)
    refiner = _fit_refiner(_reading_targets(records, found), strength, config)
    weak = _weak_phrases(
        records, found, range(len(records)), below, config.refiner.weak_min_mentions
    )
    report.weak_phrases = sorted(f"{need}: {phrase}" for need, phrase in weak)
    replace(
        refiner,
        header=refiner.header
        | provenance
        | {
            "bars": {need: asdict(bar) for need, bar in bars.items()},
            "weak_precision": below,
            "weak_drop_below": drop_below,
            "weak_phrases": sorted([need, phrase] for need, phrase in weak),
        },
    ).save(refiner_output)
    report.outputs = [str(classifier_output), str(refiner_output)]
    return report


def report_json(report: TrainingReport) -> str:
    return json.dumps(asdict(report), indent=2)
