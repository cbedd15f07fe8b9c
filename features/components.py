"""spaCy pipeline components for needs: the lexicon matcher and the ConText scope resolver.

Both are registered with ``@Language.factory`` when this module is imported by
:func:`features.pipeline.build_pipeline`; nothing is built or read at import time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import StringStore, hash_string
from spacy.tokens import Doc, Span

from features._answers import FormReader
from features._mentions import MENTION_BOUNDS_KEY as _MENTION_BOUNDS_KEY
from features._mentions import NEEDS_SPAN_KEY, found_by
from features._resources import STATUS_CATEGORIES, load_context_rules, load_lexicon
from features._span_values import SpanValues
from features._token_patterns import (
    DocColumns,
    TokenPatterns,
    doc_columns,
    drop_columns,
)

__all__ = [
    "NEEDS_SPAN_KEY",
    "SPAN_EXTENSIONS",
    "NeedContext",
    "NeedMatcher",
    "register_extensions",
    "span_values",
]

_TIE_ORDER = {"NEGATED": 0, "HYPOTHETICAL": 1, "HISTORICAL": 2, "OTHER_SUBJECT": 3, "OTHER": 4}
_EXPERIENCER_CATEGORIES = ("OTHER", "OTHER_SUBJECT")
#: The status part of the matcher key of a look-alike phrase ("ignore_inside" in the lexicon).
_BLOCKER = "blocker"
#: Headings have at most this many words (see ``_sentence_features.section_headings``).
_HEADING_TOKENS = 6
_CATEGORY_STATUS = {
    "NEGATED": "negated",
    "HISTORICAL": "historical",
    "HYPOTHETICAL": "hypothetical",
}


#: The span attributes the components assign, with their defaults.
SPAN_EXTENSIONS: dict[str, Any] = {
    "lexical_status": "present",
    "status": "present",
    "experiencer": "client",
    "self_evident": False,
    "modifiers": (),
}


def register_extensions() -> None:
    """Declare the custom attributes the components assign (idempotent)."""
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


def span_values(doc: Doc) -> SpanValues:
    """Fast access to the needs attributes of ``doc``'s spans (see ``_span_values``)."""
    return SpanValues(doc, SPAN_EXTENSIONS)


def _run(matcher: Matcher | PhraseMatcher, doc: Doc) -> list[tuple[int, int, int]]:
    """Matches, or none when the data files gave this matcher no patterns."""
    return list(matcher(doc)) if len(matcher) else []


def _expand_pattern(pattern: list[dict], limit: int = 5000) -> list[list[str]] | None:
    """The token sequences a simple pattern matches (LOWER / LOWER IN, optional tokens), or
    None when it needs the Matcher (wildcards, LIKE_NUM, regexes...). Such patterns then run
    in the PhraseMatcher, which is an order of magnitude cheaper per token."""
    from itertools import product

    choices: list[list[str]] = []
    for spec in pattern:
        if set(spec) - {"LOWER", "OP"} or spec.get("OP") not in (None, "?"):
            return None
        value = spec.get("LOWER")
        if isinstance(value, str):
            options = [value]
        elif isinstance(value, dict) and set(value) == {"IN"}:
            options = [str(v) for v in value["IN"]]
        else:
            return None
        choices.append([*options, ""] if spec.get("OP") == "?" else options)
    size = 1
    for options in choices:
        size *= len(options)
    if size > limit:
        return None
    sequences = [[w for w in combo if w] for combo in product(*choices)]
    return [seq for seq in sequences if seq]


def _word_docs(nlp: Language, sequences: list[list[str]]) -> list[Doc]:
    return [Doc(nlp.vocab, words=seq) for seq in sequences]


def _phrase_docs(nlp: Language, phrases) -> list[Doc]:
    return [nlp.make_doc(p) for p in phrases]


