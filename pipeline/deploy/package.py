"""Zip packages of the two functions, built from the same sources as the images.

A package holds ``handler.py`` (from ``images/<function>/``), ``sim/`` with the market kernel
compiled ahead of time (``sim/market/_kernel_aot….so``, pipeline/kernel/build.py),
``aws_adapters/`` and every dependency of the lock file, installed for the Lambda platform: it
carries everything it imports, and the bytecode of every module for the functions' Python, as
the images do (``compile_bytecode``). Dependencies are installed once per lock file, packages
once per content hash, both under ``.cache/``; the zip bytes are deterministic (sorted entries,
fixed timestamps, hash-checked bytecode). Entries are stored, not deflated: the emulator unpacks
the whole package at every cold start (and a failed attempt's environment is discarded), and
inflating ~190 MiB took 5 s of each cold start here against 2 s for copying it."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from pipeline.deploy.exceptions import PackagingFailed
from pipeline.deploy.lock import LOCK_FILE, platform_flags
from pipeline.deploy.pruning import PRUNED, UNUSED_DEPENDENCIES, is_pruned
from pipeline.envs.constants import FUNCTION_PYTHON, LAMBDA_TASK_ROOT
from pipeline.envs.python import find_python
from pipeline.kernel import kernel_module_file
from pipeline.paths import CACHE_DIR, REPO_ROOT

FUNCTIONS = ("parent", "child")
SOURCE_PACKAGES = ("sim", "aws_adapters")
HANDLER_MODULE = "handler.py"
DEPS_CACHE = CACHE_DIR / "lambda-deps"
ZIP_CACHE = CACHE_DIR / "lambda-zips"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
BYTECODE_TAG = f"cpython-{FUNCTION_PYTHON.replace('.', '')}"
"""The tag of the functions' Python in a bytecode file's name (``__pycache__/m.cpython-313.pyc``)."""
# Lambda's limit on a function's unzipped code (AWS's and MiniStack's alike).
UNZIPPED_LIMIT_BYTES = 262_144_000
# Libraries whose symbol tables are dropped: pyarrow's own (34 MB of symbols nothing loads). Not
# the libraries auditwheel grafted or patched with patchelf (numpy's, ``numpy.libs/``): strip
# breaks those ("ELF load command address/offset not page-aligned").
STRIPPED = re.compile(r"^pyarrow/[^/]+\.so[.\d]*$")


def _digest(*parts: bytes) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(len(part).to_bytes(8, "big"))
        sha.update(part)
    return sha.hexdigest()[:20]


def install_dependencies(lock_file: Path = LOCK_FILE) -> Path:
    """The lock file's wheels installed for the Lambda platform into a cached directory."""
    target = DEPS_CACHE / _digest(
        lock_file.read_bytes(), " ".join(platform_flags()).encode(), BYTECODE_TAG.encode(), STRIPPED.pattern.encode()
    )
    if (target / ".complete").exists():
        return target
    partial = target.with_name(target.name + f".partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    argv = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--require-hashes", "--no-deps", "--no-compile", "--target", str(partial),
        *platform_flags(), "-r", str(lock_file),
    ]  # fmt: skip
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise PackagingFailed(f"installing {lock_file.name} for Lambda failed:\n{result.stderr[-2000:]}")
    compile_bytecode(partial)
    strip_libraries(partial)
    (partial / ".complete").write_text("")
    try:
        partial.rename(target)
    except OSError:  # another process finished first
        shutil.rmtree(partial, ignore_errors=True)
    return target


def compile_bytecode(root: Path) -> None:
    """Bytecode for the functions' Python beside every module under ``root``: hash-checked (no
    mtimes in it, so packages stay deterministic), naming each file where Lambda unpacks it.

    Lambda's file system is read-only, so a package without bytecode compiles every module it
    imports at each cold start: more than half of a cold start's CPU on the emulator here."""
    argv = [
        find_python(FUNCTION_PYTHON), "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "checked-hash",
        "-s", str(root), "-p", LAMBDA_TASK_ROOT, str(root),
    ]  # fmt: skip
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackagingFailed(f"compiling {root} for python{FUNCTION_PYTHON} failed:\n{result.stdout[-2000:]}")


