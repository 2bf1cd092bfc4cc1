"""Results bucket, ECR, Glue/Athena, outputs, pins and the example variables file."""

from __future__ import annotations

import re

from pipeline.infra import EXAMPLE_VAR_FILE
from tests.infra.conftest import TerraformConfig, load_hcl


def test_results_bucket_is_private_encrypted_and_versioned(tf: TerraformConfig) -> None:
    block = tf.resource("aws_s3_bucket_public_access_block", "results")
    assert all(
        block[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    rule = tf.resource("aws_s3_bucket_server_side_encryption_configuration", "results")["rule"][0]
    default = rule["apply_server_side_encryption_by_default"][0]
    assert (default["sse_algorithm"], default["kms_master_key_id"]) == ("aws:kms", "${aws_kms_key.sweep.arn}")
    assert tf.resource("aws_s3_bucket_versioning", "results")["versioning_configuration"][0]["status"] == "Enabled"
    ownership = tf.resource("aws_s3_bucket_ownership_controls", "results")["rule"][0]
    assert ownership["object_ownership"] == "BucketOwnerEnforced"
    assert tf.resource("aws_s3_bucket_policy", "results")["bucket"] == "${aws_s3_bucket.results.id}"


def test_athena_query_results_have_their_own_expiring_prefix(tf: TerraformConfig) -> None:
    # given the bucket's lifecycle rules
    rules = {r["id"]: r for r in tf.resource("aws_s3_bucket_lifecycle_configuration", "results")["rule"]}
    # then Athena's results prefix expires, and that prefix is where the workgroup writes
    athena = rules["expire-athena-query-results"]
    assert athena["filter"][0]["prefix"] == "${local.athena_results_prefix}/"
    assert athena["expiration"][0]["days"] == "${var.athena_results_expiration_days}"
    output = tf.resource("aws_athena_workgroup", "sweep")["configuration"][0]["result_configuration"][0]
    assert output["output_location"] == "s3://${aws_s3_bucket.results.bucket}/${local.athena_results_prefix}/"
    # and it is not inside the datasets' prefix (the defaults differ at the top level)
    assert not tf.variables["athena_results_prefix"]["default"].startswith(tf.variables["results_prefix"]["default"])
    assert "abort_incomplete_multipart_upload" in rules["tidy-everything"]


def test_workgroup_enforces_location_encryption_and_a_scan_cutoff(tf: TerraformConfig) -> None:
    config = tf.resource("aws_athena_workgroup", "sweep")["configuration"][0]
    assert config["enforce_workgroup_configuration"] is True
    assert config["bytes_scanned_cutoff_per_query"] == "${var.athena_bytes_scanned_cutoff}"
    assert tf.variables["athena_bytes_scanned_cutoff"]["default"] >= 10 * 1024 * 1024
    encryption = config["result_configuration"][0]["encryption_configuration"][0]
    assert encryption["encryption_option"] == "SSE_KMS"
    assert tf.resource("aws_glue_catalog_database", "sweep")["name"] == "${var.glue_database_name}"


def test_glue_database_default_is_the_athena_sql_database(tf: TerraformConfig) -> None:
    from pipeline.athena.settings import DEFAULT_DATABASE

    assert tf.variables["glue_database_name"]["default"] == DEFAULT_DATABASE


def test_ecr_repositories_scan_keep_immutable_tags_and_expire_old_images(tf: TerraformConfig) -> None:
    repository = tf.resource("aws_ecr_repository", "function")
    assert repository["for_each"] == "${local.repositories}"
    assert set(tf.locals["repositories"]) == {"parent", "child"}
    assert repository["image_tag_mutability"] == "IMMUTABLE"
    assert repository["image_scanning_configuration"][0]["scan_on_push"] is True
    assert repository["encryption_configuration"][0]["encryption_type"] == "KMS"
    lifecycle = tf.resource("aws_ecr_lifecycle_policy", "function")["policy"]
    assert 'countType = "imageCountMoreThan"' in lifecycle and "countNumber = var.ecr_keep_images" in lifecycle


def test_outputs_cover_what_operators_and_the_release_need(tf: TerraformConfig) -> None:
    assert {
        "api_url",
        "results_bucket",
        "athena_query_policy_arn",
        "parent_function_name",
        "child_function_name",
        "parent_repository_url",
        "child_repository_url",
    } <= set(tf.outputs)
    assert tf.outputs["parent_repository_url"]["value"] == '${aws_ecr_repository.function["parent"].repository_url}'
    assert all(o.get("description") for o in tf.outputs.values())


def test_versions_are_pinned(tf: TerraformConfig) -> None:
    [block] = tf.terraform
    assert re.fullmatch(r">= 1\.11\.\d+, < 2\.0\.0", block["required_version"])
    aws = block["required_providers"][0]["aws"]
    assert aws["source"] == "hashicorp/aws"
    assert re.fullmatch(r"= \d+\.\d+\.\d+", aws["version"]), "the provider is pinned to one exact version"


def test_every_variable_is_described_and_typed(tf: TerraformConfig) -> None:
    for name, variable in tf.variables.items():
        assert variable.get("description") and variable.get("type"), name


def test_example_variables_are_declared_and_hold_no_images_or_secrets(tf: TerraformConfig) -> None:
    # given the example variables file
    example = load_hcl(EXAMPLE_VAR_FILE)
    # then each setting is a declared variable, and images and credentials are not among them
    assert set(example) <= set(tf.variables)
    assert not {"parent_image_uri", "child_image_uri", "code_version"} & set(example)
    assert not any(re.search(r"secret|password|access_key|token", name) for name in example)
    assert not re.search(r"AKIA[0-9A-Z]{16}|aws_secret_access_key", EXAMPLE_VAR_FILE.read_text())
