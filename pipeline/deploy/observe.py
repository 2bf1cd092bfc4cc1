"""What the functions did, as CloudWatch shows it (Logs and the AWS/Lambda metrics)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

START_LINE = "START RequestId:"
METRIC_WINDOW = timedelta(hours=1)


def executions(logs: Any, function_name: str) -> int:
    """Times the function ran (every attempt, however it was invoked): its START log lines."""
    paginator = logs.get_paginator("filter_log_events")
    try:
        return sum(
            event["message"].startswith(START_LINE)
            for page in paginator.paginate(logGroupName=f"/aws/lambda/{function_name}")
            for event in page.get("events", [])
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return 0  # no log group: never ran
        raise


def invocations(cloudwatch: Any, function_name: str, window: timedelta = METRIC_WINDOW) -> int:
    """Invoke calls the function accepted in the last ``window`` (its ``Invocations`` metric)."""
    now = datetime.now(UTC)
    response = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Invocations",
        Dimensions=[{"Name": "FunctionName", "Value": function_name}],
        StartTime=now - window,
        EndTime=now + timedelta(minutes=1),
        Period=60,
        Statistics=["Sum"],
    )
    return int(sum(point["Sum"] for point in response.get("Datapoints", [])))
