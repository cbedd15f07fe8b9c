# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. Needs extraction
#
# The `features` package reads an intake note with a spaCy pipeline (blank English
# tokenizer, sentence splitter, a need matcher over a versioned lexicon, a trained sentence
# classifier, a safety net of published warning signs, a ConText-style component and a
# trained mention refiner) and returns, for each of the 17 needs it finds, a **status**
# (present, negated, historical, hypothetical), an **experiencer** (client or other) and a
# **confidence** (`possible` when only warning signs point to a safety need).
# Only *active* needs (present, for the client) feed the risk model and the safety override.
#
# This notebook measures it the way `casetriage evaluate-needs` does: precision, recall
# and F1 of active needs over all (note, need) pairs, recall of the three safety needs,
# the errors with their evidence, what each part is worth, and how the figures hold on
# notes nobody tuning the extractor wrote (the blind corpus's locked split, read only
# through its aggregate figures).

# %%
import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from casetriage.synth import generate_caseload
from core.schemas import NEEDS, SAFETY_NEEDS
from features import evaluate_extractions, get_extractor
from features.evaluation import evaluate_gold_files, read_gold
from features.extractor import NeedsExtractor

# Synthetic notes measured besides the hand-written ones; the tests use fewer.
N_NOTES = int(os.environ.get("CASETRIAGE_NB_CASES", 2000))
SEED = int(os.environ.get("CASETRIAGE_NB_SEED", 7))
pd.set_option("display.max_colwidth", 160)


def find_blind_corpus() -> Path | None:
    """``corpus/needs`` of the repository (or CASETRIAGE_NB_CORPUS)."""
    if os.environ.get("CASETRIAGE_NB_CORPUS"):
        return Path(os.environ["CASETRIAGE_NB_CORPUS"])
    for folder in [Path.cwd(), *Path.cwd().parents]:
        candidate = folder / "corpus" / "needs"
        if (candidate / "locked.jsonl").is_file():
            return candidate
    return None


def find_labelled_notes() -> Path | None:
    """``shared/intake_notes/dev.jsonl`` next to the repository (or CASETRIAGE_NB_GOLD)."""
    if os.environ.get("CASETRIAGE_NB_GOLD"):
        return Path(os.environ["CASETRIAGE_NB_GOLD"])
    for folder in [Path.cwd(), *Path.cwd().parents]:
        candidate = folder / "shared" / "intake_notes" / "dev.jsonl"
        if candidate.is_file():
            return candidate
    return None


# %% [markdown]
# ## The labelled notes
#
# `shared/intake_notes/dev.jsonl` holds hand-written notes labelled by a person. When it is
# not next to the repository, the notebook falls back to synthetic notes only (their
# labels come from the generator, see notebook 1).

# %%
caseload = generate_caseload(n_cases=N_NOTES, seed=SEED)
synthetic = [
    {"id": case_id, "text": note, "needs": json.loads(gold)}
    for case_id, note, gold in zip(
        caseload.cases["case_id"], caseload.cases["note"], caseload.cases["gold_needs"], strict=True
    )
]
gold_path = find_labelled_notes()
datasets = {f"synthetic ({N_NOTES} notes)": synthetic}
if gold_path is not None:
    datasets = {f"dev.jsonl ({gold_path.parent.name})": read_gold(gold_path), **datasets}
    print(f"labelled notes: {gold_path}")
else:
    print("shared/intake_notes/dev.jsonl not found: measuring on synthetic notes only")
{name: len(records) for name, records in datasets.items()}

# %%
extractor = get_extractor()
sample = next(iter(datasets.values()))[0]
display(Markdown(f"```text\n{sample['text']}\n```"))
pd.DataFrame(extractor.extract(sample["text"]))

# %% [markdown]
# ## Precision and recall of active needs

