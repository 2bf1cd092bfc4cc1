"""One read of a run: its manifest, its shard outcomes and (for cost) its objects' sizes.

Every command starts here, so status, redrive and report see a run the same way
whether it lives in a local directory, on the emulator or in AWS."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow.fs as pafs

from pipeline.results import ResultsSource, RunNotFound
from sim.datasets.schemas import SCHEMAS
from sim.manifest import RunManifest
from sim.manifest import read_manifest as read_run_manifest


@dataclass(frozen=True)
class RunSnapshot:
    """What the source held for a run when it was read."""

    run_id: str
    manifest: dict[str, Any]
    """The manifest's JSON form, as ``sim.manifest`` read and checked it."""
    outcomes: list[dict[str, Any]]
    object_sizes: dict[str, int] = field(default_factory=dict)


def read_manifest(source: ResultsSource, run_id: str) -> RunManifest:
    manifest = read_run_manifest(source.store(), run_id, source.prefix)
    if manifest is None:
        raise RunNotFound(f"run_id: no manifest for {run_id!r} in {source.location}")
    return manifest


def read_outcomes(source: ResultsSource, run_id: str) -> list[dict[str, Any]]:
    """Every recorded attempt of the run, one dict per shard_outcomes row."""
    return source.read("shard_outcomes", run_id).to_pylist()


def object_sizes(source: ResultsSource, run_id: str) -> dict[str, int]:
    """Bytes per object under the run's partitions of the four datasets."""
    fs = source.filesystem()
    sizes: dict[str, int] = {}
    for name in SCHEMAS:
        selector = pafs.FileSelector(
            f"{source.dataset_path(name)}/run_id={run_id}", recursive=True, allow_not_found=True
        )
        sizes.update({info.path: info.size for info in fs.get_file_info(selector) if info.is_file})
    return sizes


def read_snapshot(source: ResultsSource, run_id: str, *, sizes: bool = False) -> RunSnapshot:
    manifest = read_manifest(source, run_id).to_json()
    return RunSnapshot(run_id, manifest, read_outcomes(source, run_id), object_sizes(source, run_id) if sizes else {})
