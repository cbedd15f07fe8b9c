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
# # 1. The synthetic caseload
#
# There is no public case data, so every model in casetriage is trained, audited and served
# on a **synthetic caseload whose causal story is known** (`casetriage.synth`). This notebook
# shows what the generator produces, how its outcome is caused, how good the best possible
# model could be (the *oracle*), and what the unfairness switches inject.
#
# Nothing here is computed by the notebook itself: every figure comes from
# `casetriage.synth` (the same code as `casetriage synth`). Data go to a temporary folder,
# never into the repository.

# %%
import json
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from casetriage.synth import (
    GroupRef,
    UnfairnessSwitches,
    generate_caseload,
    load_config,
    oracle_auc,
    write_caseload,
)
from core.schemas import NEEDS, SENSITIVE_ATTRIBUTES

# Size of the caseload: the tests run this notebook on a small one.
N_CASES = int(os.environ.get("CASETRIAGE_NB_CASES", 20000))
SEED = int(os.environ.get("CASETRIAGE_NB_SEED", 7))
WORKDIR = Path(os.environ.get("CASETRIAGE_NB_WORKDIR") or tempfile.mkdtemp(prefix="casetriage-nb-"))
pd.set_option("display.max_colwidth", 120)
print(f"{N_CASES} cases, seed {SEED}, written under {WORKDIR}")

# %% [markdown]
# ## What the generator produces
#
# One row per case: structured fields (the model's inputs), the intake note, the sensitive
# attributes (for audits only, never model inputs), the gold needs of the note and three
# outcome columns: `true_probability` (the causal model's probability of a crisis within
# 90 days), `crisis_90d_true` (the draw from it) and `crisis_90d` (what was *recorded*,
# which the unfairness switches can distort).

# %%
config = load_config()
caseload = generate_caseload(n_cases=N_CASES, seed=SEED)
manifest = write_caseload(caseload, WORKDIR / "synth")
cases = caseload.cases
print(f"config {config.version} ({config.source}); files: {sorted(manifest['files'])}")
cases.drop(columns=["note", "gold_needs"]).head()

# %%
cases.describe().T.round(3)

# %%
categorical = ["income_band", "housing_type", "referral_source", "region", "preferred_language"]
pd.concat(
    {column: cases[column].value_counts(normalize=True).round(3) for column in categorical}
).rename("share").to_frame()

# %% [markdown]
# The sensitive attributes follow the population weights of `config/synth.yaml`:

# %%
pd.concat({a: cases[a].value_counts(normalize=True).round(3) for a in SENSITIVE_ATTRIBUTES}).rename(
    "share"
).to_frame()

# %% [markdown]
# ## The notes
#
# Every note mentions each of the case's active needs, plus a few needs it does not have:
# denied, past, feared, or someone else's. Notes come in four forms staff write. One
# example of each form, with its gold labels:

# %%
pd.Series(manifest["note_styles"], name="notes").to_frame()

# %%
for style in sorted(caseload.note_styles.unique()):
    first = int(caseload.note_styles[caseload.note_styles == style].index[0])
    row = cases.iloc[first]
    labels = pd.DataFrame(json.loads(row["gold_needs"]))
    display(Markdown(f"### {style} ({row['case_id']})\n\n```text\n{row['note']}\n```"))
    display(labels)

# %% [markdown]
# How often each need is active (present, for the client), and how often it is mentioned
# at all (active or not): the gap is what the context rules of notebook 2 must sort out.

# %%
prevalence = pd.DataFrame(
    {
        "active share": pd.Series(manifest["active_need_prevalence"]),
        "mentions": pd.Series(manifest["need_mentions"]),
    }
).loc[list(NEEDS)]
figure, axis = plt.subplots(figsize=(7, 4.5))
prevalence["active share"].sort_values().plot.barh(ax=axis, color="tab:blue")
axis.set_xlabel("share of cases with the need active")
axis.set_title("Active needs in the synthetic caseload")
figure.tight_layout()
display(figure)
plt.close(figure)
prevalence

# %% [markdown]
# ## How the outcome is caused
#
# `logit P(crisis within 90 days)` is a sum of terms, each with an effect size in
# `config/synth.yaml` (`outcome`): active needs, prior crises (log), prior referrals
# (capped), income band, housing type, children and other adults, a U-shaped age term, three
# interactions, and a latent adversity that no model sees. **Sensitive attributes,
# referral source and region do not enter it.** The effect sizes, in log-odds:

# %%
outcome = config.outcome
need_effects = pd.Series(outcome["needs"], name="log-odds").sort_values(ascending=False)
need_effects.to_frame().T

