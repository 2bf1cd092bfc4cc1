"""``python -m pipeline release`` and ``python -m pipeline rollback [--to RELEASE_ID]``.

In AWS (the default) the target is infra/terraform with ``--var-file``; the region and the name
prefix come from that file (or the variables' defaults). With ``--endpoint-url`` (or
``AWS_ENDPOINT_URL``) the target is that emulator, deployed by the emulator deployer."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import hcl2

from aws_adapters import resolve_endpoint_url
from pipeline.deploy import DeploymentNames
from pipeline.deploy.constants import DEFAULT_NAME_PREFIX
from pipeline.deploy.deployer import DEFAULT_REGION
from pipeline.images import BASE_CHOICES
from pipeline.images.engines.choice import ENGINE_NAMES
from pipeline.infra.constants import TERRAFORM_DIR, TERRAFORM_EXECUTABLE
from pipeline.paths import CACHE_DIR
from pipeline.release.exceptions import ReleaseError
from pipeline.release.ledger import DEFAULT_LEDGER_PREFIX
from pipeline.release.release import ReleaseOptions, release
from pipeline.release.rollback import RollbackOptions, rollback
from pipeline.release.rollout import Connection, Outcome, RolloutSettings, StageTimer
from pipeline.release.smoke import SMOKE_TIMEOUT_SECONDS
from pipeline.release.targets import EmulatorTarget, Target, TerraformTarget

PLAN_DIR = CACHE_DIR / "release"
_HCL = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    release_parser = subparsers.add_parser(
        "release", help="preflight, build, push, terraform apply by digest, ledger, smoke test"
    )
    _common(release_parser, "release.tfplan")
    release_parser.add_argument("--release-id", help="ledger id of this release (default r-<UTC time>-<commit>)")
    release_parser.add_argument("--code-version", help="CODE_VERSION of both functions (default: version+commit)")
    release_parser.add_argument("--engine", choices=ENGINE_NAMES, default="auto", help="image build engine")
    release_parser.add_argument(
        "--base",
        choices=BASE_CHOICES,
        default=None,
        help="base image (default: production in AWS, auto on an emulator)",
    )
    release_parser.set_defaults(handler=_release)

    rollback_parser = subparsers.add_parser("rollback", help="re-apply a known-good digest pair from the ledger")
    _common(rollback_parser, "rollback.tfplan")
    rollback_parser.add_argument("--to", metavar="RELEASE_ID", help="the release to restore (default: previous good)")
    rollback_parser.add_argument("--release-id", help="ledger id of this rollback (default rollback-<UTC time>)")
    rollback_parser.set_defaults(handler=_rollback)


def _common(parser: argparse.ArgumentParser, plan_name: str) -> None:
    parser.add_argument("--var-file", type=Path, help="tfvars file of the AWS stack (required without an emulator)")
    parser.add_argument("--endpoint-url", help="an emulator: deploy there instead of running Terraform")
    parser.add_argument("--region", help="AWS region (default: the tfvars' region; us-east-1 on an emulator)")
    parser.add_argument("--name-prefix", help="emulator stack prefix (in AWS: the tfvars' name_prefix)")
    parser.add_argument(
        "--plan", nargs="?", type=Path, const=PLAN_DIR / plan_name, metavar="PLAN_FILE", help="stop after the plan"
    )
    parser.add_argument("--terraform", default=TERRAFORM_EXECUTABLE, help="the terraform executable")
    parser.add_argument("--ledger-bucket", help="bucket of the release ledger (default: the results bucket)")
    parser.add_argument("--ledger-prefix", default=DEFAULT_LEDGER_PREFIX, help="key prefix of the release ledger")
    parser.add_argument(
        "--allow-long-lived-keys", action="store_true", help="accept an access key without a session (not advised)"
    )
    parser.add_argument("--smoke-timeout", type=float, default=SMOKE_TIMEOUT_SECONDS, help="seconds for the smoke run")


def terraform_settings(var_file: Path, directory: Path = TERRAFORM_DIR) -> dict[str, Any]:
    """The variables' defaults (variables.tf) overlaid with the tfvars file's values."""
    with open(directory / "variables.tf") as handle:
        declared = hcl2.load(handle, serialization_options=_HCL).get("variable", [])
    settings = {name: body.get("default") for block in declared for name, body in block.items()}
    with open(var_file) as handle:
        settings.update(hcl2.load(handle, serialization_options=_HCL))
    return settings


def _connect(args: argparse.Namespace, timer: StageTimer) -> tuple[Connection, Target, str]:
    """The connection, the target and the stack's name prefix."""
    endpoint = resolve_endpoint_url(args.endpoint_url)
    if endpoint is not None:
        if args.var_file is not None:
            timer.say(f"note: --var-file is for Terraform; on the emulator at {endpoint} it is not used")
        prefix = args.name_prefix or DEFAULT_NAME_PREFIX
        connection = Connection.open(args.region or DEFAULT_REGION, endpoint)
        names = DeploymentNames(prefix=prefix)
        return (
            connection,
            EmulatorTarget(endpoint, connection.client("lambda"), names, connection.region, timer.say),
            prefix,
        )
    if args.var_file is None:
        raise ReleaseError("--var-file: required for AWS (or give --endpoint-url to use an emulator)")
    if not args.var_file.is_file():
        raise ReleaseError(f"--var-file: {args.var_file} is not a file")
    settings = terraform_settings(args.var_file)
    if args.name_prefix and args.name_prefix != settings["name_prefix"]:
        raise ReleaseError(f"--name-prefix: in AWS it is the tfvars' name_prefix ({settings['name_prefix']})")
    connection = Connection.open(args.region or str(settings["region"]))
    return connection, TerraformTarget(args.var_file, terraform=args.terraform), str(settings["name_prefix"])


def _finish(outcome: Outcome, timer: StageTimer) -> int:
    stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in outcome.seconds.items())
    timer.say(f"done: {stages}")
    return 0


def _settings(args: argparse.Namespace) -> RolloutSettings:
    return RolloutSettings(
        plan_file=args.plan,
        ledger_bucket=args.ledger_bucket,
        ledger_prefix=args.ledger_prefix,
        allow_long_lived_keys=args.allow_long_lived_keys,
        smoke_timeout_seconds=args.smoke_timeout,
    )


def _release(args: argparse.Namespace) -> int:
    timer = StageTimer()
    connection, target, prefix = _connect(args, timer)
    options = ReleaseOptions(
        name_prefix=prefix,
        release_id=args.release_id,
        code_version=args.code_version,
        engine=args.engine,
        base=args.base or ("auto" if connection.endpoint_url else "production"),
        rollout=_settings(args),
    )
    return _finish(release(connection, target, options, timer), timer)


def _rollback(args: argparse.Namespace) -> int:
    timer = StageTimer()
    connection, target, _ = _connect(args, timer)
    options = RollbackOptions(to=args.to, release_id=args.release_id, rollout=_settings(args))
    return _finish(rollback(connection, target, options, timer), timer)
