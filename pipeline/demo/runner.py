"""The demo: emulator, deployment, the runbook request through API Gateway, progress until
every shard is final, the DuckDB checks, and the ingress check — in one command."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from aws_adapters import S3Store
from pipeline.demo.http import post
from pipeline.demo.monitor import RunMonitor, ShardProgress
from pipeline.demo.render import dispatch_table, live_progress, metrics_table, outcomes_table
from pipeline.deploy import Deployment, deploy
from pipeline.deploy.observe import executions
from pipeline.emulator import Emulator, EmulatorNotRunning
from pipeline.emulator.cli import STOP_COMMAND, running_emulator, start_recorded
from pipeline.emulator.constants import EMULATOR_CLIENT_ENV
from pipeline.ops.shard_state import ShardState
from pipeline.paths import REPO_ROOT
from pipeline.results import ResultsSource
from pipeline.verify import verify_run
from pipeline.verify.cli import print_report
from sim.contract import parse_request_text
from sim.exceptions import SweepError

DEMO_REQUEST = REPO_ROOT / "tests" / "fixtures" / "requests" / "runbook.json"
BAD_BODY = b'{"run_id":"bad"}'
RUN_TIMEOUT_SECONDS = 600.0


class DemoFailed(SweepError):
    """A step of the demo did not show what it should."""


@dataclass(frozen=True)
class DemoResult:
    deployment: Deployment
    run_id: str
    checks_passed: bool
    ingress_rejected: bool

    def keep_line(self) -> dict[str, Any]:
        """What ``--keep`` prints last: how to reach what is still running."""
        return {
            "endpoint_url": self.deployment.endpoint_url,
            "api_url": self.deployment.api_url,
            "results_bucket": self.deployment.results_bucket,
            "results_prefix": self.deployment.results_prefix,
            "run_id": self.run_id,
            "parent_function": self.deployment.parent_function,
            "child_function": self.deployment.child_function,
            "stop": STOP_COMMAND,
        }


def _emulator(keep: bool) -> Emulator:
    """A fresh emulator; with ``--keep``, detached (or the one already recorded as running)."""
    if not keep:
        return Emulator().start()
    try:
        return running_emulator()
    except EmulatorNotRunning:
        return start_recorded(Emulator())


def run_demo(console: Console, *, keep: bool, request_path: Path = DEMO_REQUEST) -> DemoResult:
    body = request_path.read_bytes()
    request = parse_request_text(body)
    for name, value in EMULATOR_CLIENT_ENV.items():
        os.environ.setdefault(name, value)
    console.rule("[bold]1. emulator and deployment")
    emulator = _emulator(keep)
    try:
        console.print(f"MiniStack at {emulator.endpoint_url} (log: {emulator.log_path})")
        with console.status("building zip packages and deploying ..."):
            deployment = deploy(emulator.endpoint_url)
        console.print(f"deployed {deployment.parent_function}, {deployment.child_function}; POST {deployment.api_url}")
        console.rule(f"[bold]2. POST {request_path.name}")
        answer = post(deployment.api_url, body)
        if answer.status != 202:
            raise DemoFailed(f"the API answered {answer.status}: {answer.body[:500]!r}")
        console.print(dispatch_table(answer.json()))
        console.rule("[bold]3. shards")
        store = S3Store(deployment.results_bucket, deployment.client("s3"))
        monitor = RunMonitor(store, request.run_id, request.shard_count, deployment.results_prefix)
        with live_progress(console, request.shard_count) as update:
            progress = monitor.wait(RUN_TIMEOUT_SECONDS, on_update=update)
        source = ResultsSource(deployment.results_location, deployment.endpoint_url, deployment.results_prefix)
        console.print(outcomes_table(source.read("shard_outcomes", request.run_id), progress))
        console.print(metrics_table(source.read("shard_metrics", request.run_id)))
        console.rule("[bold]4. DuckDB checks on the S3 outputs")
        report = verify_run(source, request.run_id)
        print_report(report, console)
        console.rule("[bold]5. ingress validation")
        rejected = _ingress_check(console, deployment)
        _summary(console, progress)
        return DemoResult(deployment, request.run_id, report.ok, rejected)
    finally:
        if not keep:
            emulator.stop()


def _ingress_check(console: Console, deployment: Deployment) -> bool:
    logs = deployment.client("logs")
    before = executions(logs, deployment.parent_function)
    answer = post(deployment.api_url, BAD_BODY)
    ran = executions(logs, deployment.parent_function) - before
    console.print(f"POST {BAD_BODY.decode()} -> {answer.status} {answer.body.decode()}")
    console.print(f"the parent ran {ran} times: API Gateway's body validator answered on its own")
    console.print(
        "[dim](on AWS the error is the validator's message; MiniStack leaves "
        "$context.error.validationErrorString unrendered)[/]"
    )
    return answer.status == 400 and ran == 0


def _summary(console: Console, progress: list[ShardProgress]) -> None:
    succeeded = sum(p.status == ShardState.SUCCEEDED for p in progress)
    console.print(f"{succeeded}/{len(progress)} shards succeeded; every shard has a final outcome")
