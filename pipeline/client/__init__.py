"""A researcher's client: submit, watch, list, export and query sweeps, from Python or the shell.

``SweepClient`` (an API on AWS or the emulator, or ``SweepClient.local(out_dir)``) and
``Run`` are the Python API; ``python -m pipeline submit | runs | results | sql`` (also
``sweep …``) is the command line over them (``pipeline.client.cli``)."""

from pipeline.client.client import Request, Run, RunInfo, RunState, SweepClient
from pipeline.client.constants import ExportFormat, Signing, SqlFormat
from pipeline.client.datasets import DATASETS, export_table
from pipeline.client.exceptions import (
    ApiUnreachable,
    DatasetUnknown,
    DispatchIncomplete,
    QueryFailed,
    QueryRefused,
    RequestUnreadable,
    SigningUnavailable,
    SourceMissing,
    SubmitRefused,
)

__all__ = [
    "DATASETS",
    "ApiUnreachable",
    "DatasetUnknown",
    "DispatchIncomplete",
    "ExportFormat",
    "QueryFailed",
    "QueryRefused",
    "Request",
    "RequestUnreadable",
    "Run",
    "RunInfo",
    "RunState",
    "Signing",
    "SigningUnavailable",
    "SourceMissing",
    "SqlFormat",
    "SubmitRefused",
    "SweepClient",
    "export_table",
]
