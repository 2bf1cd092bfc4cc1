"""The small AWS side of the sweep: S3 as an ObjectStore, Lambda as an Invoker, clients, config."""

from aws_adapters.clients import client, lambda_client, resolve_endpoint_url, s3_client
from aws_adapters.config import ChildConfig, ParentConfig
from aws_adapters.exceptions import ConfigInvalid, InvokeRejected
from aws_adapters.lambda_invoker import LambdaInvoker
from aws_adapters.s3_store import S3Store

__all__ = [
    "ChildConfig",
    "ConfigInvalid",
    "InvokeRejected",
    "LambdaInvoker",
    "ParentConfig",
    "S3Store",
    "client",
    "lambda_client",
    "resolve_endpoint_url",
    "s3_client",
]
