import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from core.schemas import NEEDS
from features import FEATURE_NAMES, NeedsFeaturizer

NOTES = [
    "Pt homeless, staying at shelter. Denies SI/HI.",
    "Client reports thoughts of killing herself. Hx of heroin use.",
    "Her brother is homeless. If she loses her job she may need food stamps.",
    "",
]


def test_feature_names_are_stable_and_documented():
    names = list(NeedsFeaturizer().fit(pd.DataFrame({"note": []})).get_feature_names_out())
    assert names == list(FEATURE_NAMES)
    assert names[: len(NEEDS)] == [f"need_{n}" for n in NEEDS]
    assert names[len(NEEDS) :] == [
        "n_active_needs",
        "any_safety_need",
        "n_negated_needs",
        "n_historical_needs",
        "n_hypothetical_needs",
        "n_other_person_needs",
    ]


def test_note_column_features(extractor):
    X = NeedsFeaturizer().fit_transform(pd.DataFrame({"note": NOTES}))
    frame = pd.DataFrame(X, columns=FEATURE_NAMES)
    assert frame.loc[0, "need_homelessness"] == 1
    assert frame.loc[0, "need_suicide_risk"] == 0
    assert frame.loc[0, "n_negated_needs"] == 1
    assert frame.loc[1, "any_safety_need"] == 1
    assert frame.loc[1, "n_historical_needs"] == 1
    assert frame.loc[2, "n_other_person_needs"] == 1
    assert frame.loc[2, "n_hypothetical_needs"] >= 1
    assert frame.loc[2, "n_active_needs"] == 0
    assert frame.loc[3].sum() == 0
    assert (frame["n_active_needs"] == frame.iloc[:, : len(NEEDS)].sum(axis=1)).all()


def test_precomputed_needs_give_the_same_features_without_extracting(extractor):
    needs = list(extractor.extract_many(NOTES))
    from_notes = NeedsFeaturizer().fit_transform(pd.DataFrame({"note": NOTES}))
    from_needs = NeedsFeaturizer().fit_transform(
        pd.DataFrame({"needs": needs, "note": ["ignored"] * len(NOTES)})
    )
    np.testing.assert_array_equal(from_notes, from_needs)


def test_pickle_is_small_and_does_not_hold_the_pipeline(extractor):
    pipeline = make_pipeline(NeedsFeaturizer(batch_size=8), StandardScaler())
    pipeline.fit(pd.DataFrame({"note": NOTES}))
    blob = pickle.dumps(pipeline)
    assert len(blob) < 5_000
    restored = pickle.loads(blob)
    assert restored.transform(pd.DataFrame({"note": NOTES})).shape == (4, len(FEATURE_NAMES))


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"text": ["x"]}), "'needs' or a 'note' column"),
        (pd.DataFrame({"needs": ["{not json"]}), "needs, row 0: not valid JSON"),
        (pd.DataFrame({"needs": [[{"need": "pizza"}]]}), "needs, row 0, item 0"),
        (pd.DataFrame({"note": [12]}, index=["case-9"]), "note, row 'case-9'"),
    ],
)
def test_bad_input_names_the_column_and_row(frame, message):
    with pytest.raises(ValueError, match=message):
        NeedsFeaturizer().fit(frame).transform(frame)


def test_non_dataframe_input_is_rejected():
    with pytest.raises(TypeError, match="DataFrame"):
        NeedsFeaturizer().fit(["a note"])
