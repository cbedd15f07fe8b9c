"""Run the jupytext notebooks and render them to HTML with their outputs (``make notebooks``).

The notebooks live as percent-format ``.py`` files (reviewable diffs, ruff-checked). This
module converts each one with jupytext, executes it with nbclient in the current
interpreter's ``python3`` kernel and writes ``NAME.ipynb`` (with outputs) and ``NAME.html``
into the output folder. Nothing is registered globally: jupyter_client starts the kernel
with this interpreter (a kernel spec whose command is ``python`` runs ``sys.executable``).

Usage::

    python -m casetriage.notebooks_render notebooks notebooks/_build [--only 03_risk_model]

Exit codes: 0 every notebook ran, 1 a cell failed (its partial output is still written,
so the error can be read in the HTML), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "KERNEL_NAME",
    "NotebookRun",
    "NotebookRunError",
    "execute_notebook",
    "find_notebooks",
    "main",
    "read_notebook",
    "render_notebooks",
]

KERNEL_NAME = "python3"
DEFAULT_TIMEOUT_S = 1800
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class NotebookRunError(RuntimeError):
    """A notebook could not be read or one of its cells raised; the message says which."""


@dataclass(frozen=True, kw_only=True)
class NotebookRun:
    """The outcome of running one notebook."""

    name: str
    ok: bool
    seconds: float
    ipynb: Path | None
    html: Path | None
    error: str = ""


def find_notebooks(source_dir: str | Path, *, only: Sequence[str] = ()) -> list[Path]:
    """The percent-format notebooks (``NN_name.py``) of ``source_dir``, in order.

    ``only`` keeps the notebooks whose stem (``03_risk_model``) or file name is listed.
    """
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise NotebookRunError(f"notebook folder not found: {source_dir}")
    found = sorted(p for p in source_dir.glob("[0-9][0-9]_*.py") if p.is_file())
    if only:
        wanted = set(only)
        unknown = wanted - {p.stem for p in found} - {p.name for p in found}
        if unknown:
            names = ", ".join(p.stem for p in found) or "none"
            raise NotebookRunError(f"--only: no notebook {sorted(unknown)}; found: {names}")
        found = [p for p in found if p.stem in wanted or p.name in wanted]
    if not found:
        raise NotebookRunError(f"no NN_*.py notebooks in {source_dir}")
    return found


def read_notebook(path: str | Path):
    """A jupytext percent-format ``.py`` file as an ``nbformat`` notebook (no outputs yet)."""
    import jupytext

    path = Path(path)
    try:
        notebook = jupytext.read(path, fmt="py:percent")
    except (OSError, UnicodeDecodeError) as error:
        raise NotebookRunError(f"{path}: cannot read the notebook ({error})") from None
    notebook.metadata["kernelspec"] = {
        "name": KERNEL_NAME,
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    return notebook


def _check_kernel() -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        raise NotebookRunError(
            f"no '{KERNEL_NAME}' Jupyter kernel for {sys.executable}; install ipykernel "
            "into this environment (it is a dev dependency)"
        ) from None


def execute_notebook(
    notebook,
    *,
    cwd: str | Path,
    timeout: int = DEFAULT_TIMEOUT_S,
    env: Mapping[str, str] | None = None,
):
    """Execute every cell in place, in a fresh kernel started in ``cwd``.

    ``env`` is added to this process's environment for the kernel only (e.g. a small
    ``CASETRIAGE_NB_CASES`` and a temporary ``MLFLOW_TRACKING_URI`` in tests).

    Raises
    ------
    NotebookRunError
        When a cell raises; the executed notebook up to that cell is on ``error.notebook``.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    _check_kernel()
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        resources={"metadata": {"path": str(cwd)}},
    )
    kernel_env = {**os.environ, **(env or {})}
    # the kernel must draw inline, whatever backend the calling shell chose
    kernel_env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        client.execute(env=kernel_env)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        failure = NotebookRunError(_first_lines(str(error)))
        failure.notebook = notebook
        raise failure from None
    return notebook


def _first_lines(text: str, limit: int = 40) -> str:
    """The end of a cell error (where the exception is), without terminal colour codes."""
    lines = _ANSI_ESCAPE.sub("", text).strip().splitlines()
    return "\n".join(lines[-limit:])


def _write_outputs(notebook, name: str, out_dir: Path) -> tuple[Path, Path]:
    import nbformat
    from nbconvert import HTMLExporter

    ipynb = out_dir / f"{name}.ipynb"
    html = out_dir / f"{name}.html"
    nbformat.write(notebook, ipynb)
    body, _ = HTMLExporter().from_notebook_node(notebook)
    html.write_text(body, encoding="utf-8")
    return ipynb, html


def render_notebooks(
    source_dir: str | Path,
    out_dir: str | Path,
    *,
    only: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: int = DEFAULT_TIMEOUT_S,
    on_done=None,
) -> list[NotebookRun]:
    """Execute each notebook of ``source_dir`` and write its ``.ipynb`` and ``.html``.

    Each notebook runs in its own kernel with ``source_dir`` as working directory, so
    relative paths in it mean the same as when a person opens it there. A failing
    notebook does not stop the others; its partial output is written.
    """
    source_dir = Path(source_dir).resolve()
    out_dir = Path(out_dir)
    paths = find_notebooks(source_dir, only=only)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    for path in paths:
        notebook = read_notebook(path)
        started = time.perf_counter()
        error = ""
        try:
            execute_notebook(notebook, cwd=source_dir, timeout=timeout, env=env)
        except NotebookRunError as failure:
            error = str(failure)
            notebook = getattr(failure, "notebook", notebook)
        seconds = time.perf_counter() - started
        ipynb, html = _write_outputs(notebook, path.stem, out_dir)
        run = NotebookRun(
            name=path.stem, ok=not error, seconds=seconds, ipynb=ipynb, html=html, error=error
        )
        runs.append(run)
        if on_done is not None:
            on_done(run)
    return runs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m casetriage.notebooks_render",
        description="Execute the jupytext notebooks and render them to HTML with outputs.",
    )
    parser.add_argument("source_dir", help="folder of NN_name.py percent-format notebooks")
    parser.add_argument("out_dir", help="where NAME.ipynb and NAME.html are written")
    parser.add_argument(
        "--only", action="append", default=[], help="run only this notebook (repeatable)"
    )
    parser.add_argument(
        "--timeout", type=int, default=DEFAULT_TIMEOUT_S, help="seconds allowed per cell"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.timeout < 1:
        print("error: --timeout must be at least 1 second", file=sys.stderr)
        return 2

    def report(run: NotebookRun) -> None:
        status = "ok" if run.ok else "FAILED"
        print(f"{run.name}: {status} in {run.seconds:.1f} s -> {run.html}", flush=True)
        if not run.ok:
            print(run.error, file=sys.stderr, flush=True)

    try:
        runs = render_notebooks(
            args.source_dir, args.out_dir, only=args.only, timeout=args.timeout, on_done=report
        )
    except NotebookRunError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0 if all(run.ok for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