class NeedMatcher:
    """Find need mentions with a LOWER PhraseMatcher plus token patterns from the lexicon.

    Writes ``doc.spans["needs"]``: one span per mention, label = need. Within one need,
    overlapping mentions keep the longest; different needs may overlap ("at risk of
    homelessness" is housing instability and, hypothetically, homelessness).
    """

    def __init__(self, nlp: Language, name: str, *, lexicon_path: str = "") -> None:
        register_extensions()
        self.name = name
        lexicon = load_lexicon(lexicon_path or None)
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._patterns = TokenPatterns()
        self._matcher = Matcher(nlp.vocab)  # patterns TokenPatterns cannot express
        self._self_evident_needs = set()
        self._keys: dict[int | str, tuple[str, str, bool]] = {}
        for need, entry in lexicon.items():
            if entry.self_evident:
                self._self_evident_needs.add(need)
            for status, phrases in entry.phrases.items():
                if phrases:
                    self._phrases.add(f"{need}|{status}|", _phrase_docs(nlp, phrases))
            if entry.self_evident_phrases:
                self._phrases.add(
                    f"{need}|present|self", _phrase_docs(nlp, entry.self_evident_phrases)
                )
            for i, (status, pattern) in enumerate(entry.patterns):
                self._add_pattern(nlp, f"{need}|{status}|", f"#{i}", pattern)
            if entry.ignore_inside:  # look-alikes that contain a mention of the need
                self._phrases.add(f"{need}|{_BLOCKER}|", _phrase_docs(nlp, entry.ignore_inside))
            for i, pattern in enumerate(entry.ignore_patterns):
                self._add_pattern(nlp, f"{need}|{_BLOCKER}|", f"#{i}", pattern)

    def _add_pattern(self, nlp: Language, key: str, number: str, pattern: list[dict]) -> None:
        """A token pattern under ``key`` (``need|status|``): as phrases when it expands to a
        few word sequences, else to the fast token patterns or, failing those, the Matcher
        (numbered, so that each keeps its own key)."""
        sequences = _expand_pattern(pattern)
        if sequences is not None:
            self._phrases.add(key, _word_docs(nlp, sequences))
        elif not self._patterns.add(key + number, pattern):
            self._matcher.add(key + number, [pattern])

    def _parse_key(self, strings: StringStore, key: int | str) -> tuple[str, str, bool]:
        """(need, status, self-evident) of a match key ``need|status|flag``, or its hash."""
        parsed = self._keys.get(key)
        if parsed is None:
            need, status, flag = (strings[key] if isinstance(key, int) else key).split("|")
            self_evident = need in self._self_evident_needs or flag == "self"
            parsed = self._keys[key] = need, status, self_evident
        return parsed

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        columns = doc_columns(doc)
        starts = columns.sentence_starts
        found = _run(self._phrases, doc)
        found += self._patterns(columns) if len(self._patterns) else []
        found += _run(self._matcher, doc)
        # mentions as (start, end, status, self-evident) tuples; Spans only for the kept ones
        by_need: dict[str, list[tuple[int, int, str, bool]]] = {}
        # spaCy 3.8 stores Span extensions per character offsets (not per label), so every
        # match on the same tokens, of any need, shares one set of attributes: the last
        # match's. The Span-per-match version behaved so; kept for identical output.
        last: dict[tuple[int, int], tuple[str, bool]] = {}
        blocked: dict[str, list[tuple[int, int]]] = {}
        for key, start, end in found:
            need, status, self_evident = self._parse_key(strings, key)
            if status == _BLOCKER:
                blocked.setdefault(need, []).append((start, end))
                continue
            k = bisect_right(starts, start)
            if k < len(starts) and starts[k] < end:
                continue  # a mention never spans two sentences
            by_need.setdefault(need, []).append((start, end, status, self_evident))
            last[start, end] = status, self_evident
        kept: list[tuple[int, int, str, str, bool]] = []
        for need, candidates in by_need.items():
            blockers = _Containers(sorted(blocked.get(need, ())))
            for start, end, status, self_evident in _longest_mentions(candidates):
                if blockers.first(start, end) is None:
                    kept.append((start, end, need, status, self_evident))
        kept.sort(key=lambda m: (m[0], m[1]))
        kept = _outside_headings(doc, columns, kept)
        mentions: list[Span] = []
        bounds: list[tuple[int, int, int, int]] = []
        values = span_values(doc)
        for start, end, need, _, _ in kept:
            status, self_evident = last[start, end]
            span = Span(doc, start, end, label=need)
            chars = span.start_char, span.end_char
            values.set(chars, "lexical_status", status)
            values.set(chars, "status", status)
            values.set(chars, "self_evident", self_evident)
            mentions.append(span)
            bounds.append((start, end, *chars))
        doc.spans[NEEDS_SPAN_KEY] = mentions
        # spares NeedContext a Span object per mention; it reads and drops these
        doc.user_data[_MENTION_BOUNDS_KEY] = bounds
        return doc


