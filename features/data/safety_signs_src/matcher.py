"""Reference matcher implementing the brief's rules, for self-testing only."""

import re

import yaml

TOK = re.compile(r"[a-z0-9]+(?:['\u2019][a-z0-9]+)*(?:/[a-z0-9]+)*")


def toks(s):
    return TOK.findall(s.lower())


def sents(text):
    return [s for s in re.split(r"(?<=[.!?;])\s+|\n+", text) if s.strip()]


class M:
    def __init__(self, path="safety_signs.yaml"):
        d = yaml.safe_load(open(path))
        self.signs = d["signs"]
        self.phr = {}
        for sg in self.signs:
            for p in sg["phrases"]:
                self.phr.setdefault(tuple(toks(p)), set()).add((sg["need"], sg["category"]))
        self.maxlen = max(len(k) for k in self.phr)
        self.look = [tuple(toks(l)) for l in d["lookalikes"]]

    def spans_look(self, t):
        out = []
        for lk in self.look:
            n = len(lk)
            for i in range(len(t) - n + 1):
                if tuple(t[i : i + n]) == lk:
                    out.append((i, i + n))
        return out

    def match(self, text):
        hits = []
        for s in sents(text):
            t = toks(s)
            L = self.spans_look(t)
            for i in range(len(t)):
                for n in range(1, min(self.maxlen, len(t) - i) + 1):
                    k = tuple(t[i : i + n])
                    if k in self.phr and not any(a <= i and i + n <= b for a, b in L):
                        for nc in self.phr[k]:
                            hits.append((nc, " ".join(k)))
            for sg in self.signs:
                nr = sg.get("near")
                if not nr:
                    continue
                w = nr["window"]
                gs = [set(toks(" ".join(g))) for g in nr["groups"]]
                pos = [
                    [i for i, x in enumerate(t) if x in g and not any(a <= i < b for a, b in L)]
                    for g in gs
                ]
                if all(pos):
                    import itertools

                    for combo in itertools.product(*pos):
                        if len(set(combo)) == len(combo) and max(combo) - min(combo) <= w:
                            hits.append(
                                (
                                    (sg["need"], sg["category"]),
                                    "NEAR:" + " ".join(t[i] for i in sorted(combo)),
                                )
                            )
                            break
        return hits
