import re

from expand import phrases

T = re.compile(r"[a-z0-9]+(?:['\u2019][a-z0-9]+)*")


def sign_vocab(signs):
    v = set()
    for sg in signs:
        for p in phrases(*sg["t"]):
            v |= set(T.findall(p))
        if sg.get("near"):
            for g in sg["near"]["groups"]:
                for x in g:
                    v |= set(T.findall(x.lower()))
    return v