# %%
predictions = {
    name: list(extractor.extract_many(r["text"] for r in records))
    for name, records in datasets.items()
}
evaluations = {
    name: evaluate_extractions(records, predictions[name]) for name, records in datasets.items()
}
headline = pd.DataFrame(
    {
        name: {
            "notes": e.n_notes,
            "precision": e.micro["precision"],
            "recall": e.micro["recall"],
            "F1": e.micro["f1"],
            "safety-need recall": e.safety_recall,
            "status accuracy": e.status_accuracy,
            "experiencer accuracy": e.experiencer_accuracy,
        }
        for name, e in evaluations.items()
    }
).round(3)
headline

# %%
per_need = pd.concat(
    {
        name: pd.DataFrame(e.per_need).T[["precision", "recall", "f1", "tp", "fp", "fn"]]
        for name, e in evaluations.items()
    },
    axis=1,
).loc[list(NEEDS)]
per_need.round(3)

# %%
figure, axis = plt.subplots(figsize=(8, 5))
f1 = per_need.xs("f1", axis=1, level=1)
f1.plot.barh(ax=axis)
for label in axis.get_yticklabels():
    if label.get_text() in SAFETY_NEEDS:
        label.set_fontweight("bold")
axis.set_xlabel("F1 of active needs (safety needs in bold)")
axis.set_xlim(0, 1)
axis.invert_yaxis()
figure.tight_layout()
display(figure)
plt.close(figure)

# %% [markdown]
# Recall of each safety need: a missed suicide risk, violence or child-safety concern is
# the error that costs most, since it would also miss the tier-1 override.

# %%
pd.DataFrame({name: e.safety_recall_by_need for name, e in evaluations.items()}).round(3)

# %% [markdown]
# ## The errors, with their evidence
#
# Every (note, need) pair where the system and the label disagree: a need not found at all
# (`missed`), a need the labels do not have (`spurious`), or a need found with the wrong
# status or experiencer (`wrong_status`, `wrong_experiencer`). On the hand-written notes
# they are few enough to read one by one.

# %%
for name, e in evaluations.items():
    errors = pd.DataFrame(e.errors, columns=["id", "need", "gold", "predicted", "kind", "evidence"])
    display(Markdown(f"### {name}: {len(errors)} error(s)"))
    display(errors["kind"].value_counts().rename("errors").to_frame())
    display(errors.head(25))

# %% [markdown]
# The notes behind the first few errors of the labelled set, to read the evidence in place:

# %%
first_name, first_records = next(iter(datasets.items()))
texts = {r["id"]: r["text"] for r in first_records}
for error in evaluations[first_name].errors[:5]:
    display(
        Markdown(
            f"**{error['id']} / {error['need']}**: gold `{error['gold']}`, predicted "
            f"`{error['predicted']}` ({error['kind']}), evidence: "
            f"`{error['evidence'] or '-'}`\n\n```text\n{texts[error['id']]}\n```"
        )
    )

# %% [markdown]
# ## What the context rules are worth
#
# The `need_context` component decides negation, history, hypotheticals and other people.
# Without it, every mention keeps the status its lexicon entry gives it ("no PCP" stays
# negative, "denies SI" becomes a present suicide risk) and every need is the client's.
# Disabling the component (spaCy's `select_pipes`) and measuring again shows what it buys:

# %%
ablation_rows = {}
for name, records in datasets.items():
    with extractor.nlp.select_pipes(disable=["need_context"]):
        without = evaluate_extractions(
            records, list(extractor.extract_many(r["text"] for r in records))
        )
    for variant, e in (("with ConText", evaluations[name]), ("without ConText", without)):
        ablation_rows[(name, variant)] = {
            "precision": e.micro["precision"],
            "recall": e.micro["recall"],
            "F1": e.micro["f1"],
            "false positives": e.micro["fp"],
            "safety-need recall": e.safety_recall,
            "status accuracy": e.status_accuracy,
            "experiencer accuracy": e.experiencer_accuracy,
        }
ablation = pd.DataFrame(ablation_rows).T.round(3)
ablation

