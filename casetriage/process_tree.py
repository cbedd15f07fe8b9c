"""Stopping a server started in its own session, with everything it spawned.

BentoML runs its workers under an arbiter; a SIGKILLed arbiter orphans them instead of
stopping them, so the workers are collected before the signal and reaped after it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess

__all__ = ["stop_process_tree"]


def stop_process_tree(process: subprocess.Popen, *, sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` to ``process``'s process group, wait, then kill any descendant left."""
    import psutil

    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    _, alive = psutil.wait_procs(descendants, timeout=30)
    for leftover in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()
    psutil.wait_procs(alive, timeout=10)
