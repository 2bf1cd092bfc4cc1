"""``python -m pipeline images build|push|smoke|reproducible|bench|daemon``."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from rich.console import Console
from rich.table import Table

from aws_adapters import client
from pipeline.docker import ensure_daemon, ensure_network, stop_daemon
from pipeline.docker.exceptions import DockerUnavailable
from pipeline.images.build import BASE_CHOICES, ImageBuild, build_images, check_reproducible, push_images, smoke_images
from pipeline.images.constants import IMAGE_NAMES
from pipeline.images.engines import ENGINE_NAMES, ImageRef
from pipeline.images.publish import Registry

console = Console()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("images", help="build, push and smoke-test the Lambda container images")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    def with_build_options(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--engine", choices=ENGINE_NAMES, default="auto", help="build engine (default: auto)")
        sub.add_argument("--base", choices=BASE_CHOICES, default="auto", help="base image (default: auto)")
        sub.add_argument("--image", choices=IMAGE_NAMES, action="append", help="only this image (repeatable)")
        sub.add_argument("--no-cache", action="store_true", help="build from a clean cache")
        sub.add_argument("--source-date-epoch", type=int, default=None, help="default: the last commit's time")
        sub.add_argument("--json", action="store_true", help="print the result as JSON")
        return sub

    with_build_options(actions.add_parser("build", help="build the images")).set_defaults(handler=_build)
    push = with_build_options(actions.add_parser("push", help="build, then push to ECR (AWS or the emulator)"))
    push.add_argument("--endpoint-url", help="an emulator's endpoint (its registry is on the same port)")
    push.add_argument("--region", default=None, help="AWS region of the ECR registry")
    push.add_argument("--tag", default=None, help="image tag (default: sha-<image id>)")
    push.set_defaults(handler=_push)
    smoke = with_build_options(actions.add_parser("smoke", help="build, then invoke each image once directly"))
    smoke.set_defaults(handler=_smoke, engine="host")
    reproducible = actions.add_parser("reproducible", help="build twice from clean caches, compare image IDs")
    reproducible.add_argument("--base", choices=BASE_CHOICES, default="auto")
    reproducible.set_defaults(handler=_reproducible)
    bench = actions.add_parser("bench", help="measure build times, sizes and invoke latency on the emulator")
    bench.add_argument("--warm-invokes", type=int, default=10, help="warm invocations to time (default 10)")
    bench.add_argument("--skip-uncached", action="store_true", help="skip the clean-cache builds")
    bench.set_defaults(handler=_bench)
    daemon = actions.add_parser("daemon", help="the pipeline's own Docker daemon and function network")
    daemon.add_argument("operation", choices=("start", "stop", "status"))
    daemon.set_defaults(handler=_daemon)


def _build_from(args: argparse.Namespace) -> ImageBuild:
    return build_images(
        args.engine,
        base=args.base,
        names=args.image or IMAGE_NAMES,
        no_cache=args.no_cache,
        epoch=args.source_date_epoch,
    )


def _image_rows(images: dict[str, ImageRef], seconds: dict[str, float] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "image": name,
            "reference": image.reference,
            "image_id": image.image_id,
            "digest": image.digest,
            "size_mb": round(image.size_bytes / 1e6, 1) if image.size_bytes else None,
            "seconds": round(seconds[name], 1) if seconds and name in seconds else None,
        }
        for name, image in images.items()
    ]


def _print_rows(title: str, rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title=title)
    columns = [c for c in rows[0] if any(r[c] is not None for r in rows)] if rows else []
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    console.print(table)


def _build(args: argparse.Namespace) -> int:
    build = _build_from(args)
    _print_rows(f"images built ({build.engine.name} engine)", _image_rows(build.images, build.seconds), args.json)
    return 0


def _push(args: argparse.Namespace) -> int:
    build = _build_from(args)
    ecr = client("ecr", endpoint_url=args.endpoint_url, region_name=args.region)
    registry = Registry.of_endpoint(args.endpoint_url, ecr) if args.endpoint_url else Registry.of_aws(ecr)
    pushed = push_images(build, registry, tag=args.tag)
    _print_rows(f"images pushed to {registry.host}", _image_rows(pushed), args.json)
    return 0


def _smoke(args: argparse.Namespace) -> int:
    build = _build_from(args)
    results = smoke_images(build)
    rows = [
        {"image": name, "status": r.status, "answer": json.dumps(r.payload)[:80], "seconds": round(r.seconds, 2)}
        for name, r in results.items()
    ]
    _print_rows("smoke invocations (entrypoint contract, port 8080)", rows, args.json)
    return 0


def _reproducible(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    first, second = check_reproducible(base=args.base)
    rows = [
        {"image": name, "first": first.images[name].image_id, "second": second.images[name].image_id}
        for name in first.images
    ]
    _print_rows(f"identical image IDs from two clean builds ({time.perf_counter() - started:.0f} s)", rows, False)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from pipeline.images.bench import print_report, run_benchmark

    print_report(run_benchmark(warm_invokes=args.warm_invokes, uncached=not args.skip_uncached))
    return 0


def _daemon(args: argparse.Namespace) -> int:
    if args.operation == "stop":
        print("stopped the pipeline's dockerd" if stop_daemon() else "the pipeline's dockerd was not running")
        return 0
    try:
        daemon = ensure_daemon(start=args.operation == "start")
    except DockerUnavailable as error:
        print(f"no Docker daemon: {error}")
        return 1
    network = ensure_network(daemon.cli)
    state = {"DOCKER_HOST": daemon.host, "pid": daemon.pid, "network": network.name, "gateway": network.gateway}
    print(json.dumps(state))
    return 0
