"""``python -m pipeline deploy``: deploy the stack to the emulator; print the Deployment as JSON.

The endpoint is ``--endpoint-url``, else the emulator started by ``emulator start``. Zip
packages of the working tree by default; ``--parent-image``/``--child-image`` deploy images.
``--write-lock`` regenerates images/requirements.lock from pyproject's runtime pins instead."""

from __future__ import annotations

import argparse
import json

from pipeline.deploy.code import FunctionCode, ImageCode
from pipeline.deploy.constants import DEFAULT_NAME_PREFIX
from pipeline.deploy.deployer import deploy
from pipeline.deploy.lock import write_lock
from pipeline.deploy.types import DeploymentNames
from pipeline.emulator.cli import running_emulator


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("deploy", help="deploy the parent, child, bucket and REST API to the emulator")
    parser.add_argument("--endpoint-url", default=None, help="emulator endpoint (default: the running one)")
    parser.add_argument("--prefix", default=DEFAULT_NAME_PREFIX, help="resource name prefix")
    parser.add_argument("--parent-image", default=None, metavar="URI", help="deploy the parent from this image")
    parser.add_argument("--child-image", default=None, metavar="URI", help="deploy the child from this image")
    parser.add_argument("--write-lock", action="store_true", help="only regenerate images/requirements.lock")
    parser.set_defaults(handler=_deploy)


def _image(uri: str | None) -> FunctionCode | None:
    return ImageCode(uri) if uri else None


def _deploy(args: argparse.Namespace) -> int:
    if args.write_lock:
        print(f"wrote {write_lock()}")
        return 0
    endpoint = args.endpoint_url or running_emulator().endpoint_url
    deployment = deploy(
        endpoint,
        names=DeploymentNames(prefix=args.prefix),
        parent_code=_image(args.parent_image),
        child_code=_image(args.child_image),
    )
    print(json.dumps(deployment.to_json(), sort_keys=True))
    return 0
