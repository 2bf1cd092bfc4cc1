"""Both functions run container images pinned by digest: the variables reject anything else."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from pipeline.infra import DIGEST_PINNED_IMAGE_URI, TERRAFORM_DIR, ImageNotPinned, ImageUris, is_digest_pinned
from tests.infra.conftest import TerraformConfig, validation_regex

DIGEST = "sha256:" + "0123456789abcdef" * 4
GOOD_URIS = [
    f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/serverless-sweep-parent@{DIGEST}",
    f"127.0.0.1:4566/serverless-sweep-child@{DIGEST}",
    f"registry.example.com/team/sweeps/child_image@{DIGEST}",
    f"localhost:5000/a--b__c.d@{DIGEST}",
]
BAD_URIS = [
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/serverless-sweep-parent:latest",  # tag only
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/serverless-sweep-parent:v1",  # tag only
    f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/serverless-sweep-parent:v1@{DIGEST}",  # tag and digest
    f"serverless-sweep-parent@{DIGEST}",  # no registry
    "127.0.0.1:4566/child@sha256:" + "0123456789ABCDEF" * 4,  # upper-case hex
    "127.0.0.1:4566/child@sha256:" + "0" * 63,  # short digest
    "127.0.0.1:4566/child@sha512:" + "0" * 128,  # another algorithm
    f"127.0.0.1:4566/child@{DIGEST}\n",  # trailing newline
    f" 127.0.0.1:4566/child@{DIGEST}",  # leading space
    f"127.0.0.1:4566/Child@{DIGEST}",  # upper-case repository
    "",
]
IMAGE_VARIABLES = ("parent_image_uri", "child_image_uri")


@pytest.mark.parametrize("name", IMAGE_VARIABLES)
def test_image_variable_validation_uses_the_pipelines_digest_regex(tf: TerraformConfig, name: str) -> None:
    # given the image variable's validation block
    # when its regular expression is read
    pattern = validation_regex(tf, name)
    # then it is the one the pipeline checks URIs with, and a null passes only for bootstrap
    assert pattern == DIGEST_PINNED_IMAGE_URI
    assert tf.variables[name]["validation"][0]["condition"].startswith(f"${{var.{name} == null ||")


@pytest.mark.parametrize("uri", GOOD_URIS)
def test_digest_pinned_uris_are_accepted(uri: str) -> None:
    assert is_digest_pinned(uri)
    assert ImageUris(parent=uri, child=uri).variables() == {"parent_image_uri": uri, "child_image_uri": uri}


@pytest.mark.parametrize("uri", BAD_URIS)
def test_tagged_or_malformed_uris_are_rejected(uri: str) -> None:
    assert not is_digest_pinned(uri)
    with pytest.raises(ImageNotPinned, match="child_image_uri"):
        ImageUris(parent=GOOD_URIS[0], child=uri)


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_terraform_itself_accepts_and_rejects_the_same_uris(tf: TerraformConfig, tmp_path) -> None:
    # given the validation regex as Terraform evaluates it (RE2, not Python's re)
    pattern = validation_regex(tf, "parent_image_uri")
    candidates = GOOD_URIS + BAD_URIS
    expression = f"jsonencode([for u in {json.dumps(candidates)} : can(regex({json.dumps(pattern)}, u))])"
    # when terraform console evaluates it for every candidate (no provider needed)
    completed = subprocess.run(
        ["terraform", "console"], input=expression, capture_output=True, text=True, cwd=tmp_path, check=True
    )
    verdicts = json.loads(json.loads(completed.stdout.strip()))
    # then Terraform agrees with the pipeline's check on each one
    assert verdicts == [is_digest_pinned(uri) for uri in candidates]
    assert verdicts == [True] * len(GOOD_URIS) + [False] * len(BAD_URIS)


@pytest.mark.parametrize("function", ["parent", "child"])
def test_functions_are_images_from_their_digest_variables(tf: TerraformConfig, function: str) -> None:
    body = tf.resource("aws_lambda_function", function)
    assert body["package_type"] == "Image"
    assert body["image_uri"] == f"${{var.{function}_image_uri}}"
    # an apply without the image (anything but the targeted bootstrap) stops with a message
    precondition = body["lifecycle"][0]["precondition"][0]
    assert precondition["condition"] == f"${{var.{function}_image_uri != null}}"


def test_no_image_uri_is_written_into_the_configuration(tf: TerraformConfig) -> None:
    # given every variable: the image URIs have no usable default
    for name in IMAGE_VARIABLES:
        assert tf.variables[name].get("default") is None
    # and no literal digest hides in the .tf files or the example variables file
    text = "\n".join(p.read_text() for p in TERRAFORM_DIR.glob("*.tf*"))
    assert not re.search(r"sha256:[0-9a-f]{64}", text)
