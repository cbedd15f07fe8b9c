import json
import re
from pathlib import Path

import signs_child
import signs_ipv
import signs_suicide
import yaml
from build_sources import SOURCES
from expand import phrases
from lookalikes import LOOKALIKES

ALL = signs_suicide.SIGNS + signs_ipv.SIGNS + signs_child.SIGNS
CHILD_WORDS = signs_child.CHILD_WORDS


def q(s, flow=False):
    if flow:
        return (
            s
            if re.fullmatch(r"[a-z0-9][a-z0-9'\- ]*", s) and yaml.safe_load(s) == s
            else json.dumps(s, ensure_ascii=False)
        )
    try:
        ok = yaml.safe_load(s) == s and not s.startswith(
            ("-", "?", ":", "'", '"', "*", "&", "!", "%", "@", "`", "[", "{", "#", "|", ">")
        )
    except Exception:
        ok = False
    return s if ok and ": " not in s and " #" not in s else json.dumps(s, ensure_ascii=False)


def main(target: Path | None = None):
    out = []
    out.append("# Safety-net warning signs for social-services intake notes.")
    out.append(
        "# Categories come from published screeners / warning-sign lists (see SOURCES.md), not from notes."
    )
    out.append(
        "# phrases: lower case, matched case-insensitively on whole tokens, no stemming; inflections and"
    )
    out.append(
        "#   her/his/their variants are listed explicitly, plus apostrophe-less, curly-apostrophe and"
    )
    out.append("#   hyphen-as-space / hyphen-joined spellings.")
    out.append(
        "# near: every group must have a token within `window` tokens of the others, same sentence, any order."
    )
    out.append(
        '# Negation / history ("denies SI", "attempt in 2015") is deliberately NOT encoded here.'
    )
    out.append("version: 1")
    out.append("sources:")
    for sid, title, url in SOURCES:
        out.append(f"  - id: {sid}")
        out.append(f"    title: {json.dumps(title, ensure_ascii=False)}")
        if url:
            out.append(f"    url: {json.dumps(url, ensure_ascii=False)}")
    out.append("signs:")
    cats = set()
    for sg in ALL:
        assert sg["category"] not in cats, sg["category"]
        cats.add(sg["category"])
        out.append(f"  - need: {sg['need']}")
        out.append(f"    category: {sg['category']}")
        out.append(f"    source: [{', '.join(sg['source'])}]")
        out.append("    phrases:")
        for p in phrases(*sg["t"]):
            out.append(f"      - {q(p)}")
        if sg.get("near"):
            n = sg["near"]
            out.append("    near:")
            out.append(f"      window: {n['window']}")
            out.append("      groups:")
            for g in n["groups"]:
                g = list(dict.fromkeys(x.lower().replace("-", "") for x in g))
                out.append("        - [" + ", ".join(q(x, flow=True) for x in g) + "]")
    out.append("lookalikes:")
    from matcher_vocab import sign_vocab

    vocab = sign_vocab(ALL)
    for l in phrases(*LOOKALIKES):
        if set(re.findall(r"[a-z0-9]+(?:['\u2019][a-z0-9]+)*", l)) & vocab:
            out.append(f"  - {q(l)}")
    out.append(
        "# child_safety signs count only in a note that names a child: an adult's injuries, or a"
    )
    out.append(
        "# caregiver's positive drug screen, in a note about adults only, is no child-maltreatment sign."
    )
    out.append("child_words: [" + ", ".join(CHILD_WORDS) + "]")
    target = target or Path(__file__).resolve().parent.parent / "safety_signs.yaml"
    target.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
