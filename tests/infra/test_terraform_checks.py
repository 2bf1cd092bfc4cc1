"""The static checks: terraform fmt, checkov with the skip file, and terraform validate where a provider exists."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.infra import (
    TERRAFORM_DIR,
    CheckovFailed,
    Finding,
    SkipFileInvalid,
    TerraformFmtFailed,
    apply_skips,
    checkov_scan,
    load_skips,
    terraform_fmt_check,
)
from pipeline.infra.constants import CHECKOV_SKIPS_FILE
from sim.params import SCHEMA_FILE
from tests.infra.conftest import TerraformConfig

needs_terraform = pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")


def copy_configuration(root: Path) -> Path:
    """The configuration in a scratch tree, with the schema file where file() looks for it."""
    target = root / "infra" / "terraform"
    shutil.copytree(TERRAFORM_DIR, target, ignore=shutil.ignore_patterns(".terraform*"))
    (root / "sim").mkdir()
    shutil.copy(SCHEMA_FILE, root / "sim" / SCHEMA_FILE.name)
    return target


def finding(check_id: str, resource: str) -> Finding:
    return Finding(check_id, "a check", resource, "main.tf", (1, 2))


# --- terraform fmt ---------------------------------------------------------------------------


@needs_terraform
def test_configuration_is_formatted() -> None:
    terraform_fmt_check()


@needs_terraform
def test_fmt_check_names_an_unformatted_file(tmp_path: Path) -> None:
    # given a file that terraform fmt would rewrite
    (tmp_path / "sloppy.tf").write_text('variable "x" {\ntype=string\n}\n')
    # when the check runs, then it fails naming the file
    with pytest.raises(TerraformFmtFailed, match=r"sloppy\.tf"):
        terraform_fmt_check(tmp_path)


# --- the skip file ---------------------------------------------------------------------------


def test_every_skip_names_existing_resources_and_says_why(tf: TerraformConfig) -> None:
    skips = load_skips(CHECKOV_SKIPS_FILE)
    assert skips, "the skip file is read"
    for skip in skips.values():
        assert len(skip.reason) >= 40, skip.check_id
        for address in skip.resources:
            type_, name = address.split(".", 1)
            assert name in tf.resources.get(type_, {}), f"{skip.check_id}: {address} is not in the configuration"


def test_a_skip_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "skips.toml"
    path.write_text('[CKV_AWS_117]\nresources = ["aws_lambda_function.parent"]\nreason = "no"\n')
    with pytest.raises(SkipFileInvalid, match=r"CKV_AWS_117\.reason"):
        load_skips(path)


def test_skips_apply_to_their_resources_only_and_stale_ones_are_reported(tmp_path: Path) -> None:
    # given a skip for one check on one resource, and one for a check that no longer fails
    path = tmp_path / "skips.toml"
    path.write_text(
        '[CKV_AWS_117]\nresources = ["aws_lambda_function.parent"]\nreason = "'
        + "The functions call only public AWS APIs over TLS; a VPC adds nothing here."
        + '"\n[CKV_AWS_18]\nresources = ["aws_s3_bucket.results"]\nreason = "'
        + "Access logs live in the account's central logging bucket, not in this stack."
        + '"\n'
    )
    findings = [finding("CKV_AWS_117", "aws_lambda_function.parent"), finding("CKV_AWS_117", "aws_lambda_function.x")]
    # when the skips are applied
    failed, skipped, stale = apply_skips(findings, load_skips(path))
    # then the listed resource is skipped, the other still fails, and the unused skip is stale
    assert [f.resource for f, _ in skipped] == ["aws_lambda_function.parent"]
    assert [f.resource for f in failed] == ["aws_lambda_function.x"]
    assert stale == ["CKV_AWS_18 aws_s3_bucket.results"]


# --- checkov, for real (its venv is created on first use) ------------------------------------


@pytest.mark.slow
def test_checkov_passes_with_only_the_listed_skips(record_property: Callable[[str, object], None]) -> None:
    # when checkov scans the configuration offline (the ci's only checkov scan: its summary is a note of the stage)
    result = checkov_scan(check=False)
    record_property("checkov", result.summary)
    # then nothing fails, every skip in the file is used, and only those checks are skipped
    assert result.ok, result.report()
    assert result.passed > 100
    assert {skip.check_id for _, skip in result.skipped} == set(load_skips(CHECKOV_SKIPS_FILE))


@pytest.mark.slow
def test_checkov_fails_on_an_unlisted_problem(tmp_path: Path) -> None:
    # given the configuration plus a bucket with none of the protections
    directory = copy_configuration(tmp_path)
    (directory / "careless.tf").write_text('resource "aws_s3_bucket" "careless" {\n  bucket = "careless"\n}\n')
    # when checkov scans it, then the scan fails naming that bucket, and only that bucket
    with pytest.raises(CheckovFailed, match=r"aws_s3_bucket\.careless") as failure:
        checkov_scan(directory)
    failed_lines = [line for line in str(failure.value).splitlines() if line.startswith("FAILED")]
    assert failed_lines and all("aws_s3_bucket.careless" in line for line in failed_lines)


# --- terraform validate, where a provider can be installed -----------------------------------


@needs_terraform
def test_configuration_validates_with_the_real_provider(tmp_path: Path) -> None:
    # given a scratch copy of the configuration (init writes .terraform and a lock file)
    directory = copy_configuration(tmp_path)
    init = subprocess.run(
        ["terraform", f"-chdir={directory}", "init", "-backend=false", "-input=false", "-no-color"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if init.returncode != 0:
        pytest.skip(
            "no AWS provider here: `terraform init` could not install hashicorp/aws (registry unreachable "
            "and no plugin mirror); the configuration is checked by parsing, fmt and checkov instead"
        )
    # when terraform validates it with the provider's schemas, then it is valid
    validate = subprocess.run(
        ["terraform", f"-chdir={directory}", "validate", "-no-color"], capture_output=True, text=True
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
