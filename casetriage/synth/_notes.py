"""Write one intake note for one case, and its gold labels, in one of four forms staff use.

A case's *plan* fixes one label per need (``present``/``negated``/``historical``/
``hypothetical``, ``client``/``other``): every active need of the case, plus a few mentions of
needs it does not have (denials, past episodes, worries, a relative's problem). The plan is
then written as a short narrative note, a telegraphic hotline summary, a home-visit assessment
with headings (Presenting problem, Household, Safety, Background, Plan) or a screening
questionnaire with free-text comments. A need mentioned twice (e.g. in Presenting problem and
in Plan) keeps its one label. Each note draws from its own random stream, seeded by the run's
seed and the case's index, so notes do not shift when other cases change.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from casetriage.synth import _phrasebank as bank
from casetriage.synth._config import NOTE_STYLES, SynthConfig
from core.schemas import NEEDS, SAFETY_NEEDS

__all__ = ["CaseNote", "NoteWriter"]

_ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")
_ARTICLE = re.compile(r"\b(?:the|a|an) (?=[a-z])")
_MONTHS = (
    "Jan",
    "January",
    "Feb",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "October",
    "Nov",
    "December",
)
_JOBS = (
    "the warehouse",
    "a call center",
    "the meat plant",
    "a nursing home",
    "a fast food place",
    "the hotel",
    "a car wash",
    "the school cafeteria",
    "a grocery distribution center",
    "a cleaning company",
    "the casino",
    "a construction crew",
)
_RELATIVES = (
    "mother",
    "father",
    "brother",
    "sister",
    "cousin",
    "aunt",
    "uncle",
    "roommate",
    "grandmother",
    "best friend",
    "stepfather",
    "brother-in-law",
)
_LANGUAGE_NAMES = {
    "es": "Spanish",
    "vi": "Vietnamese",
    "zh": "Mandarin",
    "ar": "Arabic",
    "so": "Somali",
}
# Whole-word abbreviations staff use; the guide's own (cl, pt, hx, f/u, w/, yo, SI/HI, DV).
_ABBREVIATIONS = (
    (re.compile(r"\bwith\b"), "w/"),
    (re.compile(r"\bwithout\b"), "w/o"),
    (re.compile(r"\bhistory of\b", re.IGNORECASE), "hx of"),
    (re.compile(r"\bfollow[- ]up\b", re.IGNORECASE), "f/u"),
    (re.compile(r"\bappointments?\b"), "appt"),
    (re.compile(r"\bmonths\b"), "mos"),
    (re.compile(r"\bweeks\b"), "wks"),
    (re.compile(r"\bbecause\b"), "b/c"),
    (re.compile(r"\btreatment\b"), "tx"),
    (re.compile(r"\bmedications?\b"), "meds"),
    (re.compile(r"\bdomestic violence\b"), "DV"),
    (re.compile(r"\bsuicidal ideation\b"), "SI"),
    (re.compile(r"\bDenies SI\b(?!/)"), "Denies SI/HI"),
)
_SAFETY_DENIALS = (
    "Denies SI/HI and DV",
    "Denies SI, HI or DV",
    "No SI/HI, no DV",
    "SI/HI/DV screen negative",
)
# Short nouns for denials written as one list ("no food, housing or utility concerns").
_DENIAL_NOUNS = {
    "food_insecurity": "food",
    "housing_instability": "housing",
    "transportation": "transportation",
    "utilities": "utility",
    "financial_strain": "financial",
    "legal": "legal",
    "employment": "employment",
    "mental_health": "mental health",
    "substance_use": "substance use",
    "health_insurance": "insurance",
    "medical_care": "medical",
}
_LIST_DENIALS = (
    "No {listed} concerns",
    "Denies {listed} needs",
    "No {listed} issues reported",
    "Screened negative for {listed} needs",
)
# Frames for reported speech ("Per cl, rent is 2 months late").
_SUBJECTS = ("Cl", "Client", "Pt", "Caller", "Participant", "Applicant", "She", "He")
_REPORTED_SPEECH = ("Per {cl}, ", "{cl} states ", "Reports ", "Per report, ")
_TYPO_PATTERNS = tuple((re.compile(rf"\b{word}\b"), typo) for word, typo in bank.TYPOS.items())
_FITS = {
    "K": lambda c: c["n_children"] > 0,
    "A": lambda c: c["household_size"] == 1,
    "R": lambda c: c["housing_type"] in ("renting", "public_housing"),
    "O": lambda c: c["housing_type"] == "owner",
    "F": lambda c: c["housing_type"] == "with_family",
    "S": lambda c: c["housing_type"] == "shelter",
    "U": lambda c: c["housing_type"] == "unhoused",
    "W": lambda c: c["income_band"] != "none",
    "E": lambda c: c["age"] >= 65,
    "H": lambda c: c["housing_type"] not in ("shelter", "unhoused"),
    "V": lambda c: c["_style"] != "hotline",
}


@dataclass(frozen=True, kw_only=True)
class CaseNote:
    """A written note and its gold labels (one per need mentioned, in NEEDS order)."""

    text: str
    needs: list[dict[str, str]]
    style: str


def _fits(template: str, case: Mapping) -> tuple[bool, str]:
    """Strip a template's conditions (``K~``, ``+need~``...) and say whether the case meets them.

    ``+need~`` marks a sentence that also evidences a second need (e.g. "cannot afford
    daycare" is childcare and financial strain): it is used only when that need is active too,
    so the gold labels, the text and the case's true needs agree.
    """
    ok = True
    while True:
        head, sep, rest = template.partition("~")
        if not sep:
            break
        if head in _FITS:
            ok = ok and _FITS[head](case)
        elif head.startswith("+") and head[1:] in NEEDS:
            ok = ok and head[1:] in case["_active"]
        else:
            break
        template = rest
    return ok, template


def _usable(templates: Sequence[str], case: Mapping) -> list[str]:
    usable = []
    for template in templates:
        ok, body = _fits(template, case)
        if ok:
            usable.append(body)
    return usable


class NoteWriter:
    """Writes notes for cases of one run.

    Parameters
    ----------
    seed : int
        The run's seed; each note's random stream is derived from it and the case index.
    config : SynthConfig
        Mention rates and the mix of note styles.
    """

    def __init__(self, *, seed: int, config: SynthConfig) -> None:
        self.seed = seed
        self.mentions = config.mentions
        self.styles = [s for s in NOTE_STYLES if config.note_styles.get(s, 0) > 0]
        self.style_weights = [config.note_styles[s] for s in self.styles]
        self.recent_year = config.reference_date.year

    # ------------------------------------------------------------------ planning
    def _plan(self, rnd: random.Random, case: Mapping, active: set[str], style: str) -> dict:
        labels: dict[str, tuple[str, str]] = dict.fromkeys(active, ("present", "client"))
        rates = self.mentions
        extras = []
        for need in NEEDS:
            if need in labels:
                continue
            for status, experiencer, table in (
                ("negated", "client", bank.NEGATED),
                ("historical", "client", bank.HISTORICAL),
                ("hypothetical", "client", bank.HYPOTHETICAL),
                ("present", "other", bank.OTHER),
            ):
                key = status if experiencer == "client" else "other"
                if need in table and rnd.random() < rates[key] and _usable(table[need], case):
                    extras.append((need, (status, experiencer)))
                    break
        rnd.shuffle(extras)
        for need, label in extras[: int(rates["max_extra_mentions"])]:
            labels[need] = label
        if style == "screening":
            # A questionnaire asks a set of domains; every item not endorsed is a denial.
            asked = [
                n
                for n in bank.SCREENING
                if (n != "childcare" or _FITS["K"](case))
                and (n != "housing_instability" or _FITS["H"](case))
            ]
            for need in rnd.sample(asked, k=min(len(asked), rnd.randint(4, 9))):
                labels.setdefault(need, ("negated", "client"))
        # Staff routinely document that they asked about safety.
        denial_rate = {"home_visit": 0.7, "hotline": 0.35, "narrative": 0.15}.get(style, 0.0)
        if "mental_health" in active or "substance_use" in active:
            denial_rate = max(denial_rate, 0.5)
        for need in ("suicide_risk", "interpersonal_violence"):
            if need not in labels and rnd.random() < denial_rate:
                labels[need] = ("negated", "client")
        if (
            style == "home_visit"
            and case["n_children"] > 0
            and "child_safety" not in labels
            and rnd.random() < 0.5
        ):
            labels["child_safety"] = ("negated", "client")
        return labels

    # ------------------------------------------------------------------ rendering
    def _context(self, rnd: random.Random, case: Mapping, style: str) -> dict:
        female = case["sex"] == "female"
        she, her, obj, self_ = (
            ("she", "her", "her", "herself") if female else ("he", "his", "him", "himself")
        )
        n_kids = int(case["n_children"])
        kid_age = rnd.randint(1, max(1, min(12, int(case["age"]) - 17)))
        kid_word = rnd.choice(("son", "daughter"))
        kids = (
            [f"{her} {n_kids} kids", "the kids", f"{her} children", "the children"]
            if n_kids > 1
            else [f"{her} {kid_word}", "the child", f"{her} {kid_age} yo"]
        )
        partner_words = ("boyfriend", "husband") if female else ("girlfriend", "wife")
        abusers = [f"{her} partner", f"{her} ex", *(f"{her} {w}" for w in partner_words)]
        if case["age"] >= 45:
            abusers.append(f"{her} adult son")
        subject = {
            "hotline": ["caller", "cl", "cl", ""],
            "screening": ["Client", "Pt"],
        }.get(style, ["Cl", "Client", "Pt", "Cl", "Participant", "Applicant"])
        primary = rnd.choice(subject)
        return {
            "Cl": [primary, primary, primary, she],
            "she": [she],
            "She": [she.capitalize()],
            "her": [her],
            "Her": [her.capitalize()],
            "obj": [obj],
            "their": ["their"],
            "self": [self_],
            "kids": kids,
            "kids_cap": [k[0].upper() + k[1:] for k in kids],
            "kid": [f"{her} {kid_age} yo {kid_word}", f"{her} {kid_word}"],
            "kid_cap": [
                f"{her.capitalize()} {kid_age} yo {kid_word}",
                f"{her.capitalize()} {kid_word}",
            ],
            "kid_pos": ["his" if kid_word == "son" else "her"],
            "abuser": abusers,
            "Abuser": [a[0].upper() + a[1:] for a in abusers],
            "Other": [f"{her.capitalize()} {r}" for r in _RELATIVES] + ["A neighbor", "A friend"],
            "job": list(_JOBS),
            "month": list(_MONTHS),
            "day": [str(d) for d in range(1, 29)],
            "n": ["2", "3", "4", "5", "two", "three"],
            "year": [str(y) for y in range(self.recent_year - 12, self.recent_year - 1)],
            "amt": [f"${a:,}" for a in (180, 240, 365, 420, 612, 850, 975, 1200, 1460, 2300)],
        }

    @staticmethod
    def _fill(rnd: random.Random, template: str, ctx: Mapping) -> str:
        text = _ALTERNATIVES.sub(lambda m: rnd.choice(m.group(1).split("|")), template)
        for _ in range(3):
            if "{" not in text:
                break
            text = _SLOT.sub(lambda m: rnd.choice(ctx[m.group(1)]), text)
        text = re.sub(r"\s{2,}", " ", text).strip()
        return text[0].upper() + text[1:] if text else text

    def _sentence(self, rnd, table, need, case, ctx) -> str:
        return self._fill(rnd, rnd.choice(_usable(table[need], case)), ctx)

    def _mention(self, rnd, need: str, label: tuple[str, str], case, ctx) -> str:
        status, experiencer = label
        if experiencer == "other":
            return self._sentence(rnd, bank.OTHER, need, case, ctx)
        table = {
            "present": bank.PRESENT,
            "negated": bank.NEGATED,
            "historical": bank.HISTORICAL,
            "hypothetical": bank.HYPOTHETICAL,
        }[status]
        text = self._sentence(rnd, table, need, case, ctx)
        if rnd.random() < 0.12 and not text.startswith(_SUBJECTS):
            frame = rnd.choice(_REPORTED_SPEECH).format(cl=ctx["Cl"][0] or "cl")
            body = text if text[:2].isupper() else text[0].lower() + text[1:]
            text = frame[0].upper() + frame[1:] + body
        return text

    def _household(self, rnd, case, ctx) -> str:
        her = ctx["her"][0]
        where = {
            "renting": "rents an apartment",
            "owner": rnd.choice(("owns a small house", "owns a mobile home")),
            "public_housing": "lives in public housing",
            "with_family": "staying with relatives",
            "shelter": "currently in shelter",
            "unhoused": "no fixed address",
        }[case["housing_type"]]
        size, kids = int(case["household_size"]), int(case["n_children"])
        if size == 1:
            return f"Single adult household; {where}"
        members = []
        if case["lives_with_partner"]:
            members.append(f"{her} partner")
        if kids:
            members.append(f"{kids} {'child' if kids == 1 else 'children'}")
        others = size - 1 - kids - int(bool(case["lives_with_partner"]))
        if others:
            members.append(f"{others} other adult{'s' if others > 1 else ''}")
        return f"Household of {size} ({', '.join(members)}); {where}"

    def _opener(self, rnd, case, style) -> str:
        sex = "F" if case["sex"] == "female" else "M"
        age = case["age"]
        if style == "hotline":
            return rnd.choice(
                (
                    f"{age}{sex} caller",
                    f"Hotline call, {age} yo {sex}",
                    f"Call from {age}{sex}",
                    "Crisis line call",
                    f"Warmline, {age} y/o {sex}",
                    f"Ph call {age}{sex}",
                )
            )
        return rnd.choice(
            (
                "",
                "",
                "Intake: ",
                "Case note: ",
                "Walk-in. ",
                "Phone intake. ",
                f"{age} yo {sex}. ",
                f"Cl is a {age} yo {'woman' if sex == 'F' else 'man'} seen today. ",
                f"{age}{sex} walk-in. ",
                "Office visit. ",
                "Intake interview: ",
                f"Pt is a {age} y/o {'female' if sex == 'F' else 'male'}. ",
                "F/u call. ",
                "Reason for referral: ",
            )
        )

    def _closer(self, rnd, case, ctx, *, follow_up: bool = True) -> list[str]:
        lines = []
        language = case["preferred_language"]
        if language != "en" and rnd.random() < 0.6:
            lines.append(f"{_LANGUAGE_NAMES[language]} interpreter used")
        closers = [c for c in bank.CLOSERS if follow_up or "f/u" not in c]
        if rnd.random() < 0.5:
            lines.append(self._fill(rnd, rnd.choice(closers), ctx))
        return lines

    def _write(self, rnd, style, labels, case, ctx) -> str:
        order = [n for n in NEEDS if n in labels]
        rnd.shuffle(order)
        order.sort(key=lambda n: labels[n] != ("present", "client"))  # active needs first
        if style == "home_visit":
            return self._write_home_visit(rnd, order, labels, case, ctx)
        if style == "screening":
            return self._write_screening(rnd, order, labels, case, ctx)
        order, combined = self._combine_denials(rnd, order, labels, case)
        sentences = [self._mention(rnd, n, labels[n], case, ctx) for n in order] + combined
        if style == "hotline":
            parts = [s[0].lower() + s[1:] if s[:2] != s[:2].upper() else s for s in sentences]
            parts += self._closer(rnd, case, ctx)
            body = rnd.choice(("; ", ". ", " / ")).join(parts) if parts else "info only"
            return f"{self._opener(rnd, case, style)}: {body}"
        if not sentences:
            sentences = [
                rnd.choice(
                    (
                        "Requests general information about agency programs",
                        "No needs identified at this time",
                        "Annual review, nothing new to report",
                    )
                )
            ]
        plan = self._plan_lines(rnd, order, labels, case, ctx, share=0.3)
        if plan:
            sentences.append(rnd.choice(("Plan: ", "Plan - ", "")) + "; ".join(plan))
        sentences += self._closer(rnd, case, ctx)
        return self._opener(rnd, case, style) + ". ".join(sentences) + "."

    @staticmethod
    def _combine_denials(rnd, order, labels, case) -> tuple[list[str], list[str]]:
        """Sometimes write several denials as one sentence, as staff do ("denies SI/HI, DV").

        Returns the needs still to be written one by one, and the combined sentences.
        """
        negated = [n for n in order if labels[n] == ("negated", "client")]
        combined, done = [], set()
        if {"suicide_risk", "interpersonal_violence"} <= set(negated) and rnd.random() < 0.4:
            combined.append(rnd.choice(_SAFETY_DENIALS))
            done |= {"suicide_risk", "interpersonal_violence"}
        listable = [n for n in negated if n in _DENIAL_NOUNS and n not in done]
        if len(listable) >= 2 and rnd.random() < 0.5:
            nouns = [_DENIAL_NOUNS[n] for n in listable]
            listed = ", ".join(nouns[:-1]) + rnd.choice((" or ", ", ", " and ")) + nouns[-1]
            combined.append(rnd.choice(_LIST_DENIALS).format(listed=listed))
            done |= set(listable)
        return [n for n in order if n not in done], combined

    def _plan_lines(self, rnd, order, labels, case, ctx, *, share: float) -> list[str]:
        """Referrals for some active needs: a second mention that keeps the need's label."""
        lines = []
        for need in order:
            if labels[need] == ("present", "client") and rnd.random() < share:
                usable = _usable(bank.PLAN[need], case)
                if usable:
                    lines.append(self._fill(rnd, rnd.choice(usable), ctx))
        return lines

    def _write_home_visit(self, rnd, order, labels, case, ctx) -> str:
        sections: dict[str, list[str]] = {
            "Presenting problem": [],
            "Household": [self._household(rnd, case, ctx)],
            "Safety": [],
            "Background": [],
            "Plan": [],
        }
        for need in order:
            label = labels[need]
            text = self._mention(rnd, need, label, case, ctx)
            if need in SAFETY_NEEDS and label[1] == "client" and label[0] != "historical":
                sections["Safety"].append(text)
            elif label[1] == "other" or need in ("social_isolation", "childcare"):
                sections["Household"].append(text)
            elif label[0] == "historical":
                sections["Background"].append(text)
            else:
                sections["Presenting problem"].append(text)
        sections["Plan"] += self._plan_lines(rnd, order, labels, case, ctx, share=0.6)
        if not sections["Presenting problem"]:
            sections["Presenting problem"].append("Routine home visit, no new concerns raised")
        if not sections["Safety"]:
            sections["Safety"].append("Home visit completed, no safety issues observed")
        sections["Plan"].append(self._fill(rnd, "Will f/u in {n} [wks|weeks]", ctx))
        sections["Plan"] += self._closer(rnd, case, ctx, follow_up=False)
        heading_style = rnd.choice(("{h}:", "{H}:", "** {h} **"))
        blocks = []
        for heading, lines in sections.items():
            if lines:
                title = heading_style.format(h=heading, H=heading.upper())
                blocks.append(f"{title} " + ". ".join(lines) + ".")
        return "Home visit assessment\n" + "\n".join(blocks)

    def _write_screening(self, rnd, order, labels, case, ctx) -> str:
        lines, comments = [], []
        for need in order:
            status, experiencer = labels[need]
            items = bank.SCREENING.get(need, ())
            if experiencer == "client" and status in ("present", "negated") and items:
                if need in ("childcare",) and case["n_children"] == 0:
                    continue
                question, yes, no = rnd.choice(items)
                answers = yes if status == "present" else no
                answers = [a for a in answers if a != "Medicare" or case["age"] >= 65]
                answer = rnd.choice(answers)
                lines.append(f"{question}: {answer}")
            else:
                comments.append(self._mention(rnd, need, labels[need], case, ctx))
        header = rnd.choice(
            (
                "SDOH screening (self-report)",
                "Screening:",
                "Needs screen completed at intake",
                "Social needs questionnaire",
            )
        )
        text = header + "\n" + "\n".join(f"- {line}" for line in lines)
        comments += self._closer(rnd, case, ctx)
        if comments:
            text += "\nComments: " + ". ".join(comments) + "."
        return text

    def _style_text(self, rnd: random.Random, text: str, style: str) -> str:
        if style == "hotline" and rnd.random() < 0.5:
            text = _ARTICLE.sub(lambda m: "" if rnd.random() < 0.7 else m.group(0), text)
        abbreviate = {"hotline": 0.9, "narrative": 0.5, "home_visit": 0.25}.get(style, 0.0)
        if rnd.random() < abbreviate:
            for pattern, short in _ABBREVIATIONS:
                if rnd.random() < 0.6:
                    text = pattern.sub(short, text)
        if rnd.random() < 0.12:
            present = [(p, t) for p, t in _TYPO_PATTERNS if p.search(text)]
            if present:
                pattern, typo = rnd.choice(present)
                text = pattern.sub(typo, text, count=1)
        return text

    def write(self, *, index: int, case: Mapping, active: set[str]) -> CaseNote:
        """Write the note of case ``index`` with the given active needs.

        Parameters
        ----------
        index : int
            Position of the case in the run; seeds the note's own random stream.
        case : Mapping
            The case's structured fields and sensitive attributes (pronouns, household,
            housing and language make the note agree with the fields).
        active : set of str
            Needs present for the client now; each is written into the note.
        """
        rnd = random.Random(f"casetriage-synth:{self.seed}:{index}")

        style = rnd.choices(self.styles, weights=self.style_weights)[0]
        case = {**case, "_active": frozenset(active), "_style": style}
        labels = self._plan(rnd, case, active, style)
        ctx = self._context(rnd, case, style)
        text = self._style_text(rnd, self._write(rnd, style, labels, case, ctx), style)
        needs = [
            {"need": n, "status": labels[n][0], "experiencer": labels[n][1]}
            for n in NEEDS
            if n in labels
        ]
        return CaseNote(text=text, needs=needs, style=style)
