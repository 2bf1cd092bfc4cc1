"""``python -m pipeline emulator start|stop|status``: a detached MiniStack for manual work.

``start`` prints one JSON object (endpoint, pid, log) and leaves the emulator running; its
state file lets ``stop``, ``status``, ``deploy`` and the demo find it again."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.emulator.constants import DEFAULT_BIND_HOST, STATE_DIR
from pipeline.emulator.exceptions import EmulatorNotRunning
from pipeline.emulator.process import Emulator, EmulatorInfo

STATE_FILE = STATE_DIR / "emulator.json"
START_COMMAND = "python -m pipeline emulator start"
STOP_COMMAND = "python -m pipeline emulator stop"
EXIT_NOT_RUNNING = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("emulator", help="start, stop or inspect the local AWS emulator (MiniStack)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = actions.add_parser("start", help="start MiniStack detached; print its endpoint as JSON")
    start.add_argument("--port", type=int, default=None, help="gateway port (default: a free one)")
    start.add_argument("--bind-host", default=DEFAULT_BIND_HOST, help="address to listen on")
    start.add_argument("--async-retry-base-seconds", type=float, default=1.0, help="delay before the first async retry")
    start.add_argument("--docker-flags", default=None, help="LAMBDA_DOCKER_FLAGS for image functions")
    start.set_defaults(handler=_start)
    actions.add_parser("stop", help="stop the emulator started by 'start'").set_defaults(handler=_stop)
    actions.add_parser("status", help="print the emulator's state as JSON").set_defaults(handler=_status)


def running_emulator(state_file: Path = STATE_FILE) -> Emulator:
    """The detached emulator recorded in the state file, if it is still running."""
    if not state_file.exists():
        raise EmulatorNotRunning(f"no emulator recorded in {state_file}: run '{START_COMMAND}'")
    emulator = Emulator.attach(EmulatorInfo(**json.loads(state_file.read_text())))
    if not emulator.is_running():
        state_file.unlink(missing_ok=True)
        raise EmulatorNotRunning(f"the emulator recorded in {state_file} (pid {emulator.pid}) is not running")
    return emulator


def start_recorded(emulator: Emulator) -> Emulator:
    """Start detached and record it in the state file, for ``stop``, ``status`` and ``deploy``."""
    emulator.start(detached=True)
    STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    STATE_FILE.write_text(json.dumps(emulator.info.to_json()))
    return emulator


def _print(payload: dict[str, object]) -> None:
    print(json.dumps(payload, sort_keys=True))


def _start(args: argparse.Namespace) -> int:
    try:
        emulator = running_emulator()
    except EmulatorNotRunning:
        pass
    else:
        _print({**emulator.info.to_json(), "already_running": True, "stop": STOP_COMMAND})
        return 0
    emulator = start_recorded(
        Emulator(
            args.port,
            bind_host=args.bind_host,
            async_retry_base_seconds=args.async_retry_base_seconds,
            docker_flags=args.docker_flags,
        )
    )
    _print({**emulator.info.to_json(), "already_running": False, "stop": STOP_COMMAND})
    return 0


def _stop(args: argparse.Namespace) -> int:
    try:
        emulator = running_emulator()
    except EmulatorNotRunning as error:
        print(str(error), file=sys.stderr)
        return 0
    endpoint = emulator.endpoint_url
    emulator.stop()
    STATE_FILE.unlink(missing_ok=True)
    print(f"stopped the emulator at {endpoint}")
    return 0


def _status(args: argparse.Namespace) -> int:
    try:
        emulator = running_emulator()
    except EmulatorNotRunning as error:
        _print({"running": False, "detail": str(error)})
        return EXIT_NOT_RUNNING
    _print({**emulator.info.to_json(), "running": True, "healthy": emulator.is_healthy()})
    return 0
