"""The runs a results location holds, read from their manifests.

``read_run_manifest`` is the one place this package reads a manifest: ``sim.manifest``'s
typed manifest (through ``pipeline.ops.snapshot``), in its JSON form."""

from __future__ import annotations

from typing import Any

from pipeline.ops.snapshot import read_manifest
from pipeline.results import ResultsSource
from sim.datasets import layout

MANIFEST_NAME = "manifest.json"


def read_run_manifest(source: ResultsSource, run_id: str) -> dict[str, Any]:
    """The run's manifest; RunNotFound names the run and the location when there is none."""
    return read_manifest(source, run_id).to_json()


def list_run_ids(source: ResultsSource) -> list[str]:
    """Every run with a manifest under ``<prefix>/runs/`` (the S3 store lists page by page)."""
    runs_prefix = layout.manifest_key("", source.prefix).split("run_id=", 1)[0]
    ids = []
    for key in source.store().list(runs_prefix):
        folder, _, name = key.removeprefix(runs_prefix).partition("/")
        if name == MANIFEST_NAME and folder.startswith("run_id="):
            ids.append(folder.removeprefix("run_id="))
    return ids
