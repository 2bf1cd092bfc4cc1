"""``run --local``: the whole sweep in-process, through the same code as the Lambdas."""

from __future__ import annotations

import os
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.kernel import local_kernel_module
from pipeline.local.invoker import ProcessPoolInvoker, ShardResult
from pipeline.version import code_version
from sim.contract import SweepRequest
from sim.datasets import layout
from sim.runs import RunSummary, submit_run
from sim.store import DirectoryStore


@dataclass(frozen=True)
class LocalRun:
    """A finished local sweep: the parent's summary and how each shard ended."""

    summary: RunSummary
    shards: list[ShardResult]

    @property
    def succeeded(self) -> int:
        return sum(s.status == "succeeded" for s in self.shards)


def run_local(request: SweepRequest, out_dir: Path, workers: int | None = None, progress: bool = False) -> LocalRun:
    """Run every shard of the request in a process pool, writing the S3 layout under ``out_dir``.

    The workers run the market kernel compiled for this interpreter (built on the first run),
    so none of them imports numba."""
    workers = workers or os.cpu_count() or 1
    store = DirectoryStore(out_dir)
    location = str(Path(out_dir) / layout.outcomes_prefix())
    invoker = ProcessPoolInvoker(
        str(out_dir), code_version(), workers=min(workers, request.shard_count), kernel_module=local_kernel_module()
    )
    try:
        summary = submit_run(request, store, invoker, code_version=invoker.code_version, results_location=location)
        shards = _wait(invoker, progress)
    finally:
        invoker.shutdown()
    return LocalRun(summary, sorted(shards, key=lambda s: s.shard_id))


def _wait(invoker: ProcessPoolInvoker, progress: bool) -> list[ShardResult]:
    columns = (
        TextColumn("shards"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
    )
    with Progress(*columns, TimeElapsedColumn(), disable=not progress, transient=True) as bar:
        task = bar.add_task("shards", total=len(invoker.futures), failed=0)
        results = []
        for future in as_completed(invoker.futures):
            results.append(future.result())
            failed = sum(r.status == "failed" for r in results)
            bar.update(task, advance=1, failed=failed)
    return results
