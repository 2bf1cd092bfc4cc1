"""The command line: one subcommand per module, each registering itself.

A command module exposes ``register(subparsers)``, which adds its parsers and
sets ``handler`` (a function taking the parsed arguments and returning the exit
code). Adding a command is one line in ``COMMANDS``. Only the module of the
command being run is imported, so a command starts without loading the others'
dependencies (sqlglot, plotly, boto3…); ``--help`` loads them all."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from sim.exceptions import SweepError

CONSOLE_SCRIPT = "sweep"
"""The installed name of this command line (``[project.scripts]``)."""
COMMANDS = {
    "run": "pipeline.local.cli",
    "verify": "pipeline.verify.cli",
    "athena": "pipeline.athena.cli",
    "ci": "pipeline.ci.cli",
    "images": "pipeline.images.cli",
    "infra": "pipeline.infra.cli",
    "release": "pipeline.release.cli",
    "rollback": "pipeline.release.cli",
    "emulator": "pipeline.emulator.cli",
    "deploy": "pipeline.deploy.cli",
    "demo": "pipeline.demo.cli",
    "status": "pipeline.ops.cli",
    "redrive": "pipeline.ops.cli",
    "report": "pipeline.ops.cli",
    "bench": "pipeline.bench.cli",
    "summary": "pipeline.summary.cli",
    "submit": "pipeline.client.cli",
    "runs": "pipeline.client.cli",
    "results": "pipeline.client.cli",
    "sql": "pipeline.client.cli",
    "lock": "pipeline.envs.cli",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with ``command``'s module registered, or every module when None."""
    prog = CONSOLE_SCRIPT if Path(sys.argv[0]).name == CONSOLE_SCRIPT else "python -m pipeline"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for module_name in modules:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else None
    args = build_parser(command).parse_args(argv)
    try:
        return int(args.handler(args))
    except SweepError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