def _outside_headings(doc: Doc, columns: DocColumns, kept: list[tuple]) -> list[tuple]:
    """Leave out mentions on a heading line ("Substance use", "Income / Employment:"): a
    heading names the topic of a section, not a finding; what the section says decides."""
    starts = columns.sentence_starts
    bounds = [*starts[1:], len(columns.lower)]
    sentences = [bisect_right(starts, m[0]) - 1 for m in kept]
    # headings are short: only then is it worth finding them
    if all(bounds[i] - starts[i] > 2 * _HEADING_TOKENS for i in sentences):
        return kept
    from features._sentence_features import section_headings

    sections = section_headings(doc, columns)
    return [m for m, i in zip(kept, sentences, strict=True) if not sections[i].is_heading]


def _longest_mentions(
    mentions: list[tuple[int, int, str, bool]],
) -> list[tuple[int, int, str, bool]]:
    """Non-overlapping mentions of one need: longest first; on a tie the later one, so that
    "no food insecurity" keeps "food insecurity" (negated by "no") rather than "no food";
    self-evident phrases win remaining ties so their flag survives."""
    ordered = sorted(mentions, key=lambda m: (m[0] - m[1], -m[0], not m[3]))
    kept = []
    taken: set[int] = set()
    for mention in ordered:
        tokens = range(mention[0], mention[1])
        if taken.isdisjoint(tokens):
            kept.append(mention)
            taken.update(tokens)
    return kept


@dataclass(frozen=True, slots=True)
class _Trigger:
    start: int
    end: int
    category: str
    direction: str
    max_scope: int
    inside: tuple[int, int] | None = None  # the need mention that contains the trigger


@dataclass(frozen=True, slots=True)
class _Terminator:
    start: int
    end: int
    categories: tuple[str, ...]


def _mention_bounds(doc: Doc) -> list[tuple[int, int, int, int]]:
    """(start, end, start_char, end_char) of each need mention, in the span group's order:
    as NeedMatcher left them for this component, or read from the spans."""
    kept = doc.user_data.pop(_MENTION_BOUNDS_KEY, None)
    if kept is not None:
        return kept
    spans = doc.spans.get(NEEDS_SPAN_KEY, ())
    return [(s.start, s.end, s.start_char, s.end_char) for s in spans]


class _Containers:
    """Find the first mention (in order of start, then end) that contains a token range."""

    def __init__(self, mentions: list[tuple[int, int]]) -> None:
        self._mentions = mentions  # sorted by (start, end), as the span group is
        self._starts = [start for start, _ in mentions]
        self._longest = max((end - start for start, end in mentions), default=0)

    def first(self, start: int, end: int) -> tuple[int, int] | None:
        # only a mention starting at most the longest mention's length earlier can contain it
        low = bisect_left(self._starts, start - self._longest)
        for i in range(low, bisect_right(self._starts, start)):
            if end <= self._mentions[i][1]:
                return self._mentions[i]
        return None


