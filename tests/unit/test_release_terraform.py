"""The Terraform step of release and rollback, run with a recording stand-in for terraform.

No Terraform provider can be installed here (the registry is unreachable), so the real
executable would stop at ``init``. The stand-in records every call's argv and answers
``output -json`` with a stack's outputs; that is what release and rollback read back. The real
plan runs at the end of this file wherever a provider is installed locally."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.infra import EXAMPLE_VAR_FILE, TERRAFORM_DIR, ImageUris, TerraformNotFound, terraform_variables
from pipeline.release import (
    LedgerEntry,
    NoGoodRelease,
    ReleaseError,
    ReleaseLedger,
    ReleaseTargetError,
    SmokeResult,
    Stack,
    TerraformTarget,
    choose_release,
)
from pipeline.release.cli import terraform_settings
from pipeline.release.rollback import rollback_variables
from sim.params import SCHEMA_FILE
from sim.store import DirectoryStore

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
ARN = "arn:aws:sts::123456789012:assumed-role/release-operator/alice"
OUTPUTS = {
    "parent_function_name": "serverless-sweep-parent",
    "child_function_name": "serverless-sweep-child",
    "results_bucket": "serverless-sweep-results-123456789012",
    "results_prefix": "serverless-sweeps",
    "api_url": "https://abc.execute-api.eu-west-1.amazonaws.com/v1/sweeps",
}
STAND_IN = """#!{python}
import json, os, sys
with open({log!r}, "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd()}}) + "\\n")
if "output" in sys.argv:
    print(json.dumps({{name: {{"value": value, "type": "string"}} for name, value in {outputs!r}.items()}}))
sys.exit(int(os.environ.get("STAND_IN_EXIT", "0")))
"""


def pair(tag: str) -> ImageUris:
    digest = (tag.encode().hex() * 64)[:64]
    return ImageUris(
        parent=f"{REGISTRY}/serverless-sweep-parent@sha256:{digest}",
        child=f"{REGISTRY}/serverless-sweep-child@sha256:{digest[::-1]}",
    )


@pytest.fixture
def recording_terraform(tmp_path: Path) -> tuple[str, Path]:
    """A terraform stand-in that logs each call and prints OUTPUTS for ``output -json``."""
    log = tmp_path / "terraform-calls.jsonl"
    executable = tmp_path / "bin" / "terraform"
    executable.parent.mkdir()
    executable.write_text(STAND_IN.format(python=sys.executable, log=str(log), outputs=OUTPUTS))
    executable.chmod(0o755)
    return str(executable), log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line)["argv"] for line in log.read_text().splitlines()]


def var_values(argv: list[str]) -> dict[str, str]:
    return dict(argv[i + 1].split("=", 1) for i, arg in enumerate(argv) if arg == "-var")


def test_release_applies_the_pushed_pair_by_digest_with_the_var_file_on_recording_terraform_stand_in(
    recording_terraform: tuple[str, Path],
) -> None:
    terraform, log = recording_terraform
    # given the digest-pinned pair a push resolved, and the release's code version
    images = pair("v7")
    # when the release's Terraform step applies it
    stack = TerraformTarget(EXAMPLE_VAR_FILE, terraform=terraform).apply(images, {"code_version": "r-7"})
    # then terraform applies with the tfvars file and exactly that pair, then reads the outputs
    apply, output = calls(log)
    assert apply[:5] == [f"-chdir={TERRAFORM_DIR}", "apply", "-input=false", "-no-color", "-auto-approve"]
    assert f"-var-file={EXAMPLE_VAR_FILE.resolve()}" in apply
    assert var_values(apply) == {
        "parent_image_uri": images.parent,
        "child_image_uri": images.child,
        "code_version": "r-7",
    }
    assert all("@sha256:" in var_values(apply)[name] for name in ("parent_image_uri", "child_image_uri"))
    assert output == [f"-chdir={TERRAFORM_DIR}", "output", "-json"]
    # and the stack the smoke test and the ledger use comes from those outputs
    assert stack == Stack(
        "serverless-sweep-parent",
        "serverless-sweep-child",
        "serverless-sweep-results-123456789012",
        "serverless-sweeps",
    )


def test_release_with_plan_runs_terraform_plan_only_on_recording_terraform_stand_in(
    recording_terraform: tuple[str, Path], tmp_path: Path
) -> None:
    terraform, log = recording_terraform
    plan_file = tmp_path / "plans" / "release.tfplan"

    TerraformTarget(EXAMPLE_VAR_FILE, terraform=terraform).plan(pair("v8"), {"code_version": "r-8"}, plan_file)

    (plan,) = calls(log)
    assert plan[:2] == [f"-chdir={TERRAFORM_DIR}", "plan"] and "-auto-approve" not in plan
    assert f"-out={plan_file}" in plan and plan_file.parent.is_dir()
    assert f"-var-file={EXAMPLE_VAR_FILE.resolve()}" in plan
    assert var_values(plan) == {**pair("v8").variables(), "code_version": "r-8"}


@pytest.fixture
def ledger(tmp_path: Path) -> ReleaseLedger:
    """Two releases that passed their smoke tests; v2 is live."""
    ledger = ReleaseLedger(DirectoryStore(tmp_path / "bucket"))
    for release_id in ("v1", "v2"):
        images = pair(release_id)
        ledger.append(
            LedgerEntry(
                release_id=release_id,
                kind="release",
                images=images,
                git_commit="0123456789abcdef0123456789abcdef01234567",
                applied_by=ARN,
                terraform_variables=terraform_variables(images, {"code_version": f"code-{release_id}"}),
            )
        )
        ledger.record_smoke(release_id, SmokeResult("passed", "ok"))
    return ledger


def test_rollback_reapplies_the_previous_good_pair_and_its_variables_on_recording_terraform_stand_in(
    recording_terraform: tuple[str, Path], ledger: ReleaseLedger
) -> None:
    terraform, log = recording_terraform
    # given v1 and v2 released, v2 live; when a rollback chooses its target without --to
    chosen, current = choose_release(ledger, None)
    TerraformTarget(EXAMPLE_VAR_FILE, terraform=terraform).apply(chosen.images, rollback_variables(chosen))
    # then it re-applies v1's recorded pair and -var values, with the tfvars file
    apply, _ = calls(log)
    assert (chosen.release_id, current.release_id) == ("v1", "v2")
    assert var_values(apply) == ledger.get("v1").terraform_variables
    assert var_values(apply)["parent_image_uri"] == pair("v1").parent != pair("v2").parent
    assert f"-var-file={EXAMPLE_VAR_FILE.resolve()}" in apply and "-auto-approve" in apply


def test_rollback_to_names_a_release_and_a_rollback_entry_means_what_it_restored(ledger: ReleaseLedger) -> None:
    # given a rollback from v2 to v1 is live
    entry = ledger.get("v1")
    ledger.append(
        LedgerEntry(
            release_id="rb-1",
            kind="rollback",
            images=entry.images,
            git_commit=entry.git_commit,
            applied_by=ARN,
            terraform_variables=entry.terraform_variables,
            restores="v1",
            rolled_back_from="v2",
        )
    )
    # then --to v2 goes forward again, and v1 (or the rollback that restored it) is already live
    assert choose_release(ledger, "v2")[0].release_id == "v2"
    with pytest.raises(ReleaseError, match="what is live now"):
        choose_release(ledger, "rb-1")
    # and without --to there is nothing older to go back to
    with pytest.raises(NoGoodRelease):
        choose_release(ledger, None)


def test_an_empty_ledger_has_nothing_to_roll_back_to(tmp_path: Path) -> None:
    with pytest.raises(NoGoodRelease, match="empty"):
        choose_release(ReleaseLedger(DirectoryStore(tmp_path)), None)


def test_a_failing_terraform_stops_the_release_on_recording_terraform_stand_in(
    recording_terraform: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    terraform, _ = recording_terraform
    monkeypatch.setenv("STAND_IN_EXIT", "1")
    with pytest.raises(ReleaseTargetError, match="`terraform apply` exited 1"):
        TerraformTarget(EXAMPLE_VAR_FILE, terraform=terraform).apply(pair("v9"), {"code_version": "r-9"})


def test_a_missing_terraform_is_named(tmp_path: Path) -> None:
    with pytest.raises(TerraformNotFound, match="not on PATH"):
        TerraformTarget(EXAMPLE_VAR_FILE, terraform=str(tmp_path / "no-terraform")).stack()


def test_region_and_name_prefix_come_from_the_tfvars_or_the_variables_defaults(tmp_path: Path) -> None:
    assert {k: terraform_settings(EXAMPLE_VAR_FILE)[k] for k in ("region", "name_prefix")} == {
        "region": "eu-west-1",
        "name_prefix": "serverless-sweep",
    }
    minimal = tmp_path / "minimal.tfvars"
    minimal.write_text('name_prefix = "sweep-staging"\n')
    assert {k: terraform_settings(minimal)[k] for k in ("region", "name_prefix")} == {
        "region": "us-east-1",
        "name_prefix": "sweep-staging",
    }


# --- the real terraform, where a provider is installed locally ----------------------------------

# Terraform's implied local mirror directories on Linux (where `init` finds providers offline).
MIRRORS = (
    Path.home() / ".terraform.d" / "plugins",
    Path.home() / ".local" / "share" / "terraform" / "plugins",
    Path("/usr/local/share/terraform/plugins"),
    Path("/usr/share/terraform/plugins"),
)


def local_aws_provider() -> Path | None:
    for mirror in (Path(os.environ["TF_PLUGIN_CACHE_DIR"]),) if "TF_PLUGIN_CACHE_DIR" in os.environ else MIRRORS:
        if (mirror / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return mirror
    return None


def test_release_plan_with_the_real_terraform_where_a_provider_is_installed(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = local_aws_provider()
    if shutil.which("terraform") is None or mirror is None:
        pytest.skip(
            "no hashicorp/aws provider installed locally (looked in TF_PLUGIN_CACHE_DIR or "
            f"{', '.join(map(str, MIRRORS))}) and the registry is unreachable from here: "
            "`terraform init` cannot succeed, so the command line is checked with the recording stand-in above"
        )
    # given a scratch copy of the configuration, initialised offline from the local provider
    directory = tmp_path / "infra" / "terraform"
    shutil.copytree(TERRAFORM_DIR, directory, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    (tmp_path / "sim").mkdir()
    shutil.copy(SCHEMA_FILE, tmp_path / "sim" / SCHEMA_FILE.name)
    init = ["terraform", f"-chdir={directory}", "init", "-backend=false", "-input=false", f"-plugin-dir={mirror}"]
    subprocess.run(init, check=True)
    # when the release's plan runs against the emulator (its STS and IAM answer the data sources)
    emulator = request.getfixturevalue("emulator")
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint_url)
    plan_file = tmp_path / "release.tfplan"
    TerraformTarget(EXAMPLE_VAR_FILE, directory=directory).plan(pair("real"), {"code_version": "r-real"}, plan_file)
    # then terraform accepted the digest-pinned variables and wrote the plan
    assert plan_file.is_file()
