#!/usr/bin/env python3
"""Check a file of labelled intake notes and print its coverage.

Usage: python3 check_notes.py FILE.jsonl [--quota N]

Each line: {"id", "style", "text", "needs": [{"need", "status", "experiencer",
"evidence", "cue", "tags"}]}. Exit 1 on any error (each printed with its line).
"""

import json
import sys
from collections import Counter

NEEDS = [
    "housing_instability",
    "homelessness",
    "food_insecurity",
    "financial_strain",
    "utilities",
    "employment",
    "transportation",
    "health_insurance",
    "medical_care",
    "mental_health",
    "substance_use",
    "suicide_risk",
    "interpersonal_violence",
    "child_safety",
    "social_isolation",
    "legal",
    "childcare",
]
STATUSES = ["present", "negated", "historical", "hypothetical"]
EXPERIENCERS = ["client", "other"]
STYLES = [
    "intake_walkin",
    "discharge_planning",
    "hotline_crisis",
    "school_police_referral",
    "home_visit_assessment",
    "screener",
    "legal_aid_intake",
]
CUES = ["explicit", "abbreviation", "paraphrase", "consequence", "screener"]
TAGS = [
    "dependent_child",
    "past_event",
    "third_party_report",
    "relative_perpetrator",
    "headed_section",
    "lookalike_nearby",
    "multiple_mentions",
    "elder_exploitation",
]
SAFETY = {"suicide_risk", "interpersonal_violence", "child_safety"}


def main(path):
    errors, records, ids = [], [], set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"line {n}: not JSON: {e}")
                continue
            for key in ("id", "style", "text", "needs"):
                if key not in r:
                    errors.append(f"line {n}: missing '{key}'")
            if errors and errors[-1].startswith(f"line {n}:"):
                continue
            if r["id"] in ids:
                errors.append(f"line {n}: duplicate id {r['id']}")
            ids.add(r["id"])
            if r["style"] not in STYLES:
                errors.append(f"line {n}: style {r['style']!r} not in {STYLES}")
            seen = set()
            for i, nd in enumerate(r["needs"]):
                where = f"line {n} ({r['id']}) needs[{i}]"
                if nd.get("need") not in NEEDS:
                    errors.append(f"{where}: need {nd.get('need')!r} unknown")
                if nd.get("status") not in STATUSES:
                    errors.append(f"{where}: status {nd.get('status')!r} unknown")
                if nd.get("experiencer") not in EXPERIENCERS:
                    errors.append(f"{where}: experiencer {nd.get('experiencer')!r} unknown")
                if nd.get("cue") not in CUES:
                    errors.append(f"{where}: cue {nd.get('cue')!r} not in {CUES}")
                for t in nd.get("tags", []):
                    if t not in TAGS:
                        errors.append(f"{where}: tag {t!r} not in {TAGS}")
                ev = nd.get("evidence")
                if not isinstance(ev, str) or not ev or ev not in r["text"]:
                    errors.append(f"{where}: evidence is not an exact substring of text: {ev!r}")
                if nd.get("need") in seen:
                    errors.append(
                        f"{where}: need {nd.get('need')} labelled twice (one label per need)"
                    )
                seen.add(nd.get("need"))
            records.append(r)
    for e in errors:
        print("ERROR", e)
    print(
        f"\n{len(records)} notes, {sum(len(r['needs']) for r in records)} labels, "
        f"{sum(len(r['text'].split()) for r in records)} words"
    )
    print("styles:", dict(Counter(r["style"] for r in records)))
    print("cues:", dict(Counter(nd["cue"] for r in records for nd in r["needs"] if "cue" in nd)))
    print(
        "tags:", dict(Counter(t for r in records for nd in r["needs"] for t in nd.get("tags", [])))
    )
    print(
        "notes with no active need:",
        sum(
            1
            for r in records
            if not any(
                nd.get("status") == "present" and nd.get("experiencer") == "client"
                for nd in r["needs"]
            )
        ),
    )
    combos = Counter(
        (nd.get("need"), nd.get("status"), nd.get("experiencer"))
        for r in records
        for nd in r["needs"]
    )
    print(
        f"\n{'need':24s} "
        + " ".join(f"{s[:5]:>6s}" for s in STATUSES)
        + "  other  (counts client+other per status)"
    )
    missing = []
    for need in NEEDS:
        row = []
        for s in STATUSES:
            c = combos[(need, s, "client")] + combos[(need, s, "other")]
            row.append(f"{c:6d}")
            if c == 0:
                missing.append(f"{need}/{s}")
        other = sum(combos[(need, s, "other")] for s in STATUSES)
        if other == 0:
            missing.append(f"{need}/other")
        print(f"{need:24s} " + " ".join(row) + f"  {other:5d}")
    safety = [nd for r in records for nd in r["needs"] if nd.get("need") in SAFETY]
    hard = [nd for nd in safety if nd.get("cue") in ("paraphrase", "consequence", "screener")]
    print(f"\nsafety labels: {len(safety)}, said without the keyword or by a screener: {len(hard)}")
    if missing:
        print("NOT YET COVERED (need/status or need/other):", ", ".join(missing))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
