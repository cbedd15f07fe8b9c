"""The versioned release policy: loads, hashes its bytes, and names any bad key."""

import hashlib

import pytest
import yaml

from bias_audits import AuditPolicy, PolicyError, default_policy_path


def test_shipped_policy_loads_and_hashes_its_bytes():
    policy = AuditPolicy.load()
    assert policy.sha256 == hashlib.sha256(default_policy_path().read_bytes()).hexdigest()
    assert policy.source == str(default_policy_path())
    assert {"true_positive_rate", "false_positive_rate", "calibration_error"} <= set(
        policy.gated_metrics
    )
    # reported with a verdict, but a base-rate difference alone must not hold a release
    assert set(policy.reported_metrics) == {"selection_rate"}
    assert not policy.intersection_reviews_hold
    assert policy.n_resamples >= 1_000
    assert policy.reference_groups["race_ethnicity"] == "White"
    assert ("race_ethnicity", "sex") in policy.intersections


def test_any_change_changes_the_hash(tmp_path):
    text = default_policy_path().read_text()
    changed = tmp_path / "policy.yaml"
    changed.write_text(text.replace("max_ratio: 1.25", "max_ratio: 1.3"))
    assert AuditPolicy.load(changed).sha256 != AuditPolicy.load().sha256


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"ci_level": 1.5}, "'ci_level'"),
        ({"n_resamples": 10}, "'n_resamples'"),
        ({"gated_metrics": {}}, "'gated_metrics'"),
        ({"gated_metrics": {"selection_rate": {"max_ratio": 0.8}}}, "max_ratio' must be >= 1"),
        ({"gated_metrics": {"selection_rate": {"tolerance": 1}}}, "needs max_difference"),
        ({"gated_metrics": {"selection_rate": {"max_ratio": 1.2, "typo": 1}}}, "unknown keys"),
        ({"intersections": ["race_ethnicity"]}, "'intersections'"),
        ({"seed": "abc"}, "'seed' must be a number"),
    ],
)
def test_bad_policy_names_the_key(tmp_path, edit, message):
    data = yaml.safe_load(default_policy_path().read_text())
    data.update(edit)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(PolicyError, match=message):
        AuditPolicy.load(path)


def test_unreadable_policy_is_a_clear_error(tmp_path):
    with pytest.raises(PolicyError, match="cannot read policy file"):
        AuditPolicy.load(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("gated_metrics: [unclosed\n")
    with pytest.raises(PolicyError, match="not valid YAML"):
        AuditPolicy.load(broken)


def test_package_never_imports_serving():
    import subprocess
    import sys

    code = (
        "import sys, bias_audits, bias_audits.decisions, bias_audits.mitigation, "
        "bias_audits.model_card; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('serving', 'models')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
