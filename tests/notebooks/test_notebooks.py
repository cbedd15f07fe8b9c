"""The notebooks run top to bottom on a small caseload, and the renderer reports failures.

Each notebook is converted with jupytext and executed with nbclient in this interpreter's
``python3`` kernel, with every generated file (data, MLflow store) in a temporary folder.
"""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat
import pytest

from casetriage.notebooks_render import (
    NotebookRunError,
    execute_notebook,
    find_notebooks,
    main,
    read_notebook,
    render_notebooks,
)

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
SMALL_CASES = "1500"


@pytest.fixture
def notebook_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    return {
        "CASETRIAGE_NB_CASES": SMALL_CASES,
        "CASETRIAGE_NB_WORKDIR": str(tmp_path / "work"),
        "CASETRIAGE_HOME": str(home),
        "MLFLOW_TRACKING_URI": f"sqlite:///{home / 'mlflow' / 'mlflow.db'}",
    }


def _outputs(notebook) -> list[dict]:
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]


def _images(notebook) -> list[bytes]:
    return [
        base64.b64decode(o["data"]["image/png"])
        for o in _outputs(notebook)
        if "image/png" in o.get("data", {})
    ]


def _text(notebook) -> str:
    parts = []
    for output in _outputs(notebook):
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.append(data.get("text/plain", ""))
        parts.append(data.get("text/markdown", ""))
        parts.append(data.get("text/html", ""))
    return "\n".join(parts)


def _run(name: str, env: dict[str, str]):
    notebook = read_notebook(NOTEBOOK_DIR / f"{name}.py")
    before = sorted(p.name for p in NOTEBOOK_DIR.iterdir())
    execute_notebook(notebook, cwd=NOTEBOOK_DIR, env=env)
    assert sorted(p.name for p in NOTEBOOK_DIR.iterdir()) == before, "a notebook wrote files"
    assert not [o for o in _outputs(notebook) if o["output_type"] == "error"]
    return notebook


def _is_png(image: bytes) -> bool:
    return image.startswith(b"\x89PNG") and len(image) > 2000


# --- the notebooks --------------------------------------------------------------------------


def test_every_notebook_is_found_in_order():
    names = [p.stem for p in find_notebooks(NOTEBOOK_DIR)]
    assert names == [
        "01_synthetic_caseload",
        "02_needs_extraction",
        "03_risk_model",
        "04_fairness",
    ]


@pytest.mark.slow
def test_synthetic_caseload_notebook(notebook_env):
    notebook = _run("01_synthetic_caseload", notebook_env)
    text = _text(notebook)
    assert f"{SMALL_CASES} cases" in text
    for style in ("narrative", "hotline", "home_visit", "screening"):
        assert f"### {style}" in text
    assert "oracle AUC (recorded outcome)" in text
    assert "same true outcomes with and without the switches: True" in text
    assert len([i for i in _images(notebook) if _is_png(i)]) >= 2
    assert (Path(notebook_env["CASETRIAGE_NB_WORKDIR"]) / "synth" / "manifest.json").is_file()


@pytest.mark.slow
def test_needs_extraction_notebook(notebook_env):
    notebook = _run("02_needs_extraction", notebook_env)
    text = _text(notebook)
    assert "without ConText" in text
    assert "safety-need recall" in text
    assert "locked.jsonl" in text
    assert "Generalisation gap" in text
    assert "all (shipped)" in text
    for style in ("home_visit", "hotline", "narrative", "screening"):
        assert style in text
    assert len([i for i in _images(notebook) if _is_png(i)]) >= 3


@pytest.mark.slow
def test_risk_model_notebook(notebook_env):
    notebook = _run("03_risk_model", notebook_env)
    text = _text(notebook)
    assert "oracle (true probability)" in text
    assert "baseline" in text
    assert "near the tier-2 threshold" in text
    assert "observed_crisis_rate" in text
    images = [i for i in _images(notebook) if _is_png(i)]
    assert len(images) >= 3, "calibration curve, score histogram and tier sizes"


