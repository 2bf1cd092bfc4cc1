"""How the operations code reads a run manifest: one function to read it, one to list its dispatches.

Everything under ``pipeline`` that needs a manifest (status, redrive's plan, report,
the demo monitor, the release smoke) reads it through ``manifest_of``: ``sim.manifest``'s
typed manifest in its JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sim.datasets import layout
from sim.manifest import read_manifest
from sim.store import ObjectStore

__all__ = ["Dispatch", "dispatch_history", "manifest_of"]


@dataclass(frozen=True)
class Dispatch:
    """One dispatch record of a shard: its status, and when it was recorded."""

    status: str
    at: datetime


def manifest_of(store: ObjectStore, run_id: str, prefix: str = layout.DEFAULT_PREFIX) -> dict[str, Any] | None:
    """The run's manifest, or None when the run has none (yet)."""
    manifest = read_manifest(store, run_id, prefix)
    return None if manifest is None else manifest.to_json()


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def dispatch_history(manifest: Mapping[str, Any]) -> dict[int, list[Dispatch]]:
    """Every planned shard's dispatch records in order: the parent's (at the run's creation),
    then each redrive's that included the shard (at the redrive)."""
    created = _when(manifest["created_at"])
    history: dict[int, list[Dispatch]] = {
        record["shard_id"]: [Dispatch(record["status"], created)] for record in manifest["dispatches"]
    }
    for redrive in manifest.get("redrives", []):
        at = _when(redrive["at"])
        for record in redrive["dispatches"]:
            history.setdefault(record["shard_id"], []).append(Dispatch(record["status"], at))
    return history
