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
# # 4. Fairness: the release gate, injected bias, mitigation and the people's decisions
#
# No model version serves until its fairness audit passes (or an ethics reviewer signs off
# a `review`). This notebook runs the real gate, `governance.release_candidate` (through
# `casetriage.operator_release.release`, as `casetriage release` does), on candidates
# trained on caseloads with and without injected bias, reads the audit in depth
# (groups, intervals, intersections, thin groups), tabulates what mitigation would cost
# (`bias_audits.compare_mitigations`), and audits the supervisors' decisions
# (`bias_audits.audit_decisions`).
#
# **Everything is written to a private workspace** (data, MLflow store, reports): the
# notebook sets `MLFLOW_TRACKING_URI` and `CASETRIAGE_HOME` to it, so it can never promote a
# `champion` in your real registry.

# %%
import json
import logging
import os
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from sklearn.linear_model import LogisticRegression

from casetriage.synth import UnfairnessSwitches, generate_caseload, write_caseload
from core.schemas import MODEL_INPUT_FIELDS, SENSITIVE_ATTRIBUTES

# Size of each caseload: the tests run this notebook on a small one. Fairness needs
# numbers: on a small caseload most groups are "insufficient evidence", by design.
N_CASES = int(os.environ.get("CASETRIAGE_NB_CASES", 20000))
SEED = int(os.environ.get("CASETRIAGE_NB_SEED", 7))
MITIGATION_MAX_ITER = int(os.environ.get("CASETRIAGE_NB_MITIGATION_ITER", 50))
WORKDIR = Path(os.environ.get("CASETRIAGE_NB_WORKDIR") or tempfile.mkdtemp(prefix="casetriage-nb-"))
WORKDIR.mkdir(parents=True, exist_ok=True)
os.environ["CASETRIAGE_HOME"] = str(WORKDIR / "home")
os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{WORKDIR / 'mlflow.db'}"
pd.set_option("display.max_colwidth", 200)
# MLflow's advice on schemas and pickles is about its own model format, not this analysis
logging.getLogger("mlflow").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", category=UserWarning, module="mlflow")
warnings.filterwarnings("ignore", message="IProgress not found")
print(f"{N_CASES} cases per caseload, seed {SEED}; workspace {WORKDIR}")

# %%
from bias_audits import AuditPolicy, audit_decisions, compare_mitigations
from casetriage.operator_release import release
from features import get_extractor
from models import (
    CaseFeaturizer,
    PriorityPolicy,
    TriageModel,
    load_model_config,
    read_cases,
    registry,
    split_holdout,
)

policy = AuditPolicy.load()
priority = PriorityPolicy.load()
print(f"release policy sha256 {policy.sha256[:12]}…; flagged = risk >= {priority.thresholds[2]}")

# %% [markdown]
# ## Three candidates, three caseloads
#
# Same seed, so the same people, needs, notes and true outcomes; only what was *recorded*
# differs (notebook 1):
#
# * **no bias**;
# * **label bias**: 30% of the Black clients with no true crisis are recorded as a crisis
#   (surveillance bias);
# * **label bias + proxy**: the same, concentrated on clients given
#   `referral_source=police` (80% of Black clients), which the model does see.
#
# Each caseload is trained and registered (`train_and_register`, as `casetriage train`),
# then gated (`release`, as `casetriage release`) on its held-out cases.

# %%
SCENARIOS = {
    "no bias": UnfairnessSwitches(),
    "label bias": UnfairnessSwitches(label_bias=0.3),
    "label bias + proxy": UnfairnessSwitches(label_bias=0.3, proxy_strength=0.8),
}
outcomes, reports, data_dirs = {}, {}, {}
for name, switches in SCENARIOS.items():
    data_dir = WORKDIR / "data" / name.replace(" ", "_").replace("+", "and")
    write_caseload(generate_caseload(n_cases=N_CASES, seed=SEED, switches=switches), data_dir)
    trained = registry.train_and_register(data_dir)
    outcome = release(
        data_dir, version=trained["version"], report_dir=WORKDIR / "reports" / data_dir.name
    )
    outcomes[name], data_dirs[name] = outcome, data_dir
    reports[name] = json.loads((outcome.report_dir / "report.json").read_text())
