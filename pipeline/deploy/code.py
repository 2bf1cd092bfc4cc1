"""Function code as the deployer takes it: a zip package or a container image."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipeline.deploy.constants import HANDLER
from pipeline.envs.constants import RUNTIME


class FunctionCode(Protocol):
    """A function's code: staged where Lambda can fetch it, then named in Create/UpdateFunctionCode."""

    @property
    def package_type(self) -> str:
        """``Zip`` or ``Image``."""
        ...

    def stage(self, s3: Any, artifacts_bucket: str, function_name: str) -> dict[str, str]:
        """Upload what needs uploading; the code location (CreateFunction's ``Code``, which has
        the same keys as UpdateFunctionCode's arguments)."""
        ...

    def runtime_settings(self) -> dict[str, str]:
        """CreateFunction's arguments that depend on the package type."""
        ...


@dataclass(frozen=True)
class ZipCode:
    """A zip package, uploaded to the artifacts bucket (it is over the 50 MB direct-upload limit)."""

    path: Path
    package_type: str = "Zip"

    def stage(self, s3: Any, artifacts_bucket: str, function_name: str) -> dict[str, str]:
        key = f"lambda/{function_name}/{Path(self.path).name}"
        s3.upload_file(str(self.path), artifacts_bucket, key)
        return {"S3Bucket": artifacts_bucket, "S3Key": key}

    def runtime_settings(self) -> dict[str, str]:
        return {"PackageType": "Zip", "Runtime": RUNTIME, "Handler": HANDLER}


@dataclass(frozen=True)
class ImageCode:
    """A container image by URI (``registry/repo@sha256:...`` pins a digest); nothing to upload."""

    uri: str
    package_type: str = "Image"

    def stage(self, s3: Any, artifacts_bucket: str, function_name: str) -> dict[str, str]:
        return {"ImageUri": self.uri}

    def runtime_settings(self) -> dict[str, str]:
        return {"PackageType": "Image"}
