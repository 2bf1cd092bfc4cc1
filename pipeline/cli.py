"""The command line: one subcommand per module, each registering itself.

A command module exposes ``register(subparsers)``, which adds its parser and
sets ``handler`` (a function taking the parsed arguments and returning the exit
code). Adding a command is one line in ``COMMAND_MODULES``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sim.exceptions import SweepError

COMMAND_MODULES = (
    "pipeline.local.cli",
    "pipeline.verify.cli",
    "pipeline.athena.cli",
    "pipeline.ci.cli",
    "pipeline.images.cli",
    "pipeline.infra.cli",
    "pipeline.emulator.cli",
    "pipeline.deploy.cli",
    "pipeline.demo.cli",
    "pipeline.ops.cli",
    "pipeline.bench.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except SweepError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
