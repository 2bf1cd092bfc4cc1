"""Bootstrap settings: bucket names and URIs, prefixes, database names, run_ids."""

from __future__ import annotations

import pytest

from pipeline.athena.exceptions import SettingInvalid
from pipeline.athena.settings import BootstrapSettings, parse_results_bucket, parse_s3_location, validate_run_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("my-bucket", ("my-bucket", None)),
        ("s3://my-bucket", ("my-bucket", None)),
        ("s3://my-bucket/", ("my-bucket", None)),
        ("s3://my-bucket/team/sweeps", ("my-bucket", "team/sweeps")),
        ("s3://my-bucket/team/sweeps/", ("my-bucket", "team/sweeps")),
        ("s3://my.bucket-1/serverless-sweeps/outcomes", ("my.bucket-1", "serverless-sweeps")),
    ],
)
def test_results_bucket_is_a_plain_name_or_an_s3_uri_with_optional_prefix(value: str, expected: tuple) -> None:
    # when the --results-bucket value is parsed, then bucket and prefix come apart
    assert parse_results_bucket(value) == expected


@pytest.mark.parametrize(
    "value", ["My_Bucket", "ab", "https://my-bucket/x", "my-bucket/x", "s3://", "s3://bad..name", "s3://b'x"]
)
def test_a_bad_results_bucket_is_refused_naming_the_option(value: str) -> None:
    with pytest.raises(SettingInvalid, match="--results-bucket"):
        parse_results_bucket(value)


def test_prefix_defaults_to_the_layouts_and_comes_from_the_uri_or_the_option() -> None:
    # given a bucket with no prefix, a bucket URI with one, and a name plus --results-prefix
    # then each yields the prefix the results were written under
    assert BootstrapSettings.from_options("b-1").prefix == "serverless-sweeps"
    assert BootstrapSettings.from_options("s3://b-1/a/b").prefix == "a/b"
    assert BootstrapSettings.from_options("b-1", "/a/b/").prefix == "a/b"
    assert BootstrapSettings.from_options("s3://b-1/a/b", "a/b").prefix == "a/b"


def test_the_runbooks_outcomes_prefix_names_the_same_layout() -> None:
    # given the runbook's form, which names the outcomes folder itself
    settings = BootstrapSettings.from_options("results", "serverless-sweeps/outcomes")
    # then the tables still point at <prefix>/outcomes, not <prefix>/outcomes/outcomes
    assert settings.outcomes_location == "s3://results/serverless-sweeps/outcomes"


@pytest.mark.parametrize(("projection", "enabled"), [(False, "false"), (True, "true")])
def test_the_projection_flag_becomes_the_ddl_projection_enabled_value(projection: bool, enabled: str) -> None:
    # when the settings are made with or without --projection
    settings = BootstrapSettings.from_options("b-1", projection=projection)
    # then the DDL templates get projection.enabled as Athena spells it, with the other two variables
    assert settings.variables() == {
        "database": "serverless_sweep",
        "outcomes_location": "s3://b-1/serverless-sweeps/outcomes",
        "projection_enabled": enabled,
    }


def test_a_prefix_in_the_uri_that_differs_from_the_option_is_refused() -> None:
    with pytest.raises(SettingInvalid, match="--results-prefix"):
        BootstrapSettings.from_options("s3://b-1/a", "b")


@pytest.mark.parametrize("prefix", ["", "/", "a b", "a'b", "a/$x", "a//b"])
def test_a_prefix_that_could_change_the_sql_is_refused(prefix: str) -> None:
    with pytest.raises(SettingInvalid, match="--results-prefix"):
        BootstrapSettings.from_options("b-1", prefix)


@pytest.mark.parametrize("database", ["Sweeps", "1sweeps", "sweep-db", "a;drop", ""])
def test_a_database_name_outside_lower_case_letters_digits_and_underscore_is_refused(database: str) -> None:
    with pytest.raises(SettingInvalid, match="--database"):
        BootstrapSettings(database=database, bucket="b-1")


def test_query_results_location_gets_its_trailing_slash() -> None:
    assert parse_s3_location("s3://q-results/athena", "--query-results-s3") == "s3://q-results/athena/"
    assert parse_s3_location("s3://q-results/", "--query-results-s3") == "s3://q-results/"
    with pytest.raises(SettingInvalid, match="--query-results-s3"):
        parse_s3_location("q-results/athena", "--query-results-s3")


def test_run_id_follows_the_request_schema() -> None:
    assert validate_run_id("demo-run-001") == "demo-run-001"
    for bad in ["Demo", "x'; drop table t; --", "ab", "-abc"]:
        with pytest.raises(SettingInvalid, match="--run-id"):
            validate_run_id(bad)
