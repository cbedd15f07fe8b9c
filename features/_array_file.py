"""The file format of the trained parts: a compressed NumPy ``.npz`` of arrays plus a JSON
header, read with ``allow_pickle=False`` so that loading a model runs no code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["read_arrays", "write_arrays"]


def write_arrays(path: str | Path, header: dict[str, Any], **arrays: np.ndarray) -> None:
    with open(path, "wb") as out:
        np.savez_compressed(out, header=np.array(json.dumps(header, sort_keys=True)), **arrays)


def read_arrays(file: Path, what: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """``(header, arrays)`` of a file; a missing or wrong one is a ``ResourceError`` that
    names the file and ``what`` it should have been."""
    from features._resources import ResourceError

    try:
        with np.load(file, allow_pickle=False) as content:
            arrays = {name: content[name] for name in content.files}
        header = json.loads(str(arrays.pop("header")))
    except OSError as exc:
        raise ResourceError(f"{file}: cannot read the {what} ({exc})") from exc
    except (KeyError, ValueError) as exc:
        raise ResourceError(f"{file}: not a {what} file ({exc})") from exc
    return header, arrays
