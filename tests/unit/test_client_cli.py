"""The client's command-line surface and its small parsers (no sweep, no network)."""

from __future__ import annotations

import argparse
import tomllib

import pytest

from pipeline.cli import CONSOLE_SCRIPT, build_parser, main
from pipeline.client.backends import source_from_results_prefix, summary_from_json
from pipeline.client.cli import OptionDefaults
from pipeline.client.exceptions import QueryRefused, SourceMissing
from pipeline.client.http import ApiAnswer
from pipeline.client.signing import api_region
from pipeline.client.sql import check_read_only
from pipeline.paths import REPO_ROOT

NEW_COMMANDS = ("submit", "runs", "results", "sql")


def _subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser(command)
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    chosen: argparse.ArgumentParser = action.choices[command]
    return chosen


@pytest.mark.parametrize("command", NEW_COMMANDS)
def test_help_names_every_option_with_its_default(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    # when a new command's --help is printed
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert done.value.code == 0
    # then each option is named, and its help says its default or that it is required
    for action in _subparser(command)._actions:
        if not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        assert action.option_strings[-1] in text
        formatted = " ".join(OptionDefaults("x")._get_help_string(action).split())
        assert "default" in formatted or formatted.endswith("(required)"), (command, action.dest, formatted)
        if action.default not in (None, False):
            assert f"(default: {action.default})" in text, (command, action.dest)


def test_the_console_script_is_the_pipeline_cli() -> None:
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts[CONSOLE_SCRIPT].partition(":")
    assert (module, function) == ("pipeline.cli", "main")
    assert (REPO_ROOT / "pipeline" / "py.typed").is_file()


def test_submit_without_an_api_url_or_local_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["submit", "request.json"])
    assert done.value.code == 2 and "--api-url is required" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["submit", "request.json", "--local"])
    assert "--local needs --out DIR" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "region"),
    [
        ("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1/sweeps", "eu-west-1"),
        ("https://a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn/v1/sweeps", "cn-north-1"),
        ("http://127.0.0.1:4566/restapis/abc/v1/_user_request_/sweeps", None),
        ("https://sweeps.example.org/", None),
    ],
)
def test_the_signing_region_comes_from_an_api_gateway_host(url: str, region: str | None) -> None:
    assert api_region(url) == region


def test_the_results_location_comes_from_the_parents_summary() -> None:
    source = source_from_results_prefix("s3://sweep-results/serverless-sweeps/outcomes", "http://127.0.0.1:1")
    assert (source.location, source.prefix, source.endpoint_url) == (
        "s3://sweep-results",
        "serverless-sweeps",
        "http://127.0.0.1:1",
    )
    for odd in ("/tmp/out/serverless-sweeps/outcomes", "s3://bucket/outcomes", "s3://bucket/x/data"):
        with pytest.raises(SourceMissing, match="give the source explicitly"):
            source_from_results_prefix(odd, None)


def test_the_summary_json_becomes_the_parents_type() -> None:
    summary = summary_from_json(
        {
            "run_id": "r-1",
            "points_total": 2,
            "results_prefix": "s3://b/p/outcomes",
            "duplicate": False,
            "shards_dispatched": 1,
            "dispatches": [
                {"shard_id": 0, "point_count": 1, "status": "dispatched", "status_code": 202, "request_id": "x"},
                {"shard_id": 1, "point_count": 1, "status": "failed", "status_code": None, "error": "boom"},
            ],
        }
    )
    assert not summary.complete and summary.http_status == 502 and summary.dispatches[1].error == "boom"


@pytest.mark.parametrize(
    ("status", "body", "messages"),
    [
        (400, b'{"message": "Invalid request", "errors": ["seed: required"]}', ["seed: required"]),
        (400, b'{"message": "Invalid request body"}', ["Invalid request body"]),
        (403, b'{"message": "Missing Authentication Token"}', ["Missing Authentication Token"]),
        (500, b"<html>oops</html>", ["<html>oops</html>"]),
        (504, b"", ["HTTP 504 with an empty body"]),
        (500, b"x" * 2000, ["x" * 500]),
    ],
)
def test_an_answer_says_what_was_wrong(status: int, body: bytes, messages: list[str]) -> None:
    assert ApiAnswer(status, body).messages() == messages


@pytest.mark.parametrize(
    "query", ["SELECT 1", "WITH q AS (SELECT 1) SELECT * FROM q", "EXPLAIN SELECT 1", "SELECT 1; SELECT 2"]
)
def test_queries_pass_the_read_only_check(query: str) -> None:
    check_read_only(query)


@pytest.mark.parametrize("statement", ["INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "PRAGMA threads=1", ""])
def test_anything_else_is_refused(statement: str) -> None:
    with pytest.raises(QueryRefused):
        check_read_only(statement)
