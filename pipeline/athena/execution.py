"""Statements run on Athena one at a time: start, wait for a final state, fetch rows.

Works against AWS or any endpoint that speaks the Athena API (the emulator);
the client is anything with boto3's four Athena calls used here."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from aws_adapters import client
from pipeline.athena.exceptions import StatementFailed
from pipeline.athena.render import Statement

FINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
DEFAULT_TIMEOUT_SECONDS = 1800.0  # MSCK REPAIR over many runs can take minutes
POLL_FIRST_SECONDS = 0.2
POLL_MAX_SECONDS = 2.0


class AthenaApi(Protocol):
    """The boto3 Athena client calls used here."""

    def start_query_execution(self, **kwargs: Any) -> dict[str, Any]: ...

    def get_query_execution(self, **kwargs: Any) -> dict[str, Any]: ...

    def get_query_results(self, **kwargs: Any) -> dict[str, Any]: ...

    def stop_query_execution(self, **kwargs: Any) -> dict[str, Any]: ...


def athena_client(endpoint_url: str | None = None, region: str | None = None) -> AthenaApi:
    """An Athena client at the project's endpoint resolution (argument, ``AWS_ENDPOINT_URL``, LocalStack's)."""
    return client("athena", endpoint_url=endpoint_url, region_name=region)


@dataclass(frozen=True)
class Target:
    """Where statements run: the workgroup, the database queries resolve tables in, the results folder."""

    workgroup: str
    database: str | None = None
    output_location: str | None = None


@dataclass(frozen=True)
class Execution:
    """A statement that reached SUCCEEDED."""

    statement: Statement
    execution_id: str
    statement_type: str
    elapsed_ms: int | None


@dataclass(frozen=True)
class ResultRows:
    """A finished statement's columns and rows, every value as Athena's text (NULL as None)."""

    columns: list[str]
    rows: list[list[str | None]]


class AthenaRunner:
    """Runs statements against one target and waits for each to finish."""

    def __init__(
        self,
        client: AthenaApi,
        target: Target,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.target = target
        self.timeout_seconds = timeout_seconds
        self._sleep = sleep
        self._clock = clock

    def _start_request(self, statement: Statement, parameters: Sequence[str]) -> dict[str, Any]:
        request: dict[str, Any] = {"QueryString": statement.sql, "WorkGroup": self.target.workgroup}
        if self.target.database:
            request["QueryExecutionContext"] = {"Database": self.target.database}
        if self.target.output_location:
            request["ResultConfiguration"] = {"OutputLocation": self.target.output_location}
        if parameters:
            request["ExecutionParameters"] = list(parameters)
        return request

    def run(self, statement: Statement, parameters: Sequence[str] = ()) -> Execution:
        """Start the statement and wait; StatementFailed unless it SUCCEEDED."""
        try:
            started = self.client.start_query_execution(**self._start_request(statement, parameters))
        except (ClientError, BotoCoreError) as error:
            raise StatementFailed(statement.source, "REJECTED", str(error)) from error
        execution_id = started["QueryExecutionId"]
        execution = self._wait(statement, execution_id)
        status = execution["Status"]
        if status["State"] != "SUCCEEDED":
            raise StatementFailed(statement.source, status["State"], status.get("StateChangeReason", ""))
        elapsed = execution.get("Statistics", {}).get("TotalExecutionTimeInMillis")
        return Execution(statement, execution_id, execution.get("StatementType", ""), elapsed)

    def _wait(self, statement: Statement, execution_id: str) -> dict[str, Any]:
        deadline = self._clock() + self.timeout_seconds
        pause = POLL_FIRST_SECONDS
        while True:
            execution = self.client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
            if execution["Status"]["State"] in FINAL_STATES:
                return execution
            if self._clock() >= deadline:
                self.client.stop_query_execution(QueryExecutionId=execution_id)
                reason = f"still {execution['Status']['State']} after {self.timeout_seconds:g} s; stopped"
                raise StatementFailed(statement.source, "TIMEOUT", reason)
            self._sleep(pause)
            pause = min(pause * 2, POLL_MAX_SECONDS)

    def results(self, execution: Execution) -> ResultRows:
        """Every row of a finished statement; a query's header row is dropped."""
        columns: list[str] = []
        rows: list[list[str | None]] = []
        request: dict[str, Any] = {"QueryExecutionId": execution.execution_id}
        while True:
            page = self.client.get_query_results(**request)
            result_set = page["ResultSet"]
            page_rows = [[datum.get("VarCharValue") for datum in row["Data"]] for row in result_set["Rows"]]
            if "NextToken" not in request:
                columns = [c["Name"] for c in result_set["ResultSetMetadata"]["ColumnInfo"]]
                if execution.statement_type == "DML" and page_rows[:1] == [columns]:
                    page_rows = page_rows[1:]  # Athena repeats the column names as a query's first row
            rows.extend(page_rows)
            if "NextToken" not in page:
                return ResultRows(columns, rows)
            request["NextToken"] = page["NextToken"]
