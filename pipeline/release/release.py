"""``release``: preflight, build, push, pin the pushed digests, apply, record, smoke-test.

The image pair comes from the push (``registry/repository@sha256:…`` as ECR recorded it) and
goes to Terraform's ``-var parent_image_uri=… -var child_image_uri=…`` (or the emulator's
``update_function_code``) and into the ledger untouched."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.images import Registry
from pipeline.images.build import BaseChoice
from pipeline.images.engines import EngineName
from pipeline.infra import terraform_variables
from pipeline.release.exceptions import LedgerConflict, LedgerEntryInvalid
from pipeline.release.images import build_release_images, push_release_images
from pipeline.release.ledger import LedgerEntry
from pipeline.release.rollout import (
    Connection,
    Outcome,
    RolloutSettings,
    StageTimer,
    git_commit,
    known_release_ids,
    roll_out,
    utc_stamp,
)
from pipeline.release.targets import CODE_VERSION_VAR, Target
from pipeline.version import code_version as current_code_version

# The ledger's rule for release ids, and Terraform's (and the functions') for CODE_VERSION.
RELEASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
CODE_VERSION = re.compile(r"^[!-~]{1,128}$")


@dataclass(frozen=True)
class ReleaseOptions:
    """How to release; every field has the default an operator would want."""

    name_prefix: str
    release_id: str | None = None  # default: r-<UTC time>-<short commit>
    code_version: str | None = None  # default: package version + commit (pipeline.version)
    engine: EngineName = "auto"
    base: BaseChoice = "auto"
    rollout: RolloutSettings = field(default_factory=RolloutSettings)


def default_release_id(commit: str, timestamp: str) -> str:
    return f"r-{timestamp}-{commit[:7]}"


def check_names(release_id: str, code_version: str) -> None:
    """Refuse bad names before anything is built: after the apply it would be too late to record them."""
    if not RELEASE_ID.match(release_id):
        raise LedgerEntryInvalid(f"release_id: {release_id!r} must be 1-128 letters, digits, '.', '_', '-'")
    if not CODE_VERSION.match(code_version):
        raise LedgerEntryInvalid(f"code_version: {code_version!r} must be 1-128 printable characters without spaces")


def release(connection: Connection, target: Target, options: ReleaseOptions, timer: StageTimer) -> Outcome:
    say = timer.say
    with timer("preflight"):
        identity = connection.check(allow_long_lived_keys=options.rollout.allow_long_lived_keys)
    say(f"preflight: {identity.arn} ({identity.kind})")
    commit = git_commit()
    release_id = options.release_id or default_release_id(commit, utc_stamp())
    code_version = options.code_version or current_code_version()
    check_names(release_id, code_version)
    if release_id in known_release_ids(connection, target, options.rollout):
        raise LedgerConflict(f"release_id: {release_id!r} is already in the ledger; choose another --release-id")
    say(f"release {release_id}: code version {code_version}, commit {commit}, target {target.name}")
    with timer("build"):
        build = build_release_images(
            code_version, name_prefix=options.name_prefix, engine=options.engine, base=options.base
        )
    ecr = connection.client("ecr")
    endpoint = connection.endpoint_url
    registry = Registry.of_endpoint(endpoint, ecr) if endpoint else Registry.of_aws(ecr)
    with timer("push"):  # an emulator's repositories are created here; Terraform creates AWS's
        pushed = push_release_images(build, registry, create_repositories=endpoint is not None)
    say(f"pushed: {pushed.uris.parent}")
    say(f"pushed: {pushed.uris.child}")
    variables = {CODE_VERSION_VAR: code_version}
    entry = LedgerEntry(
        release_id=release_id,
        kind="release",
        images=pushed.uris,
        git_commit=commit,
        applied_by=identity.arn,
        terraform_variables=terraform_variables(pushed.uris, variables),
        target=target.name,
    )
    return roll_out(connection, target, entry, variables, options.rollout, timer)