# %%
figure, axis = plt.subplots(figsize=(7, 3.5))
ablation[["precision", "recall", "F1"]].plot.barh(ax=axis)
axis.set_xlim(0, 1)
axis.set_title("Active needs with and without the context rules")
axis.invert_yaxis()
figure.tight_layout()
display(figure)
plt.close(figure)

# %% [markdown]
# ## By form of note (synthetic notes)
#
# Staff write short narratives, telegraphic hotline summaries, home-visit assessments with
# headings and screening questionnaires; the extractor has to read all four.

# %%
styles = caseload.note_styles.to_numpy()
by_style = {}
for style in sorted(set(styles)):
    rows = [i for i, s in enumerate(styles) if s == style]
    e = evaluate_extractions(
        [synthetic[i] for i in rows], [predictions[f"synthetic ({N_NOTES} notes)"][i] for i in rows]
    )
    by_style[style] = {
        "notes": e.n_notes,
        "precision": e.micro["precision"],
        "recall": e.micro["recall"],
        "F1": e.micro["f1"],
        "safety-need recall": e.safety_recall,
    }
pd.DataFrame(by_style).T.round(3)

# %% [markdown]
# ## Notes nobody tuning the extractor wrote
#
# The blind corpus (`corpus/needs`, see its README) was written and labelled by people who
# never saw this code: a training split (the classifier and the refiner learn from it, and
# its errors may be read) and a **locked split** by other writers, of which only aggregate
# figures and error categories are shown, here as in `casetriage evaluate-needs`. The gap
# between the tuned-on notes and the locked split is the figure that matters.

# %%
corpus = find_blind_corpus()
if corpus is None:
    print("corpus/needs not found: skipping the blind corpus")
else:
    files = [p for p in (gold_path, corpus / "train.jsonl", corpus / "locked.jsonl") if p]
    report = evaluate_gold_files(files, extractor)
    blind = {}
    for item in report.files:
        e = item.evaluation
        blind[(Path(item.path).name, "all")] = e.summary()
        for style, figures in e.by_style.items():
            blind[(Path(item.path).name, style)] = figures
    display(
        pd.DataFrame(blind)
        .T[
            [
                "n_notes",
                "precision",
                "recall",
                "f1",
                "safety_recall",
                "safety_precision",
                "status_accuracy",
            ]
        ]
        .round(3)
    )
    display(
        Markdown(
            "Generalisation gap (F1 of a file minus the locked split's): "
            + ", ".join(f"{Path(path).name} {gap:+.3f}" for path, gap in report.gap.items())
        )
    )
    locked = report.locked
    display(Markdown("Locked split, errors by kind and cue (no note shown):"))
    display(pd.DataFrame(locked.error_categories()["by_cue"]).head(12))

# %% [markdown]
# What each part is worth on the locked split: the rules alone, the trained parts alone,
# and the shipped combination (the numbers `docs/needs-extraction.md` reports).

# %%
if corpus is not None:
    variants = {
        "rules only": {"classifier": False, "safety_net": False, "refiner": False},
        "model only (classifier + refiner)": {"lexicon": False, "safety_net": False},
        "all but the safety net": {"safety_net": False},
        "all (shipped)": {},
    }
    parts = {}
    for name, switches in variants.items():
        part = extractor if not switches else NeedsExtractor(**switches)
        figures = evaluate_gold_files([corpus / "locked.jsonl"], part).locked.summary()
        parts[name] = figures
    parts = (
        pd.DataFrame(parts)
        .T[["precision", "recall", "f1", "safety_recall", "safety_precision", "status_accuracy"]]
        .round(3)
    )
    display(parts)
    figure, axis = plt.subplots(figsize=(7, 3))
    parts[["f1", "safety_recall"]].plot.barh(ax=axis)
    axis.set_xlim(0, 1)
    axis.set_title("Locked split: active-need F1 and safety recall by parts")
    axis.invert_yaxis()
    figure.tight_layout()
    display(figure)
    plt.close(figure)
