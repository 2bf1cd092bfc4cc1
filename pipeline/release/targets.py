"""Where a release or rollback applies an image pair: Terraform in AWS, or the emulator deployer.

Both take the same inputs, the digest-pinned ``ImageUris`` and the other Terraform ``-var``
values (``code_version``), and report the same ``Stack``: the function names and where results
land, which the smoke test and the ledger need. Terraform's command lines come from
``pipeline.infra.terraform_command``, the one place they are built."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from aws_adapters.constants import CODE_VERSION_ENV
from pipeline.deploy import DeploymentNames, ImageCode, deploy
from pipeline.deploy.functions import wait_ready
from pipeline.docker import DockerError, DockerUnavailable, TcpRelay, ensure_daemon, ensure_network
from pipeline.infra import ImageUris, TerraformAction, TerraformNotFound, terraform_command
from pipeline.infra.constants import TERRAFORM_DIR, TERRAFORM_EXECUTABLE
from pipeline.release.exceptions import ReleaseTargetError

CODE_VERSION_VAR = "code_version"
# Terraform outputs a release reads after its apply (infra/terraform/outputs.tf).
STACK_OUTPUTS = ("parent_function_name", "child_function_name", "results_bucket", "results_prefix")
TERRAFORM_ENV = {"TF_IN_AUTOMATION": "1"}


@dataclass(frozen=True)
class Stack:
    """The deployed functions and where their results land."""

    parent_function: str
    child_function: str
    results_bucket: str
    results_prefix: str


class Target(Protocol):
    """Applies an image pair and the other variables; ``name`` goes into the ledger's ``target``."""

    @property
    def name(self) -> str: ...

    def plan(self, images: ImageUris, variables: Mapping[str, str], plan_file: Path) -> None: ...

    def apply(self, images: ImageUris, variables: Mapping[str, str]) -> Stack: ...

    def stack(self) -> Stack:
        """The stack as it is now (before a rollback: where the ledger lives)."""
        ...

    def function_access(self) -> contextlib.AbstractContextManager[object]:
        """Held around apply and smoke test: whatever the functions need to reach their services."""
        ...


def live_images(lambda_: Any, stack: Stack) -> ImageUris:
    """The image pair the functions are configured with now (``get_function``'s ``Code.ImageUri``)."""
    uris = []
    for function in (stack.parent_function, stack.child_function):
        code = lambda_.get_function(FunctionName=function)["Code"]
        uris.append(code.get("ImageUri") or code.get("ResolvedImageUri", ""))
    return ImageUris(parent=uris[0], child=uris[1])


@dataclass
class TerraformTarget:
    """``terraform apply`` of infra/terraform with a tfvars file; output streamed to the console."""

    var_file: Path
    terraform: str = TERRAFORM_EXECUTABLE
    directory: Path = TERRAFORM_DIR
    name: str = "aws"

    def _run(self, argv: list[str], *, capture: bool = False) -> str:
        if shutil.which(argv[0]) is None:
            raise TerraformNotFound(f"{argv[0]!r} is not on PATH (Terraform >= 1.11 is needed to release to AWS)")
        done = subprocess.run(
            argv, env={**os.environ, **TERRAFORM_ENV}, stdout=subprocess.PIPE if capture else None, text=True
        )
        if done.returncode != 0:
            raise ReleaseTargetError(f"`terraform {argv[2]}` exited {done.returncode} (its output is above)")
        return done.stdout or ""

    def _command(self, action: TerraformAction, **arguments: Any) -> list[str]:
        return terraform_command(action, terraform=self.terraform, directory=self.directory, **arguments)

    def plan(self, images: ImageUris, variables: Mapping[str, str], plan_file: Path) -> None:
        plan_file.parent.mkdir(parents=True, exist_ok=True)
        self._run(
            self._command("plan", var_file=self.var_file, image_uris=images, variables=variables, plan_file=plan_file)
        )

    def apply(self, images: ImageUris, variables: Mapping[str, str]) -> Stack:
        self._run(self._command("apply", var_file=self.var_file, image_uris=images, variables=variables))
        return self.stack()

    def stack(self) -> Stack:
        raw = self._run(self._command("output"), capture=True)
        try:
            outputs = {name: entry["value"] for name, entry in json.loads(raw).items()}
            values = [str(outputs[name]) for name in STACK_OUTPUTS]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ReleaseTargetError(
                f"`terraform output -json` lacks {', '.join(STACK_OUTPUTS)} ({error!r}): has the stack been applied?"
            ) from error
        return Stack(*values)

    def function_access(self) -> contextlib.AbstractContextManager[object]:
        return contextlib.nullcontext()  # functions in AWS reach AWS


