"""What a deployment is called and what it produced."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from aws_adapters import client
from pipeline.deploy.constants import DEFAULT_NAME_PREFIX, DEFAULT_STAGE
from sim.datasets import layout


@dataclass(frozen=True)
class DeploymentNames:
    """Every resource name, derived from one prefix (two prefixes: two independent stacks)."""

    prefix: str = DEFAULT_NAME_PREFIX
    stage: str = DEFAULT_STAGE
    results_prefix: str = layout.DEFAULT_PREFIX

    @property
    def results_bucket(self) -> str:
        return f"{self.prefix}-results"

    @property
    def artifacts_bucket(self) -> str:
        return f"{self.prefix}-artifacts"

    @property
    def parent_function(self) -> str:
        return f"{self.prefix}-parent"

    @property
    def child_function(self) -> str:
        return f"{self.prefix}-child"

    @property
    def failure_queue(self) -> str:
        return f"{self.prefix}-failed-shards"

    @property
    def rest_api(self) -> str:
        return f"{self.prefix}-api"

    def role(self, function: str) -> str:
        return f"{self.prefix}-{function}-role"


@dataclass(frozen=True)
class Deployment:
    """A deployed stack: where to POST, where results land, what the functions are called."""

    endpoint_url: str
    api_url: str
    results_bucket: str
    results_prefix: str
    parent_function: str
    child_function: str
    rest_api_id: str
    stage: str
    region: str
    failure_queue_url: str = ""

    @property
    def results_location(self) -> str:
        """The bucket as a ``pipeline.results.ResultsSource`` location."""
        return f"s3://{self.results_bucket}"

    def client(self, service: str) -> Any:
        """A boto3 client of this deployment's endpoint."""
        return client(service, endpoint_url=self.endpoint_url, region_name=self.region)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
