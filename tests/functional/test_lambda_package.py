"""The zip packages: the handler, both source packages with the market kernel compiled ahead of
time, and the locked dependencies (no numba, no llvmlite; the parent's without pyarrow, which
it never imports), within Lambda's size limit, with the bytecode of every module for the
functions' Python and no other, so that a cold start compiles nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline.deploy.lock import read_pins
from pipeline.deploy.package import BYTECODE_TAG, STRIPPED, UNZIPPED_LIMIT_BYTES, build_zip, source_of
from pipeline.deploy.pruning import UNUSED_DEPENDENCIES
from pipeline.envs import FUNCTION_PYTHON, find_python
from pipeline.kernel import kernel_module_file
from pipeline.paths import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("function", ["parent", "child"])
def test_a_package_carries_its_handler_sources_and_every_locked_dependency(function: str) -> None:
    package = build_zip(function)

    with zipfile.ZipFile(package) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        handler = archive.read("handler.py")
        kernel_path, kernel_file = kernel_module_file()
        kernel = archive.read(kernel_path)
    tops = {name.split("/", 1)[0] for name in names}
    dists = {name.split("-", 1)[0].lower().replace("_", "-") for name in tops if name.endswith(".dist-info")}
    assert handler == (REPO_ROOT / "images" / function / "handler.py").read_bytes()
    unused = UNUSED_DEPENDENCIES.get(function, frozenset())
    expected = {"sim", "aws_adapters", "numpy", "pyarrow", "boto3", "jsonschema", "aws_lambda_powertools"} - unused
    assert expected <= tops and not unused & tops
    assert dists == set(read_pins()) - unused
    assert not {"numba", "llvmlite"} & (tops | dists)
    assert kernel == kernel_file.read_bytes()
    assert sum(info.file_size for info in infos) < UNZIPPED_LIMIT_BYTES
    assert not [n for n in names if "/tests/" in n]
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos)


FUNCTION_ENV = {"RESULTS_BUCKET": "results-bucket", "CODE_VERSION": "v1", "CHILD_FUNCTION_NAME": "child"}


# Run in the unpacked package by the functions' Python: import the handler, and print every
# module the import compiled from source rather than loaded from bytecode.
COUNT_COMPILES = """
import importlib._bootstrap_external as external, json, sys
compiled = []
to_code = external.SourceLoader.source_to_code
def counting(self, data, path, *args, **kwargs):
    compiled.append(str(path))
    return to_code(self, data, path, *args, **kwargs)
external.SourceLoader.source_to_code = counting
sys.path.insert(0, ".")
import handler
print(json.dumps(compiled))
"""


@pytest.mark.parametrize("function", ["parent", "child"])
def test_modules_have_the_functions_bytecode_libraries_are_stripped_and_a_cold_start_compiles_nothing(
    function: str, tmp_path: Path
) -> None:
    with zipfile.ZipFile(build_zip(function)) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    bytecode = [n for n in names if n.endswith(".pyc")]
    assert all(f".{BYTECODE_TAG}.pyc" in n for n in bytecode)
    assert {n for n in names if n.endswith(".py")} == {source_of(n) for n in bytecode}
    libraries = [str(tmp_path / n) for n in names if STRIPPED.match(n)]
    assert bool(libraries) == ("pyarrow" not in UNUSED_DEPENDENCIES.get(function, ()))
    if libraries:
        sections = subprocess.run(["readelf", "-S", "-W", *libraries], capture_output=True, text=True, check=True)
        assert ".dynsym" in sections.stdout and ".symtab" not in sections.stdout  # stripped, dynamic symbols kept
    tmp_path.chmod(0o555)  # read-only, as Lambda's task root: nothing written back

    env = {**FUNCTION_ENV, "AWS_DEFAULT_REGION": "us-east-1", "PATH": os.environ["PATH"]}
    python = find_python(FUNCTION_PYTHON)
    done = subprocess.run([python, "-c", COUNT_COMPILES], cwd=tmp_path, env=env, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == []


BLOCKED_IMPORT = """
import sys
class _Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError(f"{{name}} is not in this function's package")
sys.meta_path.insert(0, _Blocked())
sys.path.insert(0, {handler_dir!r})
import handler
"""


@pytest.mark.parametrize("function", sorted(UNUSED_DEPENDENCIES))
def test_a_handler_imports_without_the_dependencies_its_package_leaves_out(function: str) -> None:
    script = BLOCKED_IMPORT.format(
        blocked=tuple(UNUSED_DEPENDENCIES[function]), handler_dir=str(REPO_ROOT / "images" / function)
    )
    env = {**os.environ, **FUNCTION_ENV, "AWS_DEFAULT_REGION": "us-east-1"}

    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr[-2000:]
