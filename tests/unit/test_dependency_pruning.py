"""The one rule for what a function never loads (pipeline/deploy/pruning.py), run as the image
builds run it: a script on a bare Python, over an installed tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.deploy import pruning
from pipeline.deploy.pruning import PRUNED

KEPT = (
    "numpy/__init__.py",
    "numpy/_core/_multiarray_umath.cpython-313-x86_64-linux-gnu.so",
    "numpy-2.4.6.dist-info/licenses/numpy/_core/include/numpy/libdivide/LICENSE.txt",
    "pyarrow/lib.cpython-313-x86_64-linux-gnu.so",
    "pyarrow/libarrow.so.2600",
    "pyarrow/parquet/core.py",
    "botocore/data/s3/2006-03-01/service-2.json.gz",
    "botocore/data/lambda/2015-03-31/service-2.json.gz",
    "botocore/data/endpoints.json.gz",
    "jsonschema/validators.py",
)
DROPPED = (
    "numpy/_core/tests/test_api.py",
    "jsonschema_specifications/tests/__init__.py",
    "numpy/_core/include/numpy/ndarrayobject.h",
    "pyarrow/include/arrow/api.h",
    "pyarrow/src/arrow/python/helpers.cc",
    "pyarrow/lib.pyx",
    "pyarrow/_pyarrow_cpp_tests.cpython-313-x86_64-linux-gnu.so",
    "pyarrow/_flight.cpython-313-x86_64-linux-gnu.so",
    "pyarrow/libarrow_flight.so.2600",
    "pyarrow/libarrow_s3.so.2600",
    "pyarrow/libarrow.so",
    "pyarrow/libarrow.so.2600.1.0",
    "botocore/data/ec2/2016-11-15/service-2.json.gz",
)


@pytest.mark.parametrize("name", KEPT)
def test_what_a_function_loads_is_kept(name: str) -> None:
    assert not PRUNED.search(name)


@pytest.mark.parametrize("name", DROPPED)
def test_what_no_function_loads_is_dropped(name: str) -> None:
    assert PRUNED.search(name)


def test_the_script_prunes_a_tree_on_a_bare_python_and_removes_the_directories_it_empties(tmp_path: Path) -> None:
    # given an installed tree with files to keep and to drop
    for name in (*KEPT, *DROPPED):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * 100_000)

    # when the script runs with no site-packages, as inside an image build
    script = Path(pruning.__file__)
    done = subprocess.run([sys.executable, "-I", "-S", str(script), str(tmp_path)], capture_output=True, text=True)

    # then exactly the kept files remain, no directory is left empty, and it says what it freed
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"pruned {len(DROPPED) * 100_000 / 1e6:.1f} MB from {tmp_path}"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == sorted(KEPT)
    assert not [p for p in tmp_path.rglob("*") if p.is_dir() and not any(p.iterdir())]


def test_the_script_drops_the_dependencies_it_is_named_whole(tmp_path: Path) -> None:
    # given a tree with pyarrow (its package and dist-info), numpy and its libraries
    names = (*KEPT, "pyarrow-26.0.0.dist-info/RECORD", "numpy.libs/libgfortran.so.5")
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")

    # when the parent's build runs it with the dependency it never imports
    done = subprocess.run(
        [sys.executable, "-I", "-S", pruning.__file__, str(tmp_path), "pyarrow"], capture_output=True, text=True
    )

    # then pyarrow is gone, package and dist-info, and nothing else
    assert done.returncode == 0, done.stderr
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted(n for n in names if not n.startswith("pyarrow"))
    assert not (tmp_path / "pyarrow").exists()