gate = pd.DataFrame(
    {
        name: {
            "version": o.version,
            "verdict": o.verdict,
            "promoted to champion": o.promoted,
            "held-out cases": o.holdout_cases,
            "failed disparities": sum(d["verdict"] == "fail" for d in reports[name]["disparities"]),
            "review disparities": sum(
                d["verdict"] == "review" for d in reports[name]["disparities"]
            ),
            "insufficient groups": len(reports[name]["insufficient_groups"]),
        }
        for name, o in outcomes.items()
    }
).T
gate

# %%
for name, outcome in outcomes.items():
    reasons = "\n".join(f"* {reason}" for reason in outcome.verdict_reasons) or "* (none)"
    display(Markdown(f"**{name}: {outcome.verdict}**\n\n{reasons}"))
print("champion alias now points at version", registry.get_alias_version("champion"))

# %% [markdown]
# ## The release audit in depth (no bias)
#
# The report's plain-language summary, then every group with its rates, 95% bootstrap
# intervals and denominators. A metric whose denominator is below the policy's minimum is
# *insufficient*: never silently passed or failed.

# %%
clean = reports["no bias"]
display(Markdown("\n".join(f"* {line}" for line in clean["summary"])))
print("full report:", outcomes["no bias"].report_dir / "report.html")


# %%
def groups_table(report: dict, *, intersections: bool) -> pd.DataFrame:
    rows = []
    for group in report["groups"]:
        if group["is_intersection"] != intersections:
            continue
        row = {"attribute": group["attribute"], "group": group["group"], "n": group["n"]}
        for metric in ("selection_rate", "true_positive_rate", "false_positive_rate"):
            m = group["metrics"][metric]
            row[metric] = (
                f"{m['value']:.3f} [{m['ci'][0]:.3f}, {m['ci'][1]:.3f}]"
                if m["value"] is not None
                else "-"
            ) + ("" if m["sufficient"] else " (insufficient)")
        rows.append(row)
    return pd.DataFrame(rows).set_index(["attribute", "group"])


groups_table(clean, intersections=False)

# %% [markdown]
# Disparities against each attribute's reference group, judged against the policy: `fail`
# when even the interval bound nearest parity is beyond tolerance, `review` when only the
# point estimate is.

# %%
DISPARITY_COLUMNS = [
    "attribute",
    "group",
    "reference",
    "metric",
    "group_value",
    "reference_value",
    "difference",
    "ratio",
    "n_group",
    "verdict",
    "reason",
]


def disparities_table(report: dict, *, intersections: bool) -> pd.DataFrame:
    rows = [d for d in report["disparities"] if d["is_intersection"] == intersections]
    return pd.DataFrame(rows, columns=[*DISPARITY_COLUMNS, "is_intersection"])[DISPARITY_COLUMNS]


disparities_table(clean, intersections=False).round(3)

# %%
race = [g for g in clean["groups"] if g["attribute"] == "race_ethnicity"]
figure, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for axis, metric in zip(axes, ("selection_rate", "true_positive_rate"), strict=True):
    values = [g["metrics"][metric]["value"] or np.nan for g in race]
    low = [g["metrics"][metric]["ci"][0] or np.nan for g in race]
    high = [g["metrics"][metric]["ci"][1] or np.nan for g in race]
    errors = [np.subtract(values, low), np.subtract(high, values)]
    axis.errorbar([g["group"] for g in race], values, yerr=errors, fmt="o", capsize=4)
    axis.set_title(f"{metric.replace('_', ' ')} by race/ethnicity (95% CI)")
    axis.tick_params(axis="x", rotation=30)
figure.tight_layout()
display(figure)
plt.close(figure)

