"""The Terraform command lines release and rollback run, executed by a recording stand-in for terraform.

No Terraform provider can be installed here, so the real executable would stop at init; the
stand-in records the argv and working directory it is started with, which is what these tests
are about. (The real apply path is exercised wherever a provider exists: see
test_terraform_checks.py::test_configuration_validates_with_the_real_provider.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.infra import (
    BOOTSTRAP_TARGETS,
    EXAMPLE_VAR_FILE,
    TERRAFORM_DIR,
    ImageNotPinned,
    ImageUris,
    TerraformArgumentInvalid,
    terraform_command,
    terraform_variables,
)
from tests.infra.conftest import TerraformConfig

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
PARENT = f"{REGISTRY}/serverless-sweep-parent@sha256:{'a' * 64}"
CHILD = f"{REGISTRY}/serverless-sweep-child@sha256:{'b' * 64}"
IMAGES = ImageUris(parent=PARENT, child=CHILD)

STAND_IN = """#!{python}
import json, os, sys
with open({log!r}, "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd()}}) + "\\n")
"""


@pytest.fixture
def recording_terraform(tmp_path: Path) -> tuple[str, Path]:
    """A terraform stand-in that appends each call's argv and cwd to a log; (its path, the log)."""
    log = tmp_path / "terraform-calls.jsonl"
    executable = tmp_path / "bin" / "terraform"
    executable.parent.mkdir()
    executable.write_text(STAND_IN.format(python=sys.executable, log=str(log)))
    executable.chmod(0o755)
    return str(executable), log


def run(argv: list[str], log: Path) -> dict:
    subprocess.run(argv, check=True)
    return json.loads(log.read_text().splitlines()[-1])


def test_release_apply_pins_both_digests_on_recording_terraform_stand_in(recording_terraform) -> None:
    terraform, log = recording_terraform
    # given a release's image pair, its code version and the tfvars file
    argv = terraform_command("apply", EXAMPLE_VAR_FILE, IMAGES, variables={"code_version": "r42"}, terraform=terraform)
    # when the command runs
    call = run(argv, log)
    # then terraform gets the configuration directory, the var file and exactly the pinned images
    assert call["argv"] == [
        f"-chdir={TERRAFORM_DIR}",
        "apply",
        "-input=false",
        "-no-color",
        "-auto-approve",
        f"-var-file={EXAMPLE_VAR_FILE.resolve()}",
        "-var",
        f"parent_image_uri={PARENT}",
        "-var",
        f"child_image_uri={CHILD}",
        "-var",
        "code_version=r42",
    ]


def test_paths_are_absolute_because_terraform_changes_directory_on_recording_terraform_stand_in(
    recording_terraform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terraform, log = recording_terraform
    # given a var file and a plan file named relative to the caller's directory
    monkeypatch.chdir(tmp_path)
    Path("prod.tfvars").write_text('region = "eu-west-1"\n')
    # when a plan command is built and run
    call = run(
        terraform_command("plan", Path("prod.tfvars"), IMAGES, plan_file=Path("release.tfplan"), terraform=terraform),
        log,
    )
    # then both reach terraform as absolute paths that still name the caller's files
    assert f"-var-file={tmp_path / 'prod.tfvars'}" in call["argv"]
    assert f"-out={tmp_path / 'release.tfplan'}" in call["argv"]
    assert "-auto-approve" not in call["argv"]


def test_applying_a_saved_plan_passes_no_variables_on_recording_terraform_stand_in(
    recording_terraform, tmp_path: Path
) -> None:
    terraform, log = recording_terraform
    plan = tmp_path / "release.tfplan"
    call = run(terraform_command("apply", plan_file=plan, terraform=terraform), log)
    assert call["argv"] == [f"-chdir={TERRAFORM_DIR}", "apply", "-input=false", "-no-color", str(plan)]
    with pytest.raises(TerraformArgumentInvalid, match="saved plan"):
        terraform_command("apply", EXAMPLE_VAR_FILE, IMAGES, plan_file=plan, terraform=terraform)


def test_rollback_reapplies_a_ledger_pair_with_its_recorded_variables_on_recording_terraform_stand_in(
    recording_terraform,
) -> None:
    terraform, log = recording_terraform
    # given the variables a ledger entry recorded for an earlier release
    recorded = terraform_variables(IMAGES, {"code_version": "r41"})
    # when a rollback rebuilds its command from them
    images = ImageUris(parent=recorded["parent_image_uri"], child=recorded["child_image_uri"])
    rest = {k: v for k, v in recorded.items() if k not in ("parent_image_uri", "child_image_uri")}
    call = run(terraform_command("apply", EXAMPLE_VAR_FILE, images, variables=rest, terraform=terraform), log)
    # then terraform receives the same -var values the release applied
    pairs = [call["argv"][i + 1] for i, arg in enumerate(call["argv"]) if arg == "-var"]
    assert dict(p.split("=", 1) for p in pairs) == recorded


def test_bootstrap_targets_the_repositories_without_images_on_recording_terraform_stand_in(
    recording_terraform, tf: TerraformConfig
) -> None:
    terraform, log = recording_terraform
    call = run(terraform_command("apply", EXAMPLE_VAR_FILE, targets=BOOTSTRAP_TARGETS, terraform=terraform), log)
    assert [a for a in call["argv"] if a.startswith("-target=")] == [f"-target={t}" for t in BOOTSTRAP_TARGETS]
    assert "-var" not in call["argv"]
    for target in BOOTSTRAP_TARGETS:
        type_, name = target.split(".")
        assert name in tf.resources[type_]


def test_init_and_output_on_recording_terraform_stand_in(recording_terraform) -> None:
    terraform, log = recording_terraform
    init = run(
        terraform_command("init", backend_config={"bucket": "tf-state", "key": "sweep"}, terraform=terraform), log
    )
    assert init["argv"] == [
        f"-chdir={TERRAFORM_DIR}",
        "init",
        "-input=false",
        "-backend-config=bucket=tf-state",
        "-backend-config=key=sweep",
    ]
    output = run(terraform_command("output", terraform=terraform), log)
    assert output["argv"] == [f"-chdir={TERRAFORM_DIR}", "output", "-json"]
    assert output["cwd"] == os.getcwd()


def test_an_untargeted_apply_needs_the_image_pair() -> None:
    with pytest.raises(TerraformArgumentInvalid, match="image_uris are required"):
        terraform_command("apply", EXAMPLE_VAR_FILE)


def test_images_come_only_from_the_digest_pinned_pair() -> None:
    with pytest.raises(TerraformArgumentInvalid, match="parent_image_uri comes from image_uris"):
        terraform_command("apply", EXAMPLE_VAR_FILE, IMAGES, variables={"parent_image_uri": PARENT})
    with pytest.raises(ImageNotPinned, match="parent_image_uri"):
        ImageUris(parent=f"{REGISTRY}/serverless-sweep-parent:latest", child=CHILD)


def test_variables_are_rendered_as_terraform_reads_them() -> None:
    rendered = terraform_variables(IMAGES, {"xray_tracing": False, "child_memory_mb": 3008, "code_version": "r1"})
    assert list(rendered) == ["parent_image_uri", "child_image_uri", "xray_tracing", "child_memory_mb", "code_version"]
    assert rendered["xray_tracing"] == "false" and rendered["child_memory_mb"] == "3008"
    with pytest.raises(TerraformArgumentInvalid, match="variables"):
        terraform_variables(IMAGES, {"bad name": "x"})


def test_unknown_actions_and_misplaced_arguments_are_refused() -> None:
    with pytest.raises(TerraformArgumentInvalid, match="action"):
        terraform_command("destroy", EXAMPLE_VAR_FILE, IMAGES)  # type: ignore[arg-type]
    with pytest.raises(TerraformArgumentInvalid, match="output"):
        terraform_command("output", EXAMPLE_VAR_FILE)
    with pytest.raises(TerraformArgumentInvalid, match="backend_config"):
        terraform_command("plan", EXAMPLE_VAR_FILE, IMAGES, backend_config={"bucket": "b"})
