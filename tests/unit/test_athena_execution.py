"""The runner's request shape, waiting, timeout and result paging, against a recording stand-in
for the Athena API where the emulator cannot produce the case (a query that never finishes,
a result over several pages). Ordinary runs and failures are exercised on the emulator
(tests/e2e/test_athena_apply.py)."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.athena.apply import apply_statements, query_statement, run_athena_query, run_id_parameters
from pipeline.athena.exceptions import SettingInvalid, StatementFailed
from pipeline.athena.execution import AthenaRunner, Target
from pipeline.athena.render import Statement


class RecordingAthenaStandIn:
    """Answers each execution with the given sequence of states, then keeps the last one."""

    def __init__(self, states: list[str], reason: str = "", pages: list[dict[str, Any]] | None = None) -> None:
        self.states, self.reason, self.pages = states, reason, pages or []
        self.started: list[dict[str, Any]] = []
        self.stopped: list[str] = []
        self.result_requests: list[dict[str, Any]] = []
        self._polls = 0

    def start_query_execution(self, **kwargs: Any) -> dict[str, Any]:
        self.started.append(kwargs)
        self._polls = 0
        return {"QueryExecutionId": f"q-{len(self.started)}"}

    def get_query_execution(self, **kwargs: Any) -> dict[str, Any]:
        state = self.states[min(self._polls, len(self.states) - 1)]
        self._polls += 1
        status = {"State": state, "StateChangeReason": self.reason}
        return {"QueryExecution": {"Status": status, "StatementType": "DML", "Statistics": {}}}

    def get_query_results(self, **kwargs: Any) -> dict[str, Any]:
        self.result_requests.append(kwargs)
        return self.pages[len(self.result_requests) - 1]

    def stop_query_execution(self, **kwargs: Any) -> dict[str, Any]:
        self.stopped.append(kwargs["QueryExecutionId"])
        return {}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def runner(client: RecordingAthenaStandIn, clock: FakeClock, timeout: float = 60.0) -> AthenaRunner:
    target = Target(workgroup="wg", database="db", output_location="s3://q/")
    return AthenaRunner(client, target, timeout_seconds=timeout, sleep=clock.sleep, clock=lambda: clock.now)


def page(rows: list[list[str | None]], token: str | None = None) -> dict[str, Any]:
    result = {
        "ResultSet": {
            "Rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows],
            "ResultSetMetadata": {"ColumnInfo": [{"Name": "shard_id"}, {"Name": "status"}]},
        }
    }
    return result | ({"NextToken": token} if token else {})


def test_waits_through_queued_and_running_with_growing_pauses_recording_athena_stand_in() -> None:
    client, clock = RecordingAthenaStandIn(["QUEUED", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"]), FakeClock()
    execution = runner(client, clock).run(Statement("x.sql", "SELECT 1"))
    assert execution.execution_id == "q-1"
    assert clock.sleeps == [0.2, 0.4, 0.8, 1.6]
    assert client.started == [
        {
            "QueryString": "SELECT 1",
            "WorkGroup": "wg",
            "QueryExecutionContext": {"Database": "db"},
            "ResultConfiguration": {"OutputLocation": "s3://q/"},
        }
    ]


def test_a_statement_that_never_finishes_is_stopped_and_reported_recording_athena_stand_in() -> None:
    client, clock = RecordingAthenaStandIn(["RUNNING"]), FakeClock()
    with pytest.raises(StatementFailed, match=r"repair_table_trip_data.sql: TIMEOUT: still RUNNING after 10 s"):
        runner(client, clock, timeout=10).run(Statement("repair_table_trip_data.sql", "MSCK REPAIR TABLE t"))
    assert client.stopped == ["q-1"]


def test_plan_stops_at_the_first_failure_recording_athena_stand_in() -> None:
    # given a client on which every statement fails with a reason
    client, clock = RecordingAthenaStandIn(["FAILED"], reason="line 1:8: no viable alternative"), FakeClock()
    statements = [Statement("a.sql", "SELECT 1"), Statement("b.sql", "SELECT 2")]
    # when the plan is applied, then the first failure is raised with its file and reason
    with pytest.raises(StatementFailed) as failure:
        apply_statements(statements, runner(client, clock), report=lambda line: None)
    assert (failure.value.source, failure.value.state) == ("a.sql", "FAILED")
    assert "no viable alternative" in str(failure.value)
    # and the second statement was never sent
    assert [s["QueryString"] for s in client.started] == ["SELECT 1"]


def test_query_results_are_paged_and_the_header_row_dropped_recording_athena_stand_in() -> None:
    pages = [page([["shard_id", "status"], ["0", "succeeded"]], token="t1"), page([["1", None]])]
    client, clock = RecordingAthenaStandIn(["SUCCEEDED"], pages=pages), FakeClock()
    result = run_athena_query(runner(client, clock), "shard_coverage", "demo-run-001")
    assert result.columns == ["shard_id", "status"]
    assert result.rows == [["0", "succeeded"], ["1", None]]
    assert client.result_requests[1]["NextToken"] == "t1"


def test_the_run_id_is_sent_as_one_quoted_execution_parameter_per_placeholder_recording_athena_stand_in() -> None:
    client, clock = RecordingAthenaStandIn(["SUCCEEDED"], pages=[page([["shard_id", "status"]])]), FakeClock()
    run_athena_query(runner(client, clock), "run_level_profile", "demo-run-001")
    sent = client.started[0]
    assert "demo-run-001" not in sent["QueryString"]
    assert sent["ExecutionParameters"] == ["'demo-run-001'"] * sent["QueryString"].count("?")


def test_every_query_file_takes_the_run_id_only_as_parameters() -> None:
    for name in ("run_level_profile", "shard_coverage", "failure_diagnostics", "trip_snapshot_join"):
        statement = query_statement(name)
        assert len(run_id_parameters(statement.sql, "demo-run-001")) >= 1, name


def test_a_run_id_that_could_break_out_of_the_literal_is_refused_before_sending() -> None:
    with pytest.raises(SettingInvalid, match="--run-id"):
        run_id_parameters("SELECT 1 WHERE run_id = ?", "x' OR '1'='1")