# %% [markdown]
# ### Intersections
#
# The policy audits race/ethnicity × sex and race/ethnicity × disability as attributes of
# their own: a gap can hide inside groups that look fine one attribute at a time. Many
# intersections are thin; they are listed, and by policy they do not hold a release alone.

# %%
groups_table(clean, intersections=True)

# %%
intersection_disparities = disparities_table(clean, intersections=True)
print(intersection_disparities["verdict"].value_counts().to_dict())
intersection_disparities[intersection_disparities["verdict"] != "pass"].round(3).head(20)

# %%
pd.DataFrame(clean["insufficient_groups"])

# %% [markdown]
# ## What the injected bias does to the gate
#
# The Black group against the White reference, in each scenario. With label bias the
# recorded crisis rate of the group rises while its true risk does not; a model trained on
# those labels flags the group more often (through the proxy when it has one), and its
# error rates measured on the biased labels drift too.

# %%
rows = []
for name, report in reports.items():
    for d in report["disparities"]:
        if d["attribute"] == "race_ethnicity" and d["group"] == "Black":
            rows.append(
                {
                    "scenario": name,
                    "metric": d["metric"],
                    "Black": d["group_value"],
                    "White": d["reference_value"],
                    "difference": d["difference"],
                    "difference CI": d["difference_ci"],
                    "ratio": d["ratio"],
                    "verdict": d["verdict"],
                }
            )
pd.DataFrame(rows).set_index(["scenario", "metric"]).round(3)

# %% [markdown]
# The recorded and true crisis rates, and the model's flag rate, of the target group in
# each holdout (from the data and a rescoring of the candidate, not from the report):

# %%
config = load_model_config()
flag_rows = {}
for name, outcome in outcomes.items():
    _, holdout = split_holdout(read_cases(data_dirs[name]), config)
    model = TriageModel.load(outcome.version, policy=priority, require_approval=False)
    scored = model.score(
        holdout[["case_id", "note", *MODEL_INPUT_FIELDS]].to_dict(orient="records")
    )
    holdout["flagged"] = [s.risk.probability >= priority.thresholds[2] for s in scored]
    holdout["suggested_tier"] = [s.tier.tier for s in scored]
    if name == "no bias":
        clean_holdout = holdout.copy()
    by_group = holdout.groupby("race_ethnicity")
    flag_rows[name] = pd.DataFrame(
        {
            "true crisis rate": by_group["crisis_90d_true"].mean(),
            "recorded crisis rate": by_group["crisis_90d"].mean(),
            "flag rate": by_group["flagged"].mean(),
            "police referrals": by_group["referral_source"].apply(lambda s: (s == "police").mean()),
        }
    ).loc[["White", "Black"]]
pd.concat(flag_rows).round(3)

# %% [markdown]
# ## What mitigation would cost
#
# For the most biased caseload, `compare_mitigations` trains the unmitigated model and
# fairlearn's mitigations on the same model inputs (never the sensitive attribute) and
# measures them on the same held-out cases: accuracy and AUC against the disparity in
# selection rates and in error rates. `ThresholdOptimizer` needs race at prediction time,
# which casetriage never gives a model: it is shown for comparison and marked not
# deployable. Note that every row is measured on the *recorded* labels, which are biased.

# %%
biased = read_cases(data_dirs["label bias + proxy"])
train_part, _ = split_holdout(biased, config)
train_part = train_part.reset_index(drop=True)
train_part["needs"] = list(get_extractor().extract_many(train_part["note"].tolist()))
featurizer = CaseFeaturizer(design="linear").fit(train_part)
inputs = pd.DataFrame(featurizer.transform(train_part), columns=featurizer.get_feature_names_out())
mitigations = compare_mitigations(
    LogisticRegression(max_iter=2000),
    inputs,
    train_part["crisis_90d"].to_numpy(),
    sensitive_features=train_part["race_ethnicity"],
    max_iter=MITIGATION_MAX_ITER,
    random_state=SEED,
)
trade_off = pd.DataFrame([row.to_dict() for row in mitigations]).set_index("method")
trade_off.round(3)

