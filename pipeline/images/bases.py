"""The base images the Dockerfiles build FROM: AWS's in production, a local one elsewhere."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from pipeline.envs.constants import FUNCTION_PYTHON, LAMBDA_TASK_ROOT
from pipeline.images.constants import (
    BASE_RECIPE_DIR,
    FALLBACK_SOURCE_DATE_EPOCH,
    REPOSITORY_PREFIX,
    WHEEL_PLATFORMS,
)


@dataclass(frozen=True)
class BaseImage:
    """A base image reference and the Python the function's wheels must be built for."""

    ref: str
    python_version: str
    # Wheel platform tags pip downloads for (manylinux no newer than the base's glibc).
    wheel_platforms: tuple[str, ...] = WHEEL_PLATFORMS


# AWS's Lambda Python 3.13 base image (Amazon Linux 2023, glibc 2.34), pinned by digest. The
# digest is the last one Renovate pinned for `public.ecr.aws/lambda/python:3.13` in
# github.com/gkwa/itsfergus (Dockerfile, commit 0cb163e8, 2025-11-05, "Update
# public.ecr.aws/lambda/python:3.13 Docker digest to 11f5621") before that repository moved on
# to 3.14; it cannot be pulled or re-checked from this machine. Re-resolve with
#   skopeo inspect --format '{{.Digest}}' docker://public.ecr.aws/lambda/python:3.13
# (or `docker buildx imagetools inspect public.ecr.aws/lambda/python:3.13`) and update
# images/*/Dockerfile's ARG default together with this constant (a unit test keeps them equal).
PRODUCTION_BASE = BaseImage(
    ref="public.ecr.aws/lambda/python:3.13@sha256:11f562115ca14c92740459230f0a6c0dbf8d27152400f852856d73e0a924a0a0",
    python_version=FUNCTION_PYTHON,
)


@dataclass(frozen=True)
class RecipeFile:
    """A file of images/base/ and where, with which mode, it goes in the image."""

    source: str
    target: str
    mode: int


@dataclass(frozen=True)
class LocalBaseRecipe:
    """How the local base image is made: Debian packages (debootstrap) plus the Lambda contract.

    Everything that shapes the image is data here or a file under images/base/, so the content
    hash of both names the image: a changed recipe is a new image, an unchanged one is reused."""

    # Debian trixie's python3 is 3.13, the functions' Python (FUNCTION_PYTHON).
    suite: str = "trixie"
    variant: str = "minbase"
    packages: tuple[str, ...] = ("python3", "python3-pip")
    python_version: str = FUNCTION_PYTHON
    wheel_platforms: tuple[str, ...] = WHEEL_PLATFORMS
    runtime_dir: str = "/var/runtime"
    task_root: str = LAMBDA_TASK_ROOT
    runtime_lock: str = "runtime.lock"
    files: tuple[RecipeFile, ...] = (
        RecipeFile("lambda-entrypoint.sh", "/lambda-entrypoint.sh", 0o755),
        RecipeFile("bootstrap", "/var/runtime/bootstrap", 0o755),
        RecipeFile("rie.py", "/usr/local/bin/aws-lambda-rie", 0o755),
    )
    # What a Lambda image does not need: package caches and lists, documentation, locales.
    prune: tuple[str, ...] = (
        "var/cache/apt/archives/*.deb",
        "var/cache/apt/*.bin",
        "var/lib/apt/lists/*",
        "var/cache/debconf/*-old",
        "var/log/*",
        "usr/share/doc/*",
        "usr/share/man/*",
        "usr/share/info/*",
        "usr/share/locale/*",
        "usr/share/lintian/*",
        "etc/machine-id",
        "etc/hostname",
        "etc/resolv.conf",
    )
    # Kept as empty directories: the container engine mounts its own there.
    empty_dirs: tuple[str, ...] = ("dev", "proc", "sys", "tmp", "run")
    env: tuple[tuple[str, str], ...] = (
        ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        ("LANG", "C.UTF-8"),
        ("TZ", ":/etc/localtime"),
        ("LAMBDA_TASK_ROOT", LAMBDA_TASK_ROOT),
        ("LAMBDA_RUNTIME_DIR", "/var/runtime"),
    )
    entrypoint: tuple[str, ...] = ("/lambda-entrypoint.sh",)
    source_date_epoch: int = FALLBACK_SOURCE_DATE_EPOCH
    labels: tuple[tuple[str, str], ...] = field(
        default=(("org.opencontainers.image.title", "serverless-sweep local Lambda base (Debian, python3)"),)
    )

    def debian_hash(self) -> str:
        """sha256 over what shapes the Debian root filesystem alone (its own cached layer)."""
        debian = {
            "suite": self.suite,
            "variant": self.variant,
            "packages": self.packages,
            "prune": self.prune,
            "empty_dirs": self.empty_dirs,
            "source_date_epoch": self.source_date_epoch,
        }
        return hashlib.sha256(json.dumps(debian, sort_keys=True).encode()).hexdigest()

    def content_hash(self) -> str:
        """sha256 over this recipe's data and the bytes of every file it uses."""
        sha = hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode())
        for name in sorted({f.source for f in self.files} | {self.runtime_lock}):
            sha.update(name.encode() + b"\0" + (BASE_RECIPE_DIR / name).read_bytes())
        return sha.hexdigest()

    def image(self) -> BaseImage:
        """The base image this recipe makes (whether or not it is built yet)."""
        tag = f"py{self.python_version}-{self.content_hash()[:16]}"
        return BaseImage(f"{REPOSITORY_PREFIX}/lambda-base:{tag}", self.python_version, self.wheel_platforms)


LOCAL_BASE_RECIPE = LocalBaseRecipe()