@pytest.mark.slow
def test_fairness_notebook(notebook_env):
    # three candidates are trained and gated: the smallest caseload that still has a holdout
    notebook_env |= {"CASETRIAGE_NB_CASES": "1000", "CASETRIAGE_NB_MITIGATION_ITER": "10"}
    notebook = _run("04_fairness", notebook_env)
    text = _text(notebook)
    for scenario in ("no bias", "label bias", "label bias + proxy"):
        assert scenario in text
    assert "exponentiated_gradient_equalized_odds" in text
    assert "threshold_optimizer_equalized_odds" in text
    assert "downgrades Black clients" in text
    assert "race_ethnicity × sex" in text
    # every candidate was gated in the notebook's own MLflow store, not the caller's
    assert (Path(notebook_env["CASETRIAGE_NB_WORKDIR"]) / "mlflow.db").is_file()
    assert not Path(notebook_env["CASETRIAGE_HOME"]).exists()
    assert len([i for i in _images(notebook) if _is_png(i)]) >= 2


# --- the renderer ---------------------------------------------------------------------------


def _write(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(source, encoding="utf-8")
    return path


def test_renderer_writes_notebook_and_html_with_outputs(tmp_path: Path):
    source = tmp_path / "src"
    _write(source, "01_ok.py", '# %% [markdown]\n# # Title\n\n# %%\nprint("hello", 6 * 7)\n')
    out = tmp_path / "out"
    assert main([str(source), str(out)]) == 0
    executed = nbformat.read(out / "01_ok.ipynb", as_version=4)
    assert "hello 42" in _text(executed)
    assert "hello 42" in (out / "01_ok.html").read_text(encoding="utf-8")


def test_renderer_reports_a_failing_cell_and_still_writes_its_output(tmp_path, capsys):
    source = tmp_path / "src"
    _write(source, "01_bad.py", '# %%\nprint("before")\n\n# %%\nraise ValueError("broken cell")\n')
    _write(source, "02_ok.py", '# %%\nprint("after")\n')
    out = tmp_path / "out"
    assert main([str(source), str(out)]) == 1
    captured = capsys.readouterr()
    assert "01_bad: FAILED" in captured.out
    assert "02_ok: ok" in captured.out
    assert "broken cell" in captured.err
    html = (out / "01_bad.html").read_text(encoding="utf-8")
    assert "before" in html
    assert "broken cell" in html


def test_execute_notebook_raises_naming_the_error(tmp_path: Path):
    path = _write(tmp_path, "01_bad.py", "# %%\n1 / 0\n")
    with pytest.raises(NotebookRunError, match="ZeroDivisionError"):
        execute_notebook(read_notebook(path), cwd=tmp_path)


def test_kernel_sees_the_given_environment(tmp_path: Path):
    path = _write(
        tmp_path, "01_env.py", "# %%\nimport os\nprint(os.environ['CASETRIAGE_NB_CASES'])\n"
    )
    runs = render_notebooks(tmp_path, tmp_path / "out", env={"CASETRIAGE_NB_CASES": "123"})
    assert [run.ok for run in runs] == [True]
    assert "123" in _text(nbformat.read(runs[0].ipynb, as_version=4))
    assert path.is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing-folder", "out"], "notebook folder not found"),
        (["EMPTY", "out"], "no NN_*.py notebooks"),
        (["NOTEBOOKS", "out", "--only", "99_nope"], "--only: no notebook"),
        (["NOTEBOOKS", "out", "--timeout", "0"], "--timeout"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(tmp_path, capsys, args, message):
    empty = tmp_path / "empty"
    empty.mkdir()
    replaced = [
        str(empty)
        if a == "EMPTY"
        else str(NOTEBOOK_DIR)
        if a == "NOTEBOOKS"
        else str(tmp_path / a)
        if a in {"missing-folder", "out"}
        else a
        for a in args
    ]
    assert main(replaced) == 2
    assert message in capsys.readouterr().err