# %%
figure, axis = plt.subplots(figsize=(6, 4))
for method, row in trade_off.iterrows():
    axis.scatter(
        row["equalized_odds_difference"],
        row["auc"],
        marker="o" if row["deployable"] else "x",
        s=60,
        label=method,
    )
axis.set_xlabel("equalised odds difference (lower is fairer)")
axis.set_ylabel("AUC on recorded labels")
axis.set_title("Mitigation trade-off (x: not deployable)")
axis.legend(fontsize=7)
figure.tight_layout()
display(figure)
plt.close(figure)

# %% [markdown]
# ## The people's decisions
#
# Bias can enter after the model too: supervisors confirm or override every suggestion. The
# service records their decisions; `audit_decisions` applies the same intervals and verdict
# rules to them (override, upgrade and downgrade rates by group).
#
# The service's decisions store has no export yet, so the decisions below are **two
# illustrative scenarios** built on the unbiased candidate's suggested tiers, not observed
# behaviour: *even-handed* supervisors who override 10% of suggestions for everyone, and
# supervisors who in addition **downgrade** half of Black clients' cases suggested for
# tiers 1–3 by one tier. On a caseload of a realistic size the audit should pass the first
# and catch the second; on a small one it may only be able to say "review".

# %%
rng = np.random.default_rng(SEED)
suggested = clean_holdout["suggested_tier"].to_numpy()
n_tiers = max(priority.labels)
# one set of draws for both scenarios, so they differ only in the injected downgrades
override_draw, direction_draw, target_draw = rng.random((3, len(suggested)))
random_step = np.where(direction_draw < 0.5, -1, 1)
random_step = np.where(suggested == 1, 1, np.where(suggested == n_tiers, -1, random_step))


def decisions_frame(extra_downgrade: float) -> pd.DataFrame:
    targeted = (
        (clean_holdout["race_ethnicity"].to_numpy() == "Black")
        & (suggested < n_tiers)
        & (target_draw < extra_downgrade)
    )
    overridden = (override_draw < 0.10) | targeted
    step = np.where(targeted, 1, random_step)
    final = np.where(overridden, suggested + step, suggested)
    direction = np.select([final < suggested, final > suggested], ["up", "down"], "none")
    return clean_holdout[list(SENSITIVE_ATTRIBUTES)].assign(
        suggested_tier=suggested,
        final_tier=final,
        overridden=overridden,
        override_direction=direction,
    )


decision_audits = {
    "even-handed": audit_decisions(decisions_frame(0.0), sensitive=list(SENSITIVE_ATTRIBUTES)),
    "downgrades Black clients": audit_decisions(
        decisions_frame(0.5), sensitive=list(SENSITIVE_ATTRIBUTES)
    ),
}
pd.DataFrame(
    {
        name: {
            "verdict": r.verdict,
            "overall": r.overall,
            "failed disparities": len([d for d in r.disparities if d.verdict == "fail"]),
            "review disparities": len([d for d in r.disparities if d.verdict == "review"]),
        }
        for name, r in decision_audits.items()
    }
).T

# %%
for name, r in decision_audits.items():
    display(Markdown(f"**{name}: {r.verdict}**\n\n" + "\n".join(f"* {s}" for s in r.summary())))
race_rows = [
    {"scenario": name, **d.to_dict()}
    for name, r in decision_audits.items()
    for d in r.disparities
    if d.attribute == "race_ethnicity" and d.group == "Black"
]
pd.DataFrame(race_rows)[
    ["scenario", "metric", "group_value", "reference_value", "difference", "n_group", "verdict"]
].round(3)

# %% [markdown]
# Reports for the reviewer are written next to the release reports by
# `bias_audits.write_decision_reports` (and by `casetriage audit-decisions` from a CSV).