def strip_libraries(root: Path) -> None:
    """``strip --strip-unneeded`` the STRIPPED libraries under ``root`` (their dynamic symbols
    stay): every byte of a package is copied at each cold start on the emulator and counts toward
    Lambda's size limit."""
    strip = shutil.which("strip")
    if strip is None:
        raise PackagingFailed("strip (GNU binutils) is not on PATH: it is needed to package the functions")
    libraries = [
        str(path)
        for path in sorted(root.rglob("*.so*"))
        if STRIPPED.match(path.relative_to(root).as_posix()) and path.is_file() and _is_elf(path)
    ]
    result = subprocess.run([strip, "--strip-unneeded", *libraries], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackagingFailed(f"strip failed in {root}:\n{result.stderr[-2000:]}")


def _is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def _files(root: Path, base: Path, *, bytecode: bool) -> Iterable[tuple[str, Path]]:
    """The files under ``root``, named relative to ``base``, outside ``__pycache__``; with
    ``bytecode``, also the functions' bytecode (never another interpreter's)."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(base)
        cached = "__pycache__" in relative.parts
        if path.is_file() and (not cached or (bytecode and f".{BYTECODE_TAG}." in path.name)):
            yield relative.as_posix(), path


def source_of(name: str) -> str:
    """The module a bytecode file was compiled from (``a/__pycache__/m.cpython-313.pyc`` → ``a/m.py``);
    any other name itself."""
    path = PurePosixPath(name)
    if path.suffix != ".pyc" or path.parent.name != "__pycache__":
        return name
    return str(path.parent.parent / f"{path.name.split('.', 1)[0]}.py")


def _source_files(function: str) -> list[tuple[str, Path]]:
    handler = REPO_ROOT / "images" / function / HANDLER_MODULE
    if not handler.exists():
        raise PackagingFailed(f"{handler}: no handler module for function {function!r}")
    files = [(HANDLER_MODULE, handler)]
    for package in SOURCE_PACKAGES:
        files += list(_files(REPO_ROOT / package, REPO_ROOT, bytecode=False))
    return [*files, kernel_module_file()]


def _with_bytecode(entries: list[tuple[str, Path]], staging: Path) -> list[tuple[str, Path]]:
    """``entries`` copied under ``staging`` with their modules' bytecode beside them."""
    for name, path in entries:
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, staging / name)
    compile_bytecode(staging)
    return list(_files(staging, staging, bytecode=True))


def _dependency_files(deps: Path, without: frozenset[str]) -> list[tuple[str, Path]]:
    """Installed files, less what no function loads and the top-level names in ``without`` (``is_pruned``)."""
    files = []
    for name, path in _files(deps, deps, bytecode=True):
        if name != ".complete" and not is_pruned(source_of(name), without):
            files.append((name, path))
    return files


def _write_entries(archive: zipfile.ZipFile, entries: Iterable[tuple[str, Path]]) -> None:
    for name, path in entries:
        info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
        archive.writestr(info, path.read_bytes())


def _cached_zip(target: Path, base: Path | None, entries: list[tuple[str, Path]]) -> Path:
    """Write ``base``'s entries (copied as they are) plus ``entries`` to ``target`` unless cached."""
    if target.exists():
        return target
    ZIP_CACHE.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    if base is not None:
        shutil.copyfile(base, partial)
    with zipfile.ZipFile(partial, "a" if base is not None else "w") as archive:
        _write_entries(archive, entries)
    partial.replace(target)
    return target


def build_zip(function: str, *, without: Iterable[str] = (), lock_file: Path = LOCK_FILE) -> Path:
    """The function's zip package (cached by content), less its UNUSED_DEPENDENCIES; ``without``
    drops more top-level dependency directories, to prove that a package missing one fails on
    the emulator as on AWS.

    The dependencies' zip is built once per set left out and each function's sources appended to
    a copy of it."""
    if function not in FUNCTIONS:
        raise PackagingFailed(f"function: must be one of {FUNCTIONS}, got {function!r}")
    dropped = frozenset(without) | UNUSED_DEPENDENCIES.get(function, frozenset())
    installed = install_dependencies(lock_file)
    dependencies = _dependency_files(installed, dropped)
    sources = _source_files(function)
    clashes = {name for name, _ in dependencies} & {name for name, _ in sources}
    if clashes:
        raise PackagingFailed(f"{function}: sources collide with dependency files: {sorted(clashes)[:5]}")
    size = sum(path.stat().st_size for _, path in [*dependencies, *sources])
    if size > UNZIPPED_LIMIT_BYTES:
        raise PackagingFailed(f"{function}: {size} bytes unzipped, over Lambda's {UNZIPPED_LIMIT_BYTES}")
    suffix = "-without-" + "-".join(sorted(dropped)) if dropped else ""
    deps_key = _digest(
        installed.name.encode(), PRUNED.pattern.encode(), b"stored", *(n.encode() for n in sorted(dropped))
    )
    base = _cached_zip(ZIP_CACHE / f"deps{suffix}-{deps_key}.zip", None, dependencies)
    key = _digest(base.name.encode(), *(name.encode() + path.read_bytes() for name, path in sources))
    target = ZIP_CACHE / f"{function}{suffix}-{key}.zip"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory(prefix=f"{function}-sources-") as staging:
        return _cached_zip(target, base, _with_bytecode(sources, Path(staging)))
