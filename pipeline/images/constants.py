"""Names, paths and pins of the image builds, each given once."""

from __future__ import annotations

from pipeline.paths import CACHE_DIR, REPO_ROOT

IMAGES_DIR = REPO_ROOT / "images"
BASE_RECIPE_DIR = IMAGES_DIR / "base"
LOCK_FILE = IMAGES_DIR / "requirements.lock"
WHEELS_CACHE = CACHE_DIR / "wheels"
BASE_CACHE = CACHE_DIR / "images" / "base"

# The two function images: name -> the directory holding its Dockerfile and handler.
IMAGE_NAMES = ("parent", "child")
# Repository names, locally and in ECR (Terraform creates the ECR ones in AWS).
REPOSITORY_PREFIX = "serverless-sweep"

# Lambda runs one architecture per function; these images are x86_64 only.
PLATFORM = "linux/amd64"
# Lambda rejects an OCI index: publish one platform with Docker v2 media types.
DOCKER_MEDIA_TYPES = "DockerMediaTypes"
MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_MEDIA_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"

# Wheel platform tags pip downloads for. numpy 2.4 and pyarrow 26 ship manylinux_2_28 wheels
# only (glibc >= 2.28); both bases have a newer glibc (Debian bookworm 2.36, Amazon Linux 2023
# 2.34).
WHEEL_PLATFORMS = ("manylinux_2_28_x86_64", "manylinux2014_x86_64")

# Build arguments every Dockerfile declares.
BASE_IMAGE_ARG = "BASE_IMAGE"
SOURCE_DATE_EPOCH_ARG = "SOURCE_DATE_EPOCH"
# The dependencies an image leaves out (pipeline.deploy.pruning.UNUSED_DEPENDENCIES), passed only
# to the images that have some: the parent's Dockerfile declares it.
UNUSED_DEPENDENCIES_ARG = "UNUSED_DEPENDENCIES"

# SOURCE_DATE_EPOCH: an explicit argument, else this variable, else the last commit's time,
# else this fixed instant (2025-01-01T00:00:00Z) for a tree outside git.
SOURCE_DATE_EPOCH_ENV = "SOURCE_DATE_EPOCH"
FALLBACK_SOURCE_DATE_EPOCH = 1_735_689_600

# Where the function code goes inside the build context.
CONTEXT_WHEELS = "wheels"
CONTEXT_SOURCE = "src"
# Source packages every image carries, besides its own handler module.
SOURCE_PACKAGES = ("sim", "aws_adapters")
SOURCE_SUFFIXES = (".py", ".json", ".typed")
