"""``python -m pipeline images bench``: build times, image sizes, push time, and invoke latency of
the child image on the emulator (a benchmark script, not a test: figures vary with the machine).

Cold invocations go to fresh copies of the child function (each starts a new container);
warm ones repeat on one of them. Two payloads: a malformed one (the handler rejects it at
once: container, runtime and emulator overhead only) and a one-point shard (simulation and S3
writes included)."""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from pipeline.docker import ensure_daemon
from pipeline.images.build import ImageBuild, build_images
from pipeline.images.emulated import ImageStack
from pipeline.images.engines import HostEngine

COLD_SAMPLES = 3
# The emulator accepts any credentials; these keep boto3 from searching for real ones.
EMULATOR_CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
REJECTED = {"run_id": "bad", "shard_id": 0}


def one_point_shard(run_id: str) -> dict[str, Any]:
    return {"run_id": run_id, "dimensions": {"num_drivers": [20]}, "shard_count": 1, "seed": 1, "shard_id": 0}


@dataclass
class BenchReport:
    uncached_build_s: dict[str, float] = field(default_factory=dict)
    cached_build_s: dict[str, float] = field(default_factory=dict)
    size_mb: dict[str, float] = field(default_factory=dict)
    compressed_mb: dict[str, float] = field(default_factory=dict)
    push_and_deploy_s: float = 0.0
    latency_ms: dict[str, list[float]] = field(default_factory=dict)


def _compressed_mb(ecr: Any, repository: str, digest: str) -> float:
    image = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageDigest": digest}])["images"][0]
    manifest = json.loads(image["imageManifest"])
    return (manifest["config"]["size"] + sum(layer["size"] for layer in manifest["layers"])) / 1e6


def _timed_invoke(functions: Any, name: str, payload: dict[str, Any]) -> float:
    started = time.perf_counter()
    functions.invoke(FunctionName=name, Payload=json.dumps(payload).encode())["Payload"].read()
    return (time.perf_counter() - started) * 1000


def _fresh_copy(functions: Any, source: str, name: str) -> None:
    """A new function with the child's image and configuration: its first invoke is cold."""
    config = functions.get_function_configuration(FunctionName=source)
    image_uri = functions.get_function(FunctionName=source)["Code"]["ImageUri"]
    functions.create_function(
        FunctionName=name,
        PackageType="Image",
        Code={"ImageUri": image_uri},
        Role=config["Role"],
        MemorySize=config["MemorySize"],
        Timeout=config["Timeout"],
        Environment={"Variables": config["Environment"]["Variables"]},
    )
    functions.get_waiter("function_active_v2").wait(FunctionName=name)


def measure_latency(stack: ImageStack, warm_invokes: int) -> dict[str, list[float]]:
    assert stack.deployment is not None
    functions = stack.deployment.client("lambda")
    child = stack.deployment.child_function
    latency: dict[str, list[float]] = {"cold, rejected payload": [], "cold, one-point shard": []}
    for index in range(COLD_SAMPLES):
        for label, payload in (("rejected payload", REJECTED), ("one-point shard", one_point_shard(f"bench-c{index}"))):
            name = f"{child}-bench-{label.split()[0]}-{index}"
            _fresh_copy(functions, child, name)
            latency[f"cold, {label}"].append(_timed_invoke(functions, name, payload))
    warm = f"{child}-bench-one-point-0"
    latency["warm, rejected payload"] = [_timed_invoke(functions, warm, REJECTED) for _ in range(warm_invokes)]
    latency["warm, one-point shard"] = [
        _timed_invoke(functions, warm, one_point_shard(f"bench-w{i}")) for i in range(warm_invokes)
    ]
    return latency


def run_benchmark(*, warm_invokes: int = 10, uncached: bool = True) -> BenchReport:
    os.environ.update({k: v for k, v in EMULATOR_CLIENT_ENV.items() if k not in os.environ})
    daemon = ensure_daemon()
    report = BenchReport()
    if uncached:
        clean = build_images(HostEngine(daemon, no_cache=True), base="local")
        report.uncached_build_s = dict(clean.seconds)
    build: ImageBuild = build_images(HostEngine(daemon), base="local")
    report.cached_build_s = dict(build.seconds)
    report.size_mb = {name: (image.size_bytes or 0) / 1e6 for name, image in build.images.items()}
    started = time.perf_counter()
    with ImageStack(build, daemon=daemon) as stack:
        report.push_and_deploy_s = time.perf_counter() - started
        assert stack.deployment is not None
        ecr = stack.deployment.client("ecr")
        for name, pushed in stack.pushed.items():
            assert pushed.digest is not None
            report.compressed_mb[name] = _compressed_mb(ecr, build.definitions[name].repository, pushed.digest)
        report.latency_ms = measure_latency(stack, warm_invokes)
    return report


def print_report(report: BenchReport) -> None:
    console = Console()
    images = Table(title="images (local base, host engine)")
    for column in ("image", "size MB", "pushed (gzip) MB", "build uncached s", "build cached s"):
        images.add_column(column)
    for name, size in report.size_mb.items():
        uncached = report.uncached_build_s.get(name)
        images.add_row(
            name,
            f"{size:.0f}",
            f"{report.compressed_mb.get(name, 0):.0f}",
            f"{uncached:.1f}" if uncached is not None else "-",
            f"{report.cached_build_s[name]:.1f}",
        )
    console.print(images)
    console.print(f"push both images to the emulator's ECR and deploy: {report.push_and_deploy_s:.1f} s")
    latency = Table(title="child image invoke latency on the emulator (client side, ms)")
    for column in ("invocation", "n", "median", "min", "max"):
        latency.add_column(column)
    for label, samples in report.latency_ms.items():
        latency.add_row(
            label,
            str(len(samples)),
            f"{statistics.median(samples):.0f}",
            f"{min(samples):.0f}",
            f"{max(samples):.0f}",
        )
    console.print(latency)
