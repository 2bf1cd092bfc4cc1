"""setuptools hook: a built wheel carries the repository's athena/ SQL and plans.

``pipeline/athena/sql`` is a symlink to ``athena/`` in the checkout (setuptools does not follow
it), so the build copies those files there as package data."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ATHENA_SUFFIXES = (".sql", ".plan")


class BuildWithAthenaSql(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "pipeline" / "athena" / "sql"
        if target.is_symlink():
            target.unlink()
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted((Path(__file__).parent / "athena").iterdir()):
            if path.suffix in ATHENA_SUFFIXES:
                shutil.copyfile(path, target / path.name)


setup(cmdclass={"build_py": BuildWithAthenaSql})
