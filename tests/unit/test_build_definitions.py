"""Build definitions are plain data: computed and checked here without any engine or daemon."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pipeline.deploy import pruning
from pipeline.deploy.pruning import UNUSED_DEPENDENCIES
from pipeline.envs import FUNCTION_PYTHON
from pipeline.images.bases import LOCAL_BASE_RECIPE, PRODUCTION_BASE, BaseImage, LocalBaseRecipe
from pipeline.images.constants import (
    BASE_IMAGE_ARG,
    DOCKER_MEDIA_TYPES,
    FALLBACK_SOURCE_DATE_EPOCH,
    IMAGE_NAMES,
    IMAGES_DIR,
    LOCK_FILE,
    PLATFORM,
    SOURCE_DATE_EPOCH_ARG,
    SOURCE_DATE_EPOCH_ENV,
    UNUSED_DEPENDENCIES_ARG,
)
from pipeline.images.context import context_digest, stage_context
from pipeline.images.definitions import (
    ContextFile,
    ImageDefinition,
    image_definition,
    image_definitions,
    source_date_epoch,
)
from pipeline.images.engines import ImageRef, choose_engine, unavailable_reason
from pipeline.images.exceptions import EngineUnavailable
from pipeline.images.publish import Registry, image_tag
from pipeline.images.wheels import WheelSet

EPOCH = 1_700_000_000
LOCAL = BaseImage("serverless-sweep/lambda-base:py3.11-test", "3.11")


def definition(name: str = "child", base: BaseImage = LOCAL) -> ImageDefinition:
    return image_definition(name, base, epoch=EPOCH, version="1.2.3", revision="abc123")


def with_wheels(tmp_path: Path, spec: ImageDefinition) -> ImageDefinition:
    """The same definition over a wheel cache holding two (fake) downloaded wheels."""
    wheels = WheelSet(spec.wheels.lock, spec.wheels.python_version, spec.wheels.platforms, cache=tmp_path / "wheels")
    wheels.directory.mkdir(parents=True)
    for name in ("numpy-2.4.6-cp311-cp311-manylinux_2_28_x86_64.whl", "six-1.17.0-py2.py3-none-any.whl"):
        (wheels.directory / name).write_bytes(name.encode())
    return ImageDefinition(**{**spec.__dict__, "wheels": wheels})


def test_build_args_name_the_base_image_and_source_date_epoch() -> None:
    spec = definition()

    assert spec.build_args == {BASE_IMAGE_ARG: LOCAL.ref, SOURCE_DATE_EPOCH_ARG: str(EPOCH)}


def test_the_parent_is_told_the_dependencies_it_never_imports_and_its_dockerfile_drops_them() -> None:
    args = definition("parent").build_args

    assert args[UNUSED_DEPENDENCIES_ARG] == "pyarrow" == " ".join(sorted(UNUSED_DEPENDENCIES["parent"]))
    dockerfile = (IMAGES_DIR / "parent" / "Dockerfile").read_text()
    assert f"ARG {UNUSED_DEPENDENCIES_ARG}\n" in dockerfile
    assert f'prune_deps.py "${{LAMBDA_TASK_ROOT}}" ${{{UNUSED_DEPENDENCIES_ARG}}}' in dockerfile
    assert UNUSED_DEPENDENCIES_ARG not in (IMAGES_DIR / "child" / "Dockerfile").read_text()


def test_images_are_single_platform_amd64_with_docker_v2_media_types() -> None:
    for spec in image_definitions(LOCAL, epoch=EPOCH, version="v", revision="r").values():
        assert (
            (spec.platform, spec.media_types) == (PLATFORM, DOCKER_MEDIA_TYPES) == ("linux/amd64", "DockerMediaTypes")
        )


def test_both_images_are_defined_parent_first_with_their_own_repository() -> None:
    specs = image_definitions(LOCAL, epoch=EPOCH, version="v", revision="r")

    assert list(specs) == list(IMAGE_NAMES) == ["parent", "child"]
    assert [s.repository for s in specs.values()] == ["serverless-sweep-parent", "serverless-sweep-child"]


@pytest.mark.parametrize("name", IMAGE_NAMES)
def test_context_holds_dockerfile_pruner_shared_code_and_the_images_own_handler(name: str) -> None:
    files = {f.path: f.source for f in definition(name).files}

    assert files["Dockerfile"] == IMAGES_DIR / name / "Dockerfile"
    assert files["src/handler.py"] == IMAGES_DIR / name / "handler.py"
    assert files["prune_deps.py"] == Path(pruning.__file__)  # the zip packages' rule
    assert {"src/sim/__init__.py", "src/sim/request_schema.json", "src/aws_adapters/__init__.py"} <= set(files)


def test_context_carries_no_bytecode_tests_or_files_outside_the_packages() -> None:
    paths = [f.path for f in definition().files]

    assert not [p for p in paths if "__pycache__" in p or p.endswith(".pyc") or p.startswith(("tests/", "src/tests/"))]
    assert all(
        p in ("Dockerfile", "prune_deps.py") or p.startswith(("src/sim/", "src/aws_adapters/")) or p == "src/handler.py"
        for p in paths
    )


def test_context_adds_the_lock_and_the_downloaded_wheels_under_wheels(tmp_path: Path) -> None:
    spec = with_wheels(tmp_path, definition())

    wheels = [f.path for f in spec.context_files() if f.path.startswith("wheels/")]

    assert wheels == [
        "wheels/requirements.lock",
        "wheels/numpy-2.4.6-cp311-cp311-manylinux_2_28_x86_64.whl",
        "wheels/six-1.17.0-py2.py3-none-any.whl",
    ]
    assert next(f.source for f in spec.context_files() if f.path == "wheels/requirements.lock") == LOCK_FILE


def test_wheels_are_for_the_bases_own_python_from_one_lock() -> None:
    local, production = definition(base=LOCAL).wheels, definition(base=PRODUCTION_BASE).wheels

    assert (local.python_version, production.python_version) == ("3.11", FUNCTION_PYTHON)
    assert local.lock == production.lock == LOCK_FILE
    assert local.key != production.key and local.directory != production.directory


def test_wheel_download_is_offline_ready_pinned_and_binary_only() -> None:
    argv = definition().wheels.download_command(Path("/tmp/dest"))

    assert {"--require-hashes", "--no-deps", "--only-binary=:all:"} <= set(argv)
    assert argv[argv.index("--python-version") + 1] == "3.11"
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--platform"] == [
        "manylinux_2_28_x86_64",
        "manylinux2014_x86_64",
    ]


def test_labels_name_title_revision_version_creation_time_and_base() -> None:
    labels = definition().label_map

    assert labels == {
        "org.opencontainers.image.title": "serverless-sweep child Lambda",
        "org.opencontainers.image.created": "2023-11-14T22:13:20Z",
        "org.opencontainers.image.revision": "abc123",
        "org.opencontainers.image.version": "1.2.3",
        "org.opencontainers.image.base.name": LOCAL.ref,
        "serverless-sweep.python": "3.11",
    }


def test_an_unknown_image_name_is_rejected_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="image: must be one of parent, child"):
        definition("grandchild")


@pytest.mark.parametrize("name", IMAGE_NAMES)
def test_dockerfile_default_base_is_the_pinned_production_digest(name: str) -> None:
    text = (IMAGES_DIR / name / "Dockerfile").read_text()

    default = re.search(rf"^ARG {BASE_IMAGE_ARG}=(\S+)$", text, re.MULTILINE)

    assert default is not None and default.group(1) == PRODUCTION_BASE.ref
    assert re.fullmatch(
        rf"public\.ecr\.aws/lambda/python:{re.escape(FUNCTION_PYTHON)}@sha256:[0-9a-f]{{64}}", PRODUCTION_BASE.ref
    )
    assert re.search(rf"^ARG {SOURCE_DATE_EPOCH_ARG}$", text, re.MULTILINE)


def test_dockerfiles_install_offline_from_the_staged_wheels_only() -> None:
    for name in IMAGE_NAMES:
        text = (IMAGES_DIR / name / "Dockerfile").read_text()

        assert "--no-index" in text and "--find-links /tmp/wheels" in text
        assert 'CMD ["handler.handler"]' in text


def test_source_date_epoch_explicit_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOURCE_DATE_EPOCH_ENV, "1234")

    assert source_date_epoch(99) == 99
    assert source_date_epoch() == 1234


def test_source_date_epoch_outside_git_is_the_fixed_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SOURCE_DATE_EPOCH_ENV, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))

    assert source_date_epoch(root=tmp_path) == FALLBACK_SOURCE_DATE_EPOCH


def test_a_malformed_source_date_epoch_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOURCE_DATE_EPOCH_ENV, "yesterday")

    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH: must be an integer"):
        source_date_epoch()


def _snapshot(root: Path) -> list[tuple[str, int, int, bytes]]:
    return sorted(
        (
            p.relative_to(root).as_posix(),
            p.stat().st_mode,
            int(p.stat().st_mtime),
            p.read_bytes() if p.is_file() else b"",
        )
        for p in [root, *root.rglob("*")]
    )


def test_a_staged_context_depends_on_contents_only_and_every_mtime_is_the_epoch(tmp_path: Path) -> None:
    spec = with_wheels(tmp_path, definition())

    first, second = stage_context(spec, tmp_path / "a"), stage_context(spec, tmp_path / "b")

    assert _snapshot(first) == _snapshot(second)
    assert {int(p.stat().st_mtime) for p in first.rglob("*")} == {EPOCH}
    assert {oct(p.stat().st_mode & 0o777) for p in first.rglob("*") if p.is_file()} == {"0o644"}


def test_context_digest_changes_when_a_source_byte_changes(tmp_path: Path) -> None:
    handler = tmp_path / "handler.py"
    handler.write_text("x = 1\n")
    spec = definition()
    edited = ImageDefinition(**{**spec.__dict__, "files": (*spec.files[:-1], ContextFile("src/handler.py", handler))})

    assert context_digest(spec) == context_digest(definition())
    assert context_digest(edited) != context_digest(spec)


def test_local_base_is_named_by_its_python_and_recipe_hash() -> None:
    image = LOCAL_BASE_RECIPE.image()

    assert image.python_version == FUNCTION_PYTHON
    assert image.ref == f"serverless-sweep/lambda-base:py{FUNCTION_PYTHON}-{LOCAL_BASE_RECIPE.content_hash()[:16]}"


def test_the_local_base_and_production_run_the_one_function_python() -> None:
    # Debian trixie's python3 is 3.13, the minor of AWS's python:3.13 base.
    assert LOCAL_BASE_RECIPE.suite == "trixie"
    assert LOCAL_BASE_RECIPE.python_version == PRODUCTION_BASE.python_version == FUNCTION_PYTHON
    assert PRODUCTION_BASE.ref.startswith(f"public.ecr.aws/lambda/python:{FUNCTION_PYTHON}@sha256:")
    assert LocalBaseRecipe().content_hash() == LOCAL_BASE_RECIPE.content_hash()


def test_local_base_recipe_hash_changes_with_its_data() -> None:
    more = LocalBaseRecipe(packages=(*LOCAL_BASE_RECIPE.packages, "ca-certificates"))

    assert more.content_hash() != LOCAL_BASE_RECIPE.content_hash()


def test_local_base_keeps_the_lambda_entrypoint_contract() -> None:
    targets = {f.target: f.mode for f in LOCAL_BASE_RECIPE.files}

    assert LOCAL_BASE_RECIPE.entrypoint == ("/lambda-entrypoint.sh",)
    assert targets == {
        "/lambda-entrypoint.sh": 0o755,
        "/var/runtime/bootstrap": 0o755,
        "/usr/local/bin/aws-lambda-rie": 0o755,
    }
    assert ("LAMBDA_TASK_ROOT", "/var/task") in LOCAL_BASE_RECIPE.env


def test_registry_login_is_skipped_for_loopback_registries_only() -> None:
    assert not Registry("127.0.0.1:4566", ecr=None).needs_login
    assert not Registry("localhost:5000", ecr=None).needs_login
    assert Registry("123456789012.dkr.ecr.eu-west-1.amazonaws.com", ecr=None).needs_login


def test_image_tags_are_derived_from_the_image_id() -> None:
    image = ImageRef("child", "serverless-sweep/child:latest", image_id="sha256:" + "ab" * 32)

    assert image_tag(image) == "sha-" + "ab" * 8


def test_dagger_is_refused_naming_the_missing_cli_without_contacting_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DAGGER_SESSION_PORT", "_EXPERIMENTAL_DAGGER_CLI_BIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/nonexistent")
    monkeypatch.setenv("PATH", os.defpath if "dagger" not in os.defpath else "")

    assert "no Dagger CLI" in (unavailable_reason() or "")
    with pytest.raises(EngineUnavailable, match="Dagger engine cannot start: no Dagger CLI"):
        choose_engine("dagger")


def test_a_dagger_session_opened_by_dagger_run_makes_dagger_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGGER_SESSION_PORT", "12345")

    assert unavailable_reason() is None
