"""Needs for a batch of cases: extracted once per case from the note, or taken as given."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from models._featurize import parse_needs

__all__ = ["attach_needs", "extract_needs"]


def extract_needs(notes: Sequence[str], *, mentions: bool = True) -> list[list[dict]]:
    """Run the features package's needs extractor over notes (one call for the batch).

    With ``mentions`` each need carries every mention that counted, so that the evidence a
    supervisor sees later is the evidence the score rested on.
    """
    from features import get_extractor

    results = get_extractor().extract_many(list(notes), mentions=mentions)
    return [
        [need.model_dump() if hasattr(need, "model_dump") else dict(need) for need in needs]
        for needs in results
    ]


def attach_needs(cases: pd.DataFrame, *, source: str = "extracted") -> pd.DataFrame:
    """Return ``cases`` with a ``needs`` column of parsed need dicts.

    ``source="extracted"`` reads the ``note`` column and extracts needs as the service
    does, so the model trains on the same kind of input it will score;
    ``"precomputed"`` uses an existing ``needs`` column (lists or JSON strings).
    """
    cases = cases.copy()
    if source == "precomputed":
        if "needs" not in cases.columns:
            raise ValueError("cases: needs_source is 'precomputed' but there is no 'needs' column")
        cases["needs"] = [parse_needs(value, row=row) for row, value in cases["needs"].items()]
        return cases
    if "note" not in cases.columns:
        raise ValueError("cases: missing column 'note' (needed to extract needs)")
    notes = cases["note"].fillna("").astype(str).tolist()
    cases["needs"] = extract_needs(notes, mentions=False)
    return cases