# %%
other_terms = {
    "intercept": outcome["intercept"],
    "prior crises (per log(1 + n))": outcome["prior_crises_log1p"],
    f"prior referrals (each, capped at {outcome['prior_referrals_cap']})": outcome[
        "prior_referrals_per_referral"
    ],
    "per child": outcome["per_child"],
    "per other adult": outcome["per_other_adult"],
    "latent adversity (per SD, unseen)": outcome["latent_adversity"],
    **{f"income {k}": v for k, v in outcome["income_band"].items()},
    **{f"housing {k}": v for k, v in outcome["housing_type"].items()},
    **{f"interaction {k}": v for k, v in outcome["interactions"].items()},
    "age quadratic coef": outcome["age_quadratic"]["coef"],
}
pd.Series(other_terms, name="log-odds").to_frame()

# %% [markdown]
# ### The oracle
#
# `true_probability` is the causal model itself, with the latent adversity included. Its
# AUC on the recorded outcome is the ceiling for any model that sees only the case fields
# and the note: notebook 3 compares the trained model against it.

# %%
oracle = pd.Series(
    {
        "oracle AUC (recorded outcome)": manifest["oracle_auc"],
        "oracle AUC (true outcome)": manifest["oracle_auc_true_outcome"],
        "crisis rate (recorded)": manifest["base_rate"],
        "crisis rate (true)": manifest["base_rate_true_outcome"],
    },
    name="value",
)
oracle.to_frame()

# %%
figure, axis = plt.subplots(figsize=(6, 3.5))
for value, rows in cases.groupby("crisis_90d_true"):
    axis.hist(rows["true_probability"], bins=40, alpha=0.6, density=True, label=f"crisis={value}")
axis.set_xlabel("true probability of a crisis within 90 days")
axis.set_ylabel("density")
axis.legend()
axis.set_title("True risk by outcome")
figure.tight_layout()
display(figure)
plt.close(figure)

# %% [markdown]
# Because no sensitive attribute enters the outcome, groups differ in crisis rate only
# through the fields that do (income is mildly shifted for some groups). True and recorded
# rates are the same here: no switch is on.

# %%
pd.DataFrame(manifest["base_rate_by_race_ethnicity"]).T

# %% [markdown]
# ## The unfairness switches
#
# To prove that the fairness gate catches bias, the generator can inject it on purpose.
# With the same seed, everything except the switched part stays the same, so the effect is
# measured exactly:
#
# * **label bias** (surveillance): a target-group case with no true crisis is *recorded*
#   as a crisis with probability R; true risk is unchanged;
# * **proxy**: a target-group case gets `referral_source=police` with probability S, and
#   the label bias concentrates on those cases, so a model that never sees race learns it
#   through the proxy;
# * **under-representation**: a group is kept at a tiny share, so an audit must say
#   "insufficient evidence" rather than pass it.

# %%
switches = UnfairnessSwitches(label_bias=0.3, proxy_strength=0.8)
biased = generate_caseload(n_cases=N_CASES, seed=SEED, switches=switches)
target = switches.target_group
in_target = biased.cases[target.attribute] == target.value
comparison = pd.DataFrame(
    {
        "true crisis rate": biased.cases.groupby(target.attribute)["crisis_90d_true"].mean(),
        "recorded, no switch": cases.groupby(target.attribute)["crisis_90d"].mean(),
        "recorded, label bias + proxy": biased.cases.groupby(target.attribute)["crisis_90d"].mean(),
        "police referrals, no switch": cases.groupby(target.attribute)["referral_source"].apply(
            lambda s: (s == "police").mean()
        ),
        "police referrals, proxy": biased.cases.groupby(target.attribute)["referral_source"].apply(
            lambda s: (s == "police").mean()
        ),
    }
).round(3)
print(f"switches: {switches.to_dict()}")
print(
    "same true outcomes with and without the switches:",
    bool((biased.cases["crisis_90d_true"] == cases["crisis_90d_true"]).all()),
)
comparison

# %% [markdown]
# The recorded outcome now ranks worse against the truth for the whole caseload: the oracle
# (true risk) scores lower against the biased labels, because part of them is noise.

# %%
pd.Series(
    {
        "oracle AUC, recorded labels, no switch": oracle_auc(
            cases["true_probability"].to_numpy(), cases["crisis_90d"].to_numpy()
        ),
        "oracle AUC, recorded labels, biased": oracle_auc(
            biased.cases["true_probability"].to_numpy(), biased.cases["crisis_90d"].to_numpy()
        ),
        f"oracle AUC within {target.value}, biased": oracle_auc(
            biased.cases.loc[in_target, "true_probability"].to_numpy(),
            biased.cases.loc[in_target, "crisis_90d"].to_numpy(),
        ),
    },
    name="AUC",
).round(4).to_frame()

# %%
thin = GroupRef(attribute="race_ethnicity", value="Native American")
sparse = generate_caseload(
    n_cases=N_CASES, seed=SEED, switches=UnfairnessSwitches(underrepresent={thin: 0.003})
)
pd.DataFrame(
    {
        "cases, default": cases["race_ethnicity"].value_counts(),
        "cases, under-represented": sparse.cases["race_ethnicity"].value_counts(),
    }
).fillna(0).astype(int)

# %% [markdown]
# Notebook 4 trains models on caseloads like these and shows the release gate's answer.
