"""Least privilege, read off the policy documents: who may do what, on which resources."""

from __future__ import annotations

import json
import re

import pytest

from sim.datasets import layout
from tests.infra.conftest import TerraformConfig

# Actions AWS authorizes only on "*" (no resource-level permissions): the one allowed exception.
RESOURCE_STAR_ONLY = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
DOCUMENTS = ("parent", "child", "athena_query", "api_invoke", "results_bucket", "ecr_lambda_pull")


def allows(tf: TerraformConfig, document: str) -> list[dict]:
    return [s for s in tf.statements(document) if s.get("effect", "Allow") == "Allow"]


def actions_of(tf: TerraformConfig, document: str, service: str) -> list[tuple[str, dict]]:
    return [(a, s) for s in allows(tf, document) for a in s["actions"] if a.startswith(f"{service}:")]


def expand_locals(tf: TerraformConfig, text: str, results_prefix: str) -> str:
    """Resolve ${local.x} and ${var.results_prefix} references to compare key prefixes with sim's layout."""
    for _ in range(5):
        text = text.replace("${var.results_prefix}", results_prefix)
        text = re.sub(r"\$\{local\.(\w+)\}", lambda m: str(tf.locals[m.group(1)]), text)
    return text


def test_every_policy_is_a_policy_document(tf: TerraformConfig) -> None:
    # given every resource that carries an IAM policy
    attached = [
        *(p["policy"] for p in tf.resources["aws_iam_role_policy"].values()),
        *(p["policy"] for p in tf.resources["aws_iam_policy"].values()),
        tf.resource("aws_s3_bucket_policy", "results")["policy"],
        tf.resource("aws_ecr_repository_policy", "function")["policy"],
    ]
    # then each comes from a policy document, so the statement checks below cover all of them
    assert all(re.fullmatch(r"\$\{data\.aws_iam_policy_document\.\w+\.json\}", p) for p in attached), attached
    assert set(DOCUMENTS) <= set(tf.data["aws_iam_policy_document"])


@pytest.mark.parametrize("document", DOCUMENTS)
def test_no_allow_statement_uses_wildcard_actions_or_resources(tf: TerraformConfig, document: str) -> None:
    for statement in allows(tf, document):
        # no "*" or "service:*" actions anywhere
        assert not any(a == "*" or a.endswith(":*") for a in statement["actions"]), statement
        # resource "*" only for actions that AWS authorizes on "*" alone
        if "*" in statement.get("resources", []):
            assert set(statement["actions"]) <= RESOURCE_STAR_ONLY, statement


def test_kms_key_policy_names_its_principals(tf: TerraformConfig) -> None:
    # given the key policy (in a key policy, Resource "*" means the key itself)
    policy = tf.resource("aws_kms_key", "sweep")["policy"]
    # then its principals are the account (whose IAM policies decide) and CloudWatch Logs,
    # the latter limited to this stack's log groups
    assert re.search(r'Principal = \{AWS = "arn:\$\{local\.partition\}:iam::\$\{local\.account_id\}:root"\}', policy)
    assert 'Principal = {Service = "logs.${local.region}.amazonaws.com"}' in policy
    assert '"kms:EncryptionContext:aws:logs:arn" = [for name in local.log_group_names' in policy
    assert 'Principal = "*"' not in policy and 'AWS = "*"' not in policy


def test_parent_can_invoke_only_the_child(tf: TerraformConfig) -> None:
    # given the parent's Lambda permissions
    invokes = actions_of(tf, "parent", "lambda")
    # then it may only invoke, and only the child function (by its exact ARN)
    assert [a for a, _ in invokes] == ["lambda:InvokeFunction"]
    assert invokes[0][1]["resources"] == ["${local.child_function_arn}"]
    assert tf.locals["child_function_arn"].endswith(":function:${local.child_function_name}")
    assert tf.resource("aws_lambda_function", "child")["function_name"] == "${local.child_function_name}"
    # and nobody else gets Lambda permissions
    assert not actions_of(tf, "child", "lambda") and not actions_of(tf, "athena_query", "lambda")


def test_parent_reads_and_writes_only_run_manifests(tf: TerraformConfig) -> None:
    s3 = actions_of(tf, "parent", "s3")
    assert sorted(a for a, _ in s3) == ["s3:GetObject", "s3:PutObject"]
    resources = {r for _, s in s3 for r in s["resources"]}
    assert resources == {"${local.results_bucket_arn}/${local.runs_prefix}/*"}
    # the runs prefix is where sim's layout puts manifests
    runs = expand_locals(tf, "${local.runs_prefix}/", "pfx")
    assert layout.manifest_key("run-1", "pfx").startswith(runs)


def test_child_writes_only_outcomes_and_reads_nothing(tf: TerraformConfig) -> None:
    s3 = actions_of(tf, "child", "s3")
    # then it may put objects and list, nothing else (no GetObject: it reads nothing)
    assert sorted(a for a, _ in s3) == ["s3:ListBucket", "s3:PutObject"]
    put = next(s for a, s in s3 if a == "s3:PutObject")
    assert put["resources"] == ["${local.results_bucket_arn}/${local.outcomes_prefix}/*"]
    outcomes = expand_locals(tf, "${local.outcomes_prefix}/", "pfx")
    assert outcomes == layout.outcomes_prefix("pfx") + "/"
    for dataset in ("shard_metrics", "trip_data", "snapshot_counts", "shard_outcomes"):
        assert layout.data_key(dataset, "run-1", 3, "pfx").startswith(outcomes)
    assert not layout.manifest_key("run-1", "pfx").startswith(outcomes)


