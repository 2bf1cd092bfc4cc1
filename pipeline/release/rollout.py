"""What release and rollback share: the AWS connection, the stage timer, and the roll-out itself.

A roll-out applies an image pair (Terraform, or the emulator deployer), checks that the
functions now run exactly that pair, appends the ledger entry (smoke "pending"), runs the smoke
sweep and records its result. A live release that fails its smoke test stays on record as such
and the command fails, pointing at rollback."""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from aws_adapters import S3Store, client
from aws_adapters.clients import session_for
from pipeline.paths import REPO_ROOT
from pipeline.release.exceptions import ReleaseError, ReleaseTargetError, SmokeFailed
from pipeline.release.ledger import DEFAULT_LEDGER_PREFIX, LedgerEntry, ReleaseLedger
from pipeline.release.preflight import CallerIdentity, preflight
from pipeline.release.smoke import SMOKE_TIMEOUT_SECONDS, SmokeReport, smoke_test
from pipeline.release.targets import CODE_VERSION_VAR, Stack, Target, live_images

Say = Callable[[str], None]


@dataclass(frozen=True)
class Connection:
    """One boto3 session (the one the preflight checked) for every client of a release."""

    session: boto3.Session
    region: str
    endpoint_url: str | None = None

    @classmethod
    def open(cls, region: str, endpoint_url: str | None = None) -> Connection:
        """The default credential chain in AWS; against the emulator, the environment's keys or dummy ones."""
        return cls(session_for(endpoint_url, None, region), region, endpoint_url)

    def client(self, service: str) -> Any:
        return client(service, endpoint_url=self.endpoint_url, region_name=self.region, session=self.session)

    def check(self, *, allow_long_lived_keys: bool) -> CallerIdentity:
        return preflight(self.session, self.client("sts"), allow_long_lived_keys=allow_long_lived_keys)


@dataclass
class StageTimer:
    """Names, times and announces each stage of a command."""

    say: Say = print
    seconds: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = round(time.perf_counter() - started, 2)
        self.say(f"[{stage}] done in {self.seconds[stage]:.1f} s")


@dataclass(frozen=True)
class RolloutSettings:
    """What release and rollback take alike: plan only, where the ledger is, how strict, how patient."""

    plan_file: Path | None = None  # set: stop after the plan
    ledger_bucket: str | None = None  # default: the results bucket
    ledger_prefix: str = DEFAULT_LEDGER_PREFIX
    allow_long_lived_keys: bool = False
    smoke_timeout_seconds: float = SMOKE_TIMEOUT_SECONDS


@dataclass(frozen=True)
class Outcome:
    """What a release or rollback did: its ledger entry (None for --plan), smoke report and timings."""

    entry: LedgerEntry | None
    smoke: SmokeReport | None
    seconds: dict[str, float]
    ledger_location: str | None = None


def git_commit(root: Path = REPO_ROOT) -> str:
    """HEAD's commit, ``-dirty`` when tracked files changed (what the ledger records)."""
    try:
        commit = _git(root, "rev-parse", "HEAD")
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError) as error:
        raise ReleaseError(
            f"git_commit: cannot read the checkout's commit ({error}); release from a git clone"
        ) from error
    return f"{commit}-dirty" if dirty else commit


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def utc_stamp() -> str:
    """The current UTC time as it appears in default release ids."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}"


def ledger_at(connection: Connection, bucket: str, prefix: str) -> ReleaseLedger:
    return ReleaseLedger(S3Store(bucket, connection.client("s3")), prefix)


def known_release_ids(connection: Connection, target: Target, settings: RolloutSettings) -> set[str]:
    """Release ids already in the ledger, where one exists yet (none before the first apply)."""
    try:
        ledger = ledger_at(connection, settings.ledger_bucket or target.stack().results_bucket, settings.ledger_prefix)
        return {entry.release_id for entry in ledger.entries()}
    except ReleaseTargetError:
        return set()  # no Terraform outputs yet: nothing was applied
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchBucket", "404"):
            return set()
        raise


def roll_out(
    connection: Connection,
    target: Target,
    entry: LedgerEntry,
    variables: Mapping[str, str],
    settings: RolloutSettings,
    timer: StageTimer,
) -> Outcome:
    """Apply ``entry.images`` (or only plan it), record ``entry``, smoke-test, record the result."""
    say = timer.say
    if settings.plan_file is not None:
        with timer("plan"):
            target.plan(entry.images, variables, settings.plan_file)
        say("plan only: nothing applied, nothing recorded; run again without --plan to apply")
        return Outcome(None, None, timer.seconds)
    lambda_ = connection.client("lambda")
    with target.function_access():
        with timer("apply"):
            stack: Stack = target.apply(entry.images, variables)
            live = live_images(lambda_, stack)
            if live != entry.images:
                raise ReleaseTargetError(f"after the apply the functions run {live}, not {entry.images}")
        say(f"live: {stack.parent_function} = {live.parent}")
        say(f"live: {stack.child_function} = {live.child}")
        bucket = settings.ledger_bucket or stack.results_bucket
        ledger = ledger_at(connection, bucket, settings.ledger_prefix)
        location = f"s3://{bucket}/{ledger.document_key}"
        stored = ledger.append(entry)
        say(f"ledger: entry {stored.sequence} ({stored.kind} {stored.release_id}) appended to {location}")
        with timer("smoke"):
            report = smoke_test(
                lambda_,
                S3Store(stack.results_bucket, connection.client("s3")),
                parent_function=stack.parent_function,
                results_prefix=stack.results_prefix,
                code_version=variables[CODE_VERSION_VAR],
                timeout_seconds=settings.smoke_timeout_seconds,
            )
    recorded = ledger.record_smoke(stored.release_id, report.result)
    say(f"smoke: {report.result.status}: {report.result.detail}")
    say(json.dumps(recorded.to_json(), indent=2, sort_keys=True))
    if not report.passed:
        raise SmokeFailed(
            f"{recorded.kind} {recorded.release_id} is live but failed its smoke test ({report.result.detail}); "
            "the ledger records it: roll back with `python -m pipeline rollback`"
        )
    return Outcome(recorded, report, timer.seconds, location)
