"""The Terraform command lines of release and rollback, built in one place.

Release and rollback differ only in where the image pair comes from (fresh pushes, or a ledger
entry); both apply exactly ``-var parent_image_uri=…@sha256:… -var child_image_uri=…`` plus
the tfvars file. The same variables are what the ledger records."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from pipeline.infra.constants import (
    CHILD_IMAGE_VAR,
    DIGEST_PINNED_IMAGE_URI,
    PARENT_IMAGE_VAR,
    TERRAFORM_DIR,
    TERRAFORM_EXECUTABLE,
)
from pipeline.infra.exceptions import ImageNotPinned, TerraformArgumentInvalid

TerraformAction = Literal["init", "plan", "apply", "output"]
VariableValue = str | int | float | bool

_DIGEST_PINNED = re.compile(DIGEST_PINNED_IMAGE_URI)
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# The resources a fresh account needs before the first push: the repositories (and what they
# depend on). Applied once with the image variables unset (docs/terraform.md, "Bootstrap").
BOOTSTRAP_TARGETS = ("aws_ecr_repository.function", "aws_ecr_lifecycle_policy.function")


def is_digest_pinned(uri: str) -> bool:
    """True for ``REGISTRY/REPOSITORY@sha256:<64 hex>`` (what the Terraform validation accepts)."""
    return _DIGEST_PINNED.fullmatch(uri) is not None


@dataclass(frozen=True)
class ImageUris:
    """The parent and child images of one release, each pinned by digest."""

    parent: str
    child: str

    def __post_init__(self) -> None:
        for name, uri in ((PARENT_IMAGE_VAR, self.parent), (CHILD_IMAGE_VAR, self.child)):
            if not is_digest_pinned(uri):
                raise ImageNotPinned(f"{name}: {uri!r} is not pinned by digest (REGISTRY/REPOSITORY@sha256:<64 hex>)")

    def variables(self) -> dict[str, str]:
        return {PARENT_IMAGE_VAR: self.parent, CHILD_IMAGE_VAR: self.child}


def terraform_variables(
    image_uris: ImageUris | None, variables: Mapping[str, VariableValue] | None = None
) -> dict[str, str]:
    """The ``-var`` values in order: the image pair first, then ``variables`` (e.g. code_version)."""
    rendered = image_uris.variables() if image_uris else {}
    for name, value in (variables or {}).items():
        if not _VARIABLE_NAME.match(name):
            raise TerraformArgumentInvalid(f"variables: {name!r} is not a Terraform variable name")
        if name in (PARENT_IMAGE_VAR, CHILD_IMAGE_VAR):
            raise TerraformArgumentInvalid(f"variables: {name} comes from image_uris only, pinned by digest")
        rendered[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return rendered


def terraform_command(
    action: TerraformAction,
    var_file: Path | None = None,
    image_uris: ImageUris | None = None,
    *,
    variables: Mapping[str, VariableValue] | None = None,
    plan_file: Path | None = None,
    targets: Sequence[str] = (),
    backend_config: Mapping[str, str] | None = None,
    terraform: str = TERRAFORM_EXECUTABLE,
    directory: Path = TERRAFORM_DIR,
) -> list[str]:
    """argv for ``terraform -chdir=DIR ACTION …``, non-interactive.

    ``plan`` and ``apply`` take the tfvars file and the ``-var`` values; ``plan`` writes
    ``plan_file`` when given, and ``apply`` with ``plan_file`` applies that saved plan (which
    already holds its variables, so none may be given). Paths are made absolute: Terraform
    resolves them after changing into ``directory``."""
    if action not in get_args(TerraformAction):
        raise TerraformArgumentInvalid(f"action: {action!r} is not one of {', '.join(get_args(TerraformAction))}")
    base = [terraform, f"-chdir={directory}", action]
    release_arguments = var_file or image_uris or variables or plan_file or targets
    if action in ("init", "output") and release_arguments:
        raise TerraformArgumentInvalid(f"{action}: takes no variables, plan file or targets")
    if backend_config and action != "init":
        raise TerraformArgumentInvalid("backend_config: only `init` takes backend settings")
    if action == "output":
        return [*base, "-json"]
    if action == "init":
        return [*base, "-input=false", *(f"-backend-config={k}={v}" for k, v in (backend_config or {}).items())]
    argv = [*base, "-input=false", "-no-color"]
    if action == "apply" and plan_file is not None:
        if var_file or image_uris or variables or targets:
            raise TerraformArgumentInvalid("apply of a saved plan: the plan holds its variables and targets")
        return [*argv, str(plan_file.resolve())]
    if image_uris is None and not targets:
        raise TerraformArgumentInvalid(f"{action}: image_uris are required unless the run is targeted (bootstrap)")
    if action == "apply":
        argv.append("-auto-approve")
    elif plan_file is not None:
        argv.append(f"-out={plan_file.resolve()}")
    if var_file is not None:
        argv.append(f"-var-file={var_file.resolve()}")
    for name, value in terraform_variables(image_uris, variables).items():
        argv += ["-var", f"{name}={value}"]
    argv += [f"-target={target}" for target in targets]
    return argv