def test_child_lists_only_shard_outcomes_to_number_its_attempt(tf: TerraformConfig) -> None:
    # given the child's ListBucket statement
    listing = next(s for a, s in actions_of(tf, "child", "s3") if a == "s3:ListBucket")
    # then it is limited by an s3:prefix condition to the shard_outcomes dataset
    assert listing["resources"] == ["${local.results_bucket_arn}"]
    [condition] = listing["condition"]
    assert (condition["test"], condition["variable"]) == ("StringLike", "s3:prefix")
    [allowed] = condition["values"]
    pattern = expand_locals(tf, allowed, "pfx")
    like = re.compile(re.escape(pattern).replace(r"\*", ".*"))
    assert like.fullmatch(layout.shard_prefix("shard_outcomes", "run-1", 7, "pfx"))
    assert not like.fullmatch(layout.shard_prefix("trip_data", "run-1", 7, "pfx"))


def test_child_may_not_decrypt_results(tf: TerraformConfig) -> None:
    # kms:Decrypt through S3 would be a read path: the child gets GenerateDataKey only there
    for action, statement in actions_of(tf, "child", "kms"):
        via = {v for c in statement.get("condition", []) for v in c["values"]}
        if action == "kms:Decrypt":
            assert via == {"${local.sqs_service}"}
        assert statement["condition"][0]["variable"] == "kms:ViaService"


@pytest.mark.parametrize("function", ["parent", "child"])
def test_functions_log_only_to_their_own_log_group(tf: TerraformConfig, function: str) -> None:
    logs = actions_of(tf, function, "logs")
    assert sorted(a for a, _ in logs) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert {r for _, s in logs for r in s["resources"]} == {f'${{aws_cloudwatch_log_group.stack["{function}"].arn}}:*'}
    assert tf.resource("aws_lambda_function", function)["logging_config"][0]["log_group"] == (
        f'${{aws_cloudwatch_log_group.stack["{function}"].name}}'
    )


def test_lambda_roles_trust_only_lambda(tf: TerraformConfig) -> None:
    [statement] = tf.statements("lambda_assume")
    assert statement["actions"] == ["sts:AssumeRole"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}]
    for function in ("parent", "child"):
        role = tf.resource("aws_iam_role", function)
        assert role["assume_role_policy"] == "${data.aws_iam_policy_document.lambda_assume.json}"


def test_athena_query_policy_reads_only_the_datasets(tf: TerraformConfig) -> None:
    # given the analysts' policy
    athena = actions_of(tf, "athena_query", "athena")
    on_workgroup = {a for a, s in athena if s["resources"] == ["${aws_athena_workgroup.sweep.arn}"]}
    assert {"athena:StartQueryExecution", "athena:GetQueryResults"} <= on_workgroup
    # then objects are read under outcomes/ and the query-results prefix only (never runs/)
    s3 = actions_of(tf, "athena_query", "s3")
    reads = {r for a, s in s3 if a == "s3:GetObject" for r in s["resources"]}
    assert reads == {
        "${local.results_bucket_arn}/${local.outcomes_prefix}/*",
        "${local.results_bucket_arn}/${local.athena_results_prefix}/*",
    }
    writes = {r for a, s in s3 if a == "s3:PutObject" for r in s["resources"]}
    assert writes == {"${local.results_bucket_arn}/${local.athena_results_prefix}/*"}
    listing = next(s for a, s in s3 if a == "s3:ListBucket")
    assert listing["condition"][0]["variable"] == "s3:prefix"
    # and the policy is exported for attaching to an analyst's role
    assert tf.outputs["athena_query_policy_arn"]["value"] == "${aws_iam_policy.athena_query.arn}"


def test_callers_may_post_sweeps_and_nothing_else(tf: TerraformConfig) -> None:
    [statement] = tf.statements("api_invoke")
    assert statement["actions"] == ["execute-api:Invoke"]
    assert statement["resources"] == [
        "${aws_api_gateway_rest_api.sweeps.execution_arn}/${var.api_stage_name}/POST/"
        "${aws_api_gateway_resource.sweeps.path_part}"
    ]
    assert tf.outputs["api_invoke_policy_arn"]["value"] == "${aws_iam_policy.api_invoke.arn}"


def test_results_bucket_policy_denies_anything_but_tls(tf: TerraformConfig) -> None:
    statements = list(tf.statements("results_bucket"))
    assert all(s["effect"] == "Deny" for s in statements)
    conditions = {(c["test"], c["variable"], tuple(c["values"])) for s in statements for c in s["condition"]}
    assert ("Bool", "aws:SecureTransport", ("false",)) in conditions
    assert ("NumericLessThan", "s3:TlsVersion", ("1.2",)) in conditions


def test_ecr_lets_only_this_stacks_functions_pull(tf: TerraformConfig) -> None:
    [statement] = tf.statements("ecr_lambda_pull")
    assert sorted(statement["actions"]) == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}]
    [condition] = statement["condition"]
    assert condition["values"] == ["${local.parent_function_arn}", "${local.child_function_arn}"]


def test_policies_use_json_only_through_documents(tf: TerraformConfig) -> None:
    # the only hand-written JSON policies are the key policy and the ECR lifecycle rules
    inline = [
        (type_, name)
        for type_, named in tf.resources.items()
        for name, body in named.items()
        if "jsonencode(" in json.dumps(body.get("policy", ""))
    ]
    assert sorted(inline) == [("aws_ecr_lifecycle_policy", "function"), ("aws_kms_key", "sweep")]
