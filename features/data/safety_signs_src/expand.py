"""Template expansion helpers for the safety-sign list.
Syntax: (a|b|c) alternation (may nest), (x)? optional, {obj} {pos} {refl} {subj} pronoun sets."""

import re

MACROS = {
    "{obj}": "(her|him|them)",
    "{pos}": "(her|his|their)",
    "{refl}": "(herself|himself|themselves|myself)",
    "{subj}": "(she|he|they)",
}
INNER = re.compile(r"\(([^()]*)\)(\?)?")


def expand(t):
    for k, v in MACROS.items():
        t = t.replace(k, v)
    out, stack = [], [t]
    while stack:
        cur = stack.pop()
        m = INNER.search(cur)
        if not m:
            s = re.sub(r"\s+", " ", cur).strip().lower()
            if any(c in s for c in "()?|{}"):
                raise ValueError(f"unexpanded template: {t!r} -> {s!r}")
            if s:
                out.append(s)
            continue
        alts = m.group(1).split("|") + ([""] if m.group(2) else [])
        for a in reversed(alts):
            stack.append(cur[: m.start()] + a + cur[m.end() :])
    return out


CONTRACTION = re.compile(r"(n't|'s|'m|'ll|'re|'ve)\b")


def variants(p):
    """Mechanical spelling variants staff write: no apostrophe, curly apostrophe,
    hyphen as space / joined."""
    vs = {p}
    if "'" in p:
        vs.add(p.replace("'", "\u2019"))
        nop = CONTRACTION.sub(lambda m: m.group(1).replace("'", ""), p)
        if nop != p:
            vs.add(nop)
    if "-" in p:
        vs.add(p.replace("-", " "))
        vs.add(p.replace("-", ""))
    return vs


def phrases(*templates, mech=True):
    seen, out = set(), []
    for t in templates:
        for s in expand(t):
            for v in sorted(variants(s), key=lambda x: (x != s, x)) if mech else [s]:
                v = re.sub(r"\s+", " ", v).strip()
                if v and v not in seen:
                    seen.add(v)
                    out.append(v)
    return out
