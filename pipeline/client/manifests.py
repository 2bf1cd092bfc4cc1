"""The runs a results location holds, read from their manifests.

``read_run_manifest`` is the one place this package reads a manifest, so that the
typed manifest module (``sim.manifest``) replaces a single call."""

from __future__ import annotations

from typing import Any

from pipeline.results import ResultsSource
from pipeline.verify import RunNotFound
from sim.datasets import layout
from sim.runs import load_manifest

MANIFEST_NAME = "manifest.json"


def read_run_manifest(source: ResultsSource, run_id: str) -> dict[str, Any]:
    """The run's manifest; RunNotFound names the run and the location when there is none."""
    manifest = load_manifest(source.store(), run_id, source.prefix)
    if manifest is None:
        raise RunNotFound(f"run_id: no manifest for {run_id!r} in {source.location}")
    return manifest


def list_run_ids(source: ResultsSource) -> list[str]:
    """Every run with a manifest under ``<prefix>/runs/`` (the S3 store lists page by page)."""
    runs_prefix = layout.manifest_key("", source.prefix).split("run_id=", 1)[0]
    ids = []
    for key in source.store().list(runs_prefix):
        folder, _, name = key.removeprefix(runs_prefix).partition("/")
        if name == MANIFEST_NAME and folder.startswith("run_id="):
            ids.append(folder.removeprefix("run_id="))
    return ids
