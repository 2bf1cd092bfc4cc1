"""The zip packages: the handler, both source packages with the market kernel compiled ahead of
time, and the locked dependencies (no numba, no llvmlite; the parent's without pyarrow, which
it never imports), within Lambda's size limit, nothing else compiled or cached inside."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from pipeline.deploy.lock import read_pins
from pipeline.deploy.package import UNUSED_DEPENDENCIES, UNZIPPED_LIMIT_BYTES, build_zip
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
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or "/tests/" in n]
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos)


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
FUNCTION_ENV = {"RESULTS_BUCKET": "results-bucket", "CODE_VERSION": "v1", "CHILD_FUNCTION_NAME": "child"}


@pytest.mark.parametrize("function", sorted(UNUSED_DEPENDENCIES))
def test_a_handler_imports_without_the_dependencies_its_package_leaves_out(function: str) -> None:
    script = BLOCKED_IMPORT.format(
        blocked=tuple(UNUSED_DEPENDENCIES[function]), handler_dir=str(REPO_ROOT / "images" / function)
    )
    env = {**os.environ, **FUNCTION_ENV, "AWS_DEFAULT_REGION": "us-east-1"}

    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr[-2000:]