@dataclass
class EmulatorTarget:
    """The emulator deployer in Terraform's place: the functions' image and ``CODE_VERSION``.

    Where the stack has no image functions yet, the whole stack is deployed (``pipeline.deploy``,
    which replaces zip functions of the same names); after that an apply
    changes what a Terraform apply of new image variables changes, in place: each function's
    code (``update_function_code(ImageUri=…@sha256:…)``) and its ``CODE_VERSION``, child first,
    each waited for until its update has finished."""

    endpoint_url: str
    lambda_: Any
    names: DeploymentNames
    region: str
    say: Callable[[str], None] = print

    @property
    def name(self) -> str:
        return self.endpoint_url

    def stack(self) -> Stack:
        return Stack(
            self.names.parent_function, self.names.child_function, self.names.results_bucket, self.names.results_prefix
        )

    def _exists(self) -> bool:
        """Both functions exist as image functions (zip ones, e.g. the demo's, are redeployed)."""
        images = {
            f["FunctionName"]
            for page in self.lambda_.get_paginator("list_functions").paginate()
            for f in page.get("Functions", [])
            if f.get("PackageType") == "Image"
        }
        return {self.names.parent_function, self.names.child_function} <= images

    def plan(self, images: ImageUris, variables: Mapping[str, str], plan_file: Path) -> None:
        """What an apply would change, printed (the emulator has no plan files)."""
        if not self._exists():
            self.say(f"plan: deploy the stack {self.names.prefix} on {self.endpoint_url} with {images}")
            return
        live = live_images(self.lambda_, self.stack())
        for function, old, new in (
            (self.names.parent_function, live.parent, images.parent),
            (self.names.child_function, live.child, images.child),
        ):
            version = self.lambda_.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
            self.say(f"plan: {function}: image {old} -> {new}")
            self.say(
                f"plan: {function}: {CODE_VERSION_ENV} {version.get(CODE_VERSION_ENV)} -> {variables[CODE_VERSION_VAR]}"
            )

    def apply(self, images: ImageUris, variables: Mapping[str, str]) -> Stack:
        code_version = variables[CODE_VERSION_VAR]
        if not self._exists():
            deploy(
                self.endpoint_url,
                names=self.names,
                parent_code=ImageCode(images.parent),
                child_code=ImageCode(images.child),
                code_version=code_version,
                region=self.region,
            )
            return self.stack()
        for function, uri in ((self.names.child_function, images.child), (self.names.parent_function, images.parent)):
            self.lambda_.update_function_code(FunctionName=function, ImageUri=uri)
            environment = dict(wait_ready(self.lambda_, function).get("Environment", {}).get("Variables", {}))
            environment[CODE_VERSION_ENV] = code_version
            self.lambda_.update_function_configuration(FunctionName=function, Environment={"Variables": environment})
            wait_ready(self.lambda_, function)
        return self.stack()

    @contextlib.contextmanager
    def function_access(self) -> Iterator[TcpRelay | None]:
        """Function containers reach the emulator at the function network's gateway: relay it there
        for the duration of the smoke test, unless something already listens (a test's relay)."""
        address = urlsplit(self.endpoint_url)
        port = address.port or 80
        try:
            network = ensure_network(ensure_daemon(start=False).cli)
            relay = TcpRelay((network.gateway, port), (address.hostname or "127.0.0.1", port)).start()
        except (DockerUnavailable, DockerError, OSError):
            yield None
            return
        try:
            yield relay
        finally:
            relay.stop()
