"""Where a sweep runs, behind one protocol: a local directory with a process pool, or Lambda and
S3 (the emulator, or AWS).

A backend gives what operating a run needs: the results source (status, redrive and report read
it), the child invoker (redrive dispatches through it), the way a request reaches its parent,
and the command-line options that address its results and its child. ``redrive`` picks the one that ran the run; the
test suite in ``tests/backends`` runs the same tests on each (``pytest --backend NAME``), as
Lithops' tests do."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import wait
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from aws_adapters import LambdaInvoker, lambda_client
from aws_adapters.constants import CHILD_FUNCTION_NAME_ENV
from pipeline.deploy.types import Deployment
from pipeline.local.invoker import ProcessPoolInvoker
from pipeline.local.runner import run_local
from pipeline.ops.exceptions import RedriveBackendMissing
from pipeline.results import ResultsSource
from pipeline.version import code_version
from sim.contract import RequestInvalid, parse_request
from sim.invoke import Invoker

__all__ = ["Backend", "LambdaBackend", "LocalBackend", "Submission", "backend_for", "child_function"]

BAD_REQUEST = 400


@dataclass(frozen=True)
class Submission:
    """The parent's answer to a request: its HTTP status and body."""

    status: int
    answer: dict[str, Any]


class Backend(Protocol):
    """A place sweeps run: local, the emulator or AWS."""

    @property
    def name(self) -> str:
        """Recorded in a redrive's manifest entry: ``lambda:<child function>`` or ``local``."""
        ...

    @property
    def source(self) -> ResultsSource: ...

    def child_invoker(self) -> AbstractContextManager[Invoker]:
        """The child's invoker, for the block; a local pool has run its shards when the block exits."""
        ...

    def submit(self, body: Mapping[str, Any]) -> Submission:
        """Hand a request body to the parent, as a client does."""
        ...

    def source_options(self) -> list[str]:
        """The options of ``python -m pipeline status|redrive|report`` that address its results."""
        ...

    def dispatch_options(self) -> list[str]:
        """The options of ``python -m pipeline redrive`` that address its child."""
        ...


@dataclass(frozen=True)
class LocalBackend:
    """``run --local``'s: the bucket layout under a directory, shards in a process pool."""

    root: Path
    workers: int | None = None

    @property
    def name(self) -> str:
        return "local"

    @property
    def source(self) -> ResultsSource:
        return ResultsSource(str(self.root))

    @contextmanager
    def child_invoker(self) -> Iterator[Invoker]:
        pool = ProcessPoolInvoker(str(self.root), code_version(), workers=self.workers)
        try:
            yield pool
            wait(pool.futures)
        finally:
            pool.shutdown()

    def submit(self, body: Mapping[str, Any]) -> Submission:
        """Runs the whole sweep before it answers (there is no queue between parent and children)."""
        try:
            request = parse_request(dict(body))
        except RequestInvalid as invalid:
            return Submission(BAD_REQUEST, {"errors": invalid.errors})
        summary = run_local(request, self.root, workers=self.workers).summary
        return Submission(summary.http_status, summary.to_json())

    def source_options(self) -> list[str]:
        return ["--source", str(self.root)]

    def dispatch_options(self) -> list[str]:
        return [] if self.workers is None else ["--workers", str(self.workers)]


@dataclass(frozen=True)
class LambdaBackend:
    """The functions and the results bucket: on the emulator (``source.endpoint_url`` set) or AWS.

    A request goes to ``api_url`` (POSTed, unsigned, as through the emulator's API) or else to
    ``parent_function`` (invoked directly with the caller's credentials, as AWS's IAM-authorised
    API would need a signature); a backend built for a redrive only needs the child."""

    source: ResultsSource
    child_function: str
    api_url: str | None = None
    parent_function: str | None = None

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> LambdaBackend:
        """The stack the emulator deployer (``pipeline.deploy.deploy``) created."""
        source = ResultsSource(deployment.results_location, deployment.endpoint_url, deployment.results_prefix)
        return cls(source, deployment.child_function, api_url=deployment.api_url)

    @classmethod
    def from_terraform_outputs(cls, outputs: Mapping[str, Any]) -> LambdaBackend:
        """The stack Terraform applied in AWS (``terraform output -json`` values, infra/terraform/outputs.tf)."""
        source = ResultsSource(f"s3://{outputs['results_bucket']}", prefix=str(outputs["results_prefix"]))
        return cls(source, str(outputs["child_function_name"]), parent_function=str(outputs["parent_function_name"]))

    @property
    def name(self) -> str:
        return f"lambda:{self.child_function}"

    @contextmanager
    def child_invoker(self) -> Iterator[Invoker]:
        yield LambdaInvoker(self.child_function, lambda_client(endpoint_url=self.source.endpoint_url))

    def submit(self, body: Mapping[str, Any]) -> Submission:
        if self.api_url is not None:
            from pipeline.demo.http import post  # the demo's client: urllib, unsigned, as a user POSTs

            answer = post(self.api_url, json.dumps(body))
            return Submission(answer.status, answer.json())
        if self.parent_function is None:
            raise RedriveBackendMissing("parent: this Lambda backend knows neither the API's URL nor the parent")
        lambda_ = lambda_client(endpoint_url=self.source.endpoint_url)
        response = lambda_.invoke(FunctionName=self.parent_function, Payload=json.dumps(body))
        payload = json.loads(response["Payload"].read() or b"null")
        return Submission(int(payload["statusCode"]), payload["body"])

    def source_options(self) -> list[str]:
        endpoint = ["--endpoint-url", self.source.endpoint_url] if self.source.endpoint_url else []
        return ["--source", self.source.location, *endpoint]

    def dispatch_options(self) -> list[str]:
        return ["--child-function", self.child_function]


def child_function(explicit: str | None) -> str:
    """The child function: the argument, else ``CHILD_FUNCTION_NAME``."""
    name = explicit or os.environ.get(CHILD_FUNCTION_NAME_ENV, "").strip()
    if not name:
        raise RedriveBackendMissing(f"--child-function: required for an S3 source (or set {CHILD_FUNCTION_NAME_ENV})")
    return name


def backend_for(source: ResultsSource, *, function: str | None = None, workers: int | None = None) -> Backend:
    """The backend that ran a run, from where its results are: S3 means Lambda, a directory the pool."""
    if source.is_s3:
        return LambdaBackend(source, child_function(function))
    return LocalBackend(Path(source.location), workers)
