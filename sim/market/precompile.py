"""``python -m sim.market.precompile --out DIR``: compile the market's kernels ahead of time.

Writes ``DIR/_kernel_aot.<this interpreter's extension suffix>``, the extension module
``sim.market._kernel_aot`` that the functions import instead of numba (see
sim/market/compiled.py): kernel.request_rows, kernel.advance and kernel.tally with the argument
types the engine passes, compiled by numba.pycc for a generic x86-64 CPU (pycc's default: no
target_cpu, no CPU features), so it runs on whatever machine Lambda picks, plus
``source_digest()``, the digest of the sources it was compiled from. It needs only numpy at run
time. Needs numba, a C compiler and, on Python 3.12+, setuptools; the pipeline runs it in its own
venv (pipeline/kernel/build.py).

The module is stripped of debug information and linked without a build id (both depend on
pycc's temporary build directory), so two builds from the same sources, interpreter and numba
are the same bytes."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim.market.compiled import AOT_MODULE, source_digest

MODULE_NAME = AOT_MODULE.rsplit(".", 1)[1]
# The engine's argument types (sim/market/engine.py, requests.py, results.py), in kernel order.
ADVANCE_SIGNATURE = (
    "void(i8, i8, i8, i8, i8, b1, i8, f8, f8, b1, "  # start .. batch_dispatch
    "u1[::1], u8[::1], i4[:, ::1], i4[:, ::1], "  # turns, keys, requests, outcome
    "i8[::1], i4[::1], i4[::1], i1[::1], i4[::1], i4[::1], b1[::1], b1[::1], "  # open_ids .. moving
    "i4[:, ::1], i8[::1])"  # history, counters
)
REQUEST_ROWS_SIGNATURE = "i4[:, ::1](i8[::1], i4[:, ::1], i8[::1], i8)"
TALLY_SIGNATURE = (
    "Tuple((i1[::1], i4[::1], i4[::1], f8[:, ::1], i4[:, ::1], i8[::1], i8[::1], i8[::1], i8[::1]))"
    "(i4[:, ::1], i4[:, ::1], i4[:, ::1], f8[:, ::1], i8, i8, i8, i8)"
)
DIGEST_SIGNATURE = "i8()"
# The hash seed of the compiling process: numba links a kernel's callees in set order.
HASH_SEED_ENV = "PYTHONHASHSEED"
NUMBA_CACHE_DIR_ENV = "NUMBA_CACHE_DIR"
# No build id: the linker hashes it over the debug information too, which names pycc's
# temporary build directory (stripped afterwards, but the id would stay).
LDFLAGS_ENV = "LDFLAGS"
REPRODUCIBLE_LDFLAGS = "-Wl,--build-id=none"
TMPDIR_ENV = "TMPDIR"


def _digest_function(digest: int) -> Callable[[], int]:
    def source_digest() -> int:
        return digest

    return source_digest


def build(out: Path) -> Path:
    """Compile the module into ``out``; returns its path."""
    from numba.pycc import CC

    from sim.market import kernel

    compiler = CC(MODULE_NAME)
    compiler.output_dir = str(out)
    compiler.verbose = False
    export: Any = compiler.export
    export("advance", ADVANCE_SIGNATURE)(kernel.advance.py_func)
    export("request_rows", REQUEST_ROWS_SIGNATURE)(kernel.request_rows.py_func)
    export("tally", TALLY_SIGNATURE)(kernel.tally.py_func)
    export("source_digest", DIGEST_SIGNATURE)(_digest_function(source_digest()))
    compiler.compile()
    module = out / f"{MODULE_NAME}{sysconfig.get_config_var('EXT_SUFFIX')}"
    subprocess.run(["strip", "--strip-debug", str(module)], check=True)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get(HASH_SEED_ENV) != "0":
        # Compile in a child with a fixed hash seed and an empty numba cache of its own: the
        # kernel's callees are numba functions with cache=True, and what a previous run left
        # in a cache would change what is compiled afresh (and so the module's bytes). Its
        # temporary files go there too: pycc's compiler probes leave theirs behind.
        with tempfile.TemporaryDirectory(prefix="kernel-aot-") as scratch:
            command = [sys.executable, "-m", "sim.market.precompile", *arguments]
            env = {
                **os.environ,
                HASH_SEED_ENV: "0",
                NUMBA_CACHE_DIR_ENV: scratch,
                LDFLAGS_ENV: REPRODUCIBLE_LDFLAGS,
                TMPDIR_ENV: scratch,
            }
            return subprocess.run(command, env=env, check=False).returncode
    parser = argparse.ArgumentParser(prog="python -m sim.market.precompile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory to write the module into")
    args = parser.parse_args(arguments)
    args.out.mkdir(parents=True, exist_ok=True)
    module = build(args.out.resolve())
    print(f"{module}: {module.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