def _next_other_need(
    lexicon: list[tuple[str, tuple[int, int]]],
    mentions: list[tuple[str, tuple[int, int]]],
    doc_length: int,
) -> list[int]:
    """For each mention, where the next lexicon mention of another need starts (or the
    doc's end): a questionnaire answer past it belongs to that one."""
    ordered = sorted((start, label) for label, (start, _) in lexicon)
    starts = [start for start, _ in ordered]
    limits = []
    for label, (_, end) in mentions:
        j = bisect_left(starts, end)
        while j < len(ordered) and ordered[j][1] == label:
            j += 1  # a later mention of the same need shares the answer
        limits.append(starts[j] if j < len(ordered) else doc_length)
    return limits


class NeedContext:
    """ConText: set each need mention's status and experiencer from triggers in scope.

    Scope rules (see ``data/context_rules.yaml``): a trigger reaches mentions in its
    direction within ``max_scope`` tokens, in the same sentence, up to a terminating term
    for its category, and only if no nearer trigger of the same kind (status or experiencer)
    lies in between. Pseudo-triggers cancel the triggers they overlap. A trigger inside a
    need phrase ("no" in "no heat") acts only on mentions nested in that phrase. A
    questionnaire answer after the mention ("...: often true", "? No") decides its status.
    """

    def __init__(self, nlp: Language, name: str, *, rules_path: str = "") -> None:
        register_extensions()
        self.name = name
        rules = load_context_rules(rules_path or None)
        self._rules = rules.rules
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._patterns = TokenPatterns()
        self._matcher = Matcher(nlp.vocab)  # patterns TokenPatterns cannot express
        for i, rule in enumerate(rules.rules):
            if rule.phrases:
                self._phrases.add(str(i), _phrase_docs(nlp, rule.phrases))
            for pattern in rule.patterns:
                sequences = _expand_pattern(pattern)
                if sequences is not None:
                    self._phrases.add(str(i), _word_docs(nlp, sequences))
                elif not self._patterns.add(str(i), pattern):
                    self._matcher.add(str(i), [pattern])
        self._rule_of = {hash_string(str(i)): i for i in range(len(rules.rules))}
        self._forms = FormReader(nlp, rules)

    def __call__(self, doc: Doc) -> Doc:
        columns = doc_columns(doc)
        drop_columns(doc)  # the last reader of the kept columns
        mentions = _mention_bounds(doc)
        if not mentions:
            return doc
        sent_starts = columns.sentence_starts
        sent_bounds = [*sent_starts[1:], len(doc)]
        bounds = [(start, end) for start, end, _, _ in mentions]
        mention_sents = [bisect_right(sent_starts, start) - 1 for start, _ in bounds]
        windows = [(sent_starts[i], sent_bounds[i]) for i in sorted(set(mention_sents))]
        # the lexicon's mentions alone shape the scopes (a trigger inside a phrase, where an
        # answer ends), so that the classifier's and the safety net's mentions never change
        # how a lexicon mention reads
        added = found_by(doc)
        labels = [span.label_ for span in doc.spans.get(NEEDS_SPAN_KEY, ())]
        lexicon = [
            (label, (start, end))
            for label, (start, end, sc, ec) in zip(labels, mentions, strict=True)
            if (label, sc, ec) not in added
        ]
        triggers, terminators = self._find_triggers(
            doc, columns, sorted(b for _, b in lexicon), windows
        )
        # "no PCP" carries its own polarity: a negation outside it does not flip it back
        self_negated = {t.inside for t in triggers if t.inside and t.category == "NEGATED"}
        # a questionnaire answer after the mention, or a form's box beside it, decides its
        # status ("food ran out: often true", "[ ] Child care")
        forms = self._forms.in_doc(columns, sent_starts, sent_bounds)
        # a trigger acts, and a terminator stops one, only within its sentence
        by_sentence: dict[int, tuple[list[_Trigger], list[_Terminator]]] = {}
        for item in (*triggers, *terminators):
            i = bisect_right(sent_starts, item.start) - 1
            if item.end <= sent_bounds[i]:
                found = by_sentence.setdefault(i, ([], []))
                found[isinstance(item, _Terminator)].append(item)
        values = span_values(doc)
        limits = _next_other_need(
            lexicon, [(label, b) for label, b in zip(labels, bounds, strict=True)], len(doc)
        )
        for (start, end, start_char, end_char), i, next_other in zip(
            mentions, mention_sents, limits, strict=True
        ):
            chars = start_char, end_char
            status_trigger = other_trigger = None
            if i in by_sentence:
                in_sentence, stops = by_sentence[i]
                status_trigger = self._nearest(start, end, in_sentence, stops, STATUS_CATEGORIES)
                if (
                    status_trigger is not None
                    and status_trigger.category == "NEGATED"
                    and (start, end) in self_negated
                ):
                    status_trigger = None
                experiencer_categories = (
                    ("OTHER_SUBJECT",)
                    if values.get(chars, "self_evident")
                    else _EXPERIENCER_CATEGORIES
                )
                other_trigger = self._nearest(
                    start, end, in_sentence, stops, experiencer_categories
                )
            status = values.get(chars, "lexical_status")
            if status_trigger is not None:
                overlaps = status_trigger.end > start
                status = self._combine(status, status_trigger.category, overlaps=overlaps)
            decided = forms.status(i, start, end, next_other)
            if decided is not None:
                lexical = values.get(chars, "lexical_status")
                asks_of_the_past = (
                    status_trigger is not None and status_trigger.category == "HISTORICAL"
                )
                status = self._answered(lexical == status == "negated", asks_of_the_past, *decided)
            values.set(chars, "status", status)
            values.set(chars, "experiencer", "client" if other_trigger is None else "other")
            modifiers = tuple(
                (t.category, t.start, t.end) for t in (status_trigger, other_trigger) if t
            )
            if decided is not None:  # the answer or the box that decided the status
                modifiers += (decided[1],)
            values.set(chars, "modifiers", modifiers)
        return doc

    @staticmethod
    def _answered(
        reverse_worded: bool, past: bool, answered: str, modifier: tuple[str, int, int]
    ) -> str:
        """The status an answer gives a mention. An item whose phrase states the need's
        absence, with no trigger turning it round, is worded the other way: "Safe at home?
        Yes" denies violence and "Do you feel safe at home? No" affirms it (as in HITS and
        PRAPARE). A box ticked beside such an item denies the need; an empty one says
        nothing more than the item. A yes to a question about the past (``past``: a
        HISTORICAL trigger reaches the item, "Have you ever attempted suicide? Yes",
        "Lifetime - Yes") says it happened then, not now."""
        is_answer = modifier[0].startswith("ANSWER_")
        status = answered
        if reverse_worded:
            status = "negated" if not is_answer or answered == "present" else "present"
        return "historical" if past and is_answer and status == "present" else status

    @staticmethod
    def _combine(lexical_status: str, category: str, *, overlaps: bool) -> str:
        """A negation of a phrase that already states absence ("not stably housed") affirms it,
        unless the negation is part of that phrase ("is not" + "not homeless")."""
        if category == "NEGATED" and lexical_status in ("negated", "historical"):
            return lexical_status if overlaps else "present"
        return _CATEGORY_STATUS[category]

    def _find_triggers(
        self,
        doc: Doc,
        columns: DocColumns,
        mentions: list[tuple[int, int]],
        windows: list[tuple[int, int]],
    ) -> tuple[list[_Trigger], list[_Terminator]]:
        strings = doc.vocab.strings
        # only triggers in sentences that hold a mention matter (a trigger never reaches
        # beyond its sentence); token patterns run only there, and Matcher offsets are
        # span-relative
        window_starts = [w0 for w0, _ in windows]
        found = []
        for m, s, e in _run(self._phrases, doc):
            w = bisect_right(window_starts, e - 1) - 1
            if w >= 0 and s < windows[w][1]:
                found.append((self._rule_of[m], s, e))
        if len(self._patterns):
            found += [(int(key), s, e) for key, s, e in self._patterns.in_windows(columns, windows)]
        if len(self._matcher):
            for w0, w1 in windows:
                found += [
                    (int(strings[m]), w0 + s, w0 + e) for m, s, e in self._matcher(doc[w0:w1])
                ]
        pseudo: set[int] = set()  # tokens of pseudo-triggers
        for r, s, e in found:
            if self._rules[r].category == "PSEUDO":
                pseudo.update(range(s, e))
        candidates, terminators = [], []
        for r, s, e in found:
            rule = self._rules[r]
            if rule.category == "PSEUDO":
                continue
            if rule.category == "TERMINATE":
                terminators.append((s, e, rule.terminates))
                continue
            if not pseudo.isdisjoint(range(s, e)):
                continue
            candidates.append((s, e, rule))
        # longest trigger wins where triggers overlap ("denies any history of" > "history of")
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        container = _Containers(mentions)
        kept: list[_Trigger] = []
        taken: set[int] = set()
        spans_kept: set[tuple[int, int]] = set()
        for s, e, rule in candidates:
            # the same phrase may be a trigger in several rules (forward and backward)
            if (s, e) not in spans_kept and not taken.isdisjoint(range(s, e)):
                continue
            taken.update(range(s, e))
            spans_kept.add((s, e))
            inside = container.first(s, e)
            kept.append(
                _Trigger(s, e, rule.category, rule.direction, rule.max_scope, inside=inside)
            )
        # a terminator only matters in a sentence where some trigger may act
        sentence_starts = columns.sentence_starts
        trigger_sentences = {bisect_right(sentence_starts, t.start) for t in kept}
        kept_terminators = [
            _Terminator(s, e, cats)
            for s, e, cats in terminators
            if bisect_right(sentence_starts, s) in trigger_sentences
            and taken.isdisjoint(range(s, e))
            and container.first(s, e) is None
        ]
        return kept, kept_terminators

    @staticmethod
    def _nearest(
        mention_start: int,
        mention_end: int,
        triggers: list[_Trigger],
        terminators: list[_Terminator],
        categories: tuple[str, ...],
    ) -> _Trigger | None:
        """The trigger of ``categories`` that reaches the mention, from those of its
        sentence (see the class docstring), or None."""
        best, best_distance = None, None
        kind = [t for t in triggers if t.category in categories]
        for t in kind:
            # a trigger inside a need phrase acts only on mentions nested in that phrase
            if t.inside is not None and (
                (mention_start, mention_end) == t.inside
                or not (t.inside[0] <= mention_start and mention_end <= t.inside[1])
            ):
                continue
            # a trigger may share tokens with the mention ("would need" + "need childcare")
            if t.start < mention_start and t.end <= mention_end and t.direction != "backward":
                gap = (min(t.end, mention_start), mention_start)
            elif mention_end <= t.start and t.direction in ("backward", "bidirectional"):
                gap = (mention_end, t.start)
            else:
                continue
            distance = gap[1] - gap[0]
            if distance > t.max_scope:
                continue
            if any(
                t.category in x.categories and gap[0] <= x.start and x.end <= gap[1]
                for x in terminators
            ):
                continue
            if any(o is not t and gap[0] <= o.start and o.end <= gap[1] for o in kind):
                continue
            # on a tie, negation wins ("denies homelessness in the past" is negated)
            if best is None or (distance, _TIE_ORDER[t.category]) < (
                best_distance,
                _TIE_ORDER[best.category],
            ):
                best, best_distance = t, distance
        return best


@Language.factory(
    "need_matcher",
    assigns=["doc.spans", "span._.lexical_status", "span._.status", "span._.self_evident"],
    requires=["token.is_sent_start"],
    default_config={"lexicon_path": ""},
)
def make_need_matcher(nlp: Language, name: str, lexicon_path: str) -> NeedMatcher:
    return NeedMatcher(nlp, name, lexicon_path=lexicon_path)


@Language.factory(
    "need_context",
    assigns=["span._.status", "span._.experiencer", "span._.modifiers"],
    requires=["doc.sents", "doc.spans"],
    default_config={"rules_path": ""},
)
def make_need_context(nlp: Language, name: str, rules_path: str) -> NeedContext:
    return NeedContext(nlp, name, rules_path=rules_path)
