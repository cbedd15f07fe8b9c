"""Synthetic caseload generator: the data every other part trains, audits and serves on.

There is no public case data, so ``casetriage synth`` makes a caseload whose causal story is
known. Everything is drawn from one seed (``numpy.random.SeedSequence`` streams per stage,
one ``random.Random`` per note), so a seed and a config give the same bytes on every run.
Parameters live in ``config/synth.yaml``.

Population
    Sensitive attributes (``race_ethnicity``, ``sex``, ``age_band``, ``disability``) are drawn
    independently from the population weights; age is uniform within its band. A latent
    *adversity* score (standard normal, independent of every sensitive attribute) drives
    income, housing (shelter and street are rare and concentrated at high adversity),
    prior referrals and crises (Poisson, binomial). Sensitive attributes touch structured
    fields only mildly: a small income shift for some groups and for disability, a regional
    and a language mix per race/ethnicity. Children, partner and other adults make up the
    household.

Needs
    Each of the 17 needs is present for the client with log-odds = its base rate + its
    adversity loading + modifiers from structured fields and other needs (homelessness follows
    housing; suicide risk is likelier with mental-health or substance-use needs; child safety
    and childcare need children). Sensitive attributes play no part. The referral source
    follows from the needs (schools refer child safety, police violence, courts legal...).

Notes
    Each case's note mentions every active need plus a few needs it does not have: denials
    ("denies SI/HI", "rent is current"), past episodes ("sober since 2016"), worries ("if
    the plant closes...") and other people's needs ("her brother is homeless"). It is written
    as a short narrative, a telegraphic hotline summary, a home-visit assessment with
    headings or a screening questionnaire, from templates x slot fillers x abbreviations x
    a few typos (see ``_phrasebank``); denials are sometimes listed in one sentence ("no
    food, housing or utility concerns"). Gold labels follow ``shared/intake_notes/README.md``:
    one label per need per note (a need written twice, e.g. in Plan, keeps its label); a child
    of the client counts as the client. A sentence that evidences two needs ("cannot afford
    daycare": childcare and financial strain) is used only when the case has both, so the
    gold ``present``/``client`` labels equal the needs the outcome was drawn from.

Outcome
    ``logit P(crisis within 90 days)`` = intercept + active-need effects (suicide risk,
    violence, child safety and homelessness strongest) + a monotone prior-crises term +
    prior referrals (capped) + income band + housing type + children and other adults +
    a U-shaped age term + interactions (substance use x mental health, homelessness x
    children, isolation x age 65+) + latent adversity (unseen by any model). Sensitive
    attributes, referral source and region do not enter it. ``true_probability`` keeps it,
    ``crisis_90d_true`` is the Bernoulli draw and ``crisis_90d`` is what was recorded.

Unfairness switches (``UnfairnessSwitches``; all off by default)
    * ``label_bias=R``: surveillance bias. A target-group case (default race_ethnicity Black)
      with no true crisis is recorded as a crisis with probability R. True risk is unchanged;
      only the recorded labels of the target group rise.
    * ``proxy_strength=S``: a target-group case gets ``referral_source=police`` (or another
      field/value without causal effect) with probability S, and the label bias concentrates
      on those cases (rate R for them, R x (1 - S) for the rest of the group). A model that
      never sees race learns to score the group higher through the proxy.
    * ``underrepresent={GROUP: f}``: the group is drawn with probability f (the rest are
      rescaled), so an audit must report "insufficient evidence" for it.

Population shift (``PopulationShift``, ``--shift income=-0.8,housing=1.5``; off by default)
    Moves the latent adversity, the income score, the log-odds of shelter and street or
    every age, as a caseload after a release might change; monitoring must see it.

The same seed with and without a switch gives the same population, needs, notes and true
outcomes (each switch draws from its own stream), so its effect can be measured exactly;
only under-representation, which changes who is in the caseload, reshuffles cases.
"""

from casetriage.synth._config import (
    SynthConfig,
    SynthConfigError,
    default_config_path,
    load_config,
)
from casetriage.synth._generate import CASE_COLUMNS, Caseload, generate_caseload
from casetriage.synth._notes import CaseNote, NoteWriter
from casetriage.synth._shift import SHIFT_KEYS, PopulationShift, parse_shift
from casetriage.synth._switches import (
    GroupRef,
    UnfairnessSwitches,
    parse_group,
    parse_proxy,
    parse_underrepresent,
)
from casetriage.synth._writer import GENERATOR_VERSION, OUTPUT_FILES, oracle_auc, write_caseload

__all__ = [
    "CASE_COLUMNS",
    "GENERATOR_VERSION",
    "OUTPUT_FILES",
    "SHIFT_KEYS",
    "CaseNote",
    "Caseload",
    "GroupRef",
    "NoteWriter",
    "PopulationShift",
    "SynthConfig",
    "SynthConfigError",
    "UnfairnessSwitches",
    "default_config_path",
    "generate_caseload",
    "load_config",
    "oracle_auc",
    "parse_group",
    "parse_proxy",
    "parse_shift",
    "parse_underrepresent",
    "write_caseload",
]
