"""Pool workers that end when the process that started them ends, however it ends.

A worker killed with its parent is what Lambda would do to an abandoned child; a
worker left running is a simulation nobody reads, holding memory until killed by
hand. Two mechanisms, because neither covers every case alone:

- Linux's parent-death signal (``prctl(PR_SET_PDEATHSIG, SIGKILL)``): the kernel kills
  the worker the moment its parent goes, even while the worker holds the GIL in a long
  native call. It fires when the *thread* that spawned the worker ends, so the pool's
  workers must be spawned from a thread that lives as long as the pool
  (``ProcessPoolInvoker`` starts them all from its constructor's thread).
- A watchdog thread comparing ``os.getppid()`` with the parent's pid every
  ``WATCH_INTERVAL_SECONDS``: portable, and a fallback where prctl is unavailable.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

__all__ = ["WATCH_INTERVAL_SECONDS", "bind_to_parent", "set_parent_death_signal"]

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL_SECONDS = 0.5
ORPHAN_EXIT_CODE = 70


def set_parent_death_signal(signum: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent thread ends; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0


def _watch(parent_pid: int, interval: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(interval)
    os._exit(ORPHAN_EXIT_CODE)


def bind_to_parent(parent_pid: int, interval: float = WATCH_INTERVAL_SECONDS) -> None:
    """End this process when ``parent_pid`` ends: the death signal, then a watchdog thread.

    Called first thing in a worker; if the parent already died, the worker exits at once."""
    set_parent_death_signal()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(ORPHAN_EXIT_CODE)
    threading.Thread(target=_watch, args=(parent_pid, interval), name="parent-watchdog", daemon=True).start()
