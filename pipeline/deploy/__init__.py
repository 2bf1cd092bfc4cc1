"""The emulator deployer: zip packages, the lock file, and the stack Terraform creates in AWS."""

from pipeline.deploy.code import FunctionCode, ImageCode, ZipCode
from pipeline.deploy.deployer import deploy
from pipeline.deploy.exceptions import DeployError, FunctionNotReady, PackagingFailed
from pipeline.deploy.package import build_zip
from pipeline.deploy.types import Deployment, DeploymentNames

__all__ = [
    "DeployError",
    "Deployment",
    "DeploymentNames",
    "FunctionCode",
    "FunctionNotReady",
    "ImageCode",
    "PackagingFailed",
    "ZipCode",
    "build_zip",
    "deploy",
]
