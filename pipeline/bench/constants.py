"""Names and pins of the benchmark, each given once."""

from __future__ import annotations

from pathlib import Path

from pipeline.paths import CACHE_DIR

# ridehail (the reference simulator) needs Python >= 3.12 and pins its own numpy:
# it gets its own venv, rebuilt when the lock file changes.
RIDEHAIL_LOCK = Path(__file__).with_name("ridehail.lock")
RIDEHAIL_VENV = CACHE_DIR / "ridehail-venv"
RIDEHAIL_RUNNER = Path(__file__).with_name("ridehail_runner.py")
RIDEHAIL_PYTHON_VERSION = (3, 12)
# An explicit interpreter for that venv; else python3.12 on PATH, else pyenv's.
RIDEHAIL_PYTHON_ENV = "SWEEP_RIDEHAIL_PYTHON"
PYENV_VERSIONS = Path.home() / ".pyenv" / "versions"
