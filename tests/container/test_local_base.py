"""The local base image keeps AWS's entrypoint contract: the Runtime Interface Emulator when
``AWS_LAMBDA_RUNTIME_API`` is unset, the runtime client directly when it is set."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from pipeline.deploy.pruning import UNUSED_DEPENDENCIES
from pipeline.docker import DockerDaemon
from pipeline.envs import FUNCTION_PYTHON
from pipeline.images import ImageBuild

STAND_IN_BANNER = "aws-lambda-rie stand-in"


def run(daemon: DockerDaemon, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [daemon.cli.executable, "run", "--rm", "--network", "none", *args]
    return subprocess.run(argv, env=daemon.cli.env, capture_output=True, text=True, timeout=60)


def test_the_base_runs_the_function_python(
    image_build: ImageBuild, docker_daemon: DockerDaemon, record_property: Callable[[str, object], None]
) -> None:
    done = run(docker_daemon, "--entrypoint", "python3", image_build.definitions["child"].base.ref, "--version")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Python {FUNCTION_PYTHON}.")
    record_property("local base python3 --version", done.stdout.strip())


def test_the_child_image_runs_the_compiled_kernel_and_carries_no_numba(
    image_build: ImageBuild, docker_daemon: DockerDaemon
) -> None:
    probe = (
        "import importlib.util as u, sys; from sim.market.compiled import kernels; "
        "print(kernels().origin, u.find_spec('numba') is None, u.find_spec('llvmlite') is None, 'numba' in sys.modules)"
    )

    done = run(
        docker_daemon, "--entrypoint", "python3", "--workdir", "/var/task",
        image_build.images["child"].reference, "-c", probe,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["sim.market._kernel_aot", "True", "True", "False"]


def test_the_parent_image_leaves_out_the_dependencies_the_parent_never_imports(
    image_build: ImageBuild, docker_daemon: DockerDaemon
) -> None:
    unused = sorted(UNUSED_DEPENDENCIES["parent"])
    names = [*unused, "numpy"]
    probe = f"import importlib.util as u; print(*(u.find_spec(n) is None for n in {names!r}))"

    done = run(
        docker_daemon, "--entrypoint", "python3", "--workdir", "/var/task",
        image_build.images["parent"].reference, "-c", probe,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"] * len(unused) + ["False"]  # numpy stays: the parent plans with it
    parent, child = (image_build.images[name].size_bytes for name in ("parent", "child"))
    assert parent is not None and child is not None and parent < child


def test_the_entrypoint_requires_exactly_one_handler_argument(
    image_build: ImageBuild, docker_daemon: DockerDaemon
) -> None:
    done = run(docker_daemon, image_build.definitions["child"].base.ref)

    assert done.returncode == 142
    assert "entrypoint requires the handler name to be the first argument" in done.stderr


def test_with_a_runtime_api_the_runtime_client_starts_directly_without_the_emulator(
    image_build: ImageBuild, docker_daemon: DockerDaemon
) -> None:
    image = image_build.images["child"].reference

    done = run(docker_daemon, "--env", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:9", image)
    output = done.stdout + done.stderr

    assert done.returncode != 0  # nothing serves that Runtime API: the client gives up
    assert STAND_IN_BANNER not in output
    assert "awslambdaric" in output or "Connection refused" in output or "127.0.0.1:9" in output


def test_without_a_runtime_api_the_emulator_stand_in_serves_port_8080(
    image_build: ImageBuild, docker_daemon: DockerDaemon
) -> None:
    image = image_build.images["child"].reference
    script = "timeout -s INT 2 /lambda-entrypoint.sh handler.handler; exit 0"

    done = run(docker_daemon, "--entrypoint", "sh", image, "-c", script)

    assert f"{STAND_IN_BANNER}: invocations on 0.0.0.0:8080" in done.stdout
