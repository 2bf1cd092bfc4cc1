"""The local base image: Debian packages (debootstrap) plus AWS's Lambda entrypoint contract.

For machines that cannot pull AWS's base image. Built once per recipe hash: the image archive
is cached under .cache/images/base/<hash>.tar and loaded into whichever daemon runs, so a new
daemon (or a fresh data root) costs a ``docker load`` rather than a debootstrap. The archive is
written with deterministic bytes (sorted entries, clamped mtimes, a fixed creation time), so
loading it anywhere gives the same image ID."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline.docker import DockerCli, ensure_commands
from pipeline.images.archive import iso_time, layer_from_tree, write_archive
from pipeline.images.bases import LOCAL_BASE_RECIPE, BaseImage, LocalBaseRecipe
from pipeline.images.constants import BASE_CACHE, BASE_RECIPE_DIR, SOURCE_DATE_EPOCH_ENV
from pipeline.images.exceptions import BaseImageUnavailable
from pipeline.images.wheels import WheelSet, ensure_wheels

APT_SOURCES = (Path("/etc/apt/sources.list.d"), Path("/etc/apt/sources.list"))
_WHEELS_IN_ROOT = "tmp/runtime-wheels"


def ensure_local_base(
    cli: DockerCli, recipe: LocalBaseRecipe = LOCAL_BASE_RECIPE, *, rebuild: bool = False
) -> BaseImage:
    """The recipe's image in the daemon: already there, loaded from the cache, or built."""
    image = recipe.image()
    if not rebuild and cli.image_id(image.ref):
        return image
    archive = BASE_CACHE / f"{recipe.content_hash()}.tar"
    if rebuild or not archive.exists():
        build_base_archive(recipe, archive)
    cli.run(["load", "--input", str(archive)])
    return image


def build_base_archive(recipe: LocalBaseRecipe, archive: Path) -> Path:
    """debootstrap, add the runtime client and the entrypoint contract, write the archive."""
    ensure_commands("debootstrap")
    runtime_wheels = ensure_wheels(
        WheelSet(BASE_RECIPE_DIR / recipe.runtime_lock, recipe.python_version, recipe.wheel_platforms)
    )
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=archive.parent) as work:
        root = Path(work) / "rootfs"
        started = time.monotonic()
        _debootstrap(recipe, root, Path(work) / "debootstrap.log")
        print(f"debootstrap {recipe.suite}: {time.monotonic() - started:.0f} s", flush=True)
        _install_runtime_client(recipe, root, runtime_wheels)
        _install_files(recipe, root)
        _prune(recipe, root)
        layer = Path(work) / "layer.tar"
        with open(layer, "wb") as out:
            diff_id = layer_from_tree(root, out, recipe.source_date_epoch, recipe.empty_dirs)
        partial = archive.with_name(archive.name + ".partial")
        write_archive(partial, base_config(recipe, diff_id), [(diff_id, layer)], [recipe.image().ref])
        partial.replace(archive)
    return archive


def base_config(recipe: LocalBaseRecipe, diff_id: str) -> dict[str, Any]:
    """The image config: AWS's base-image environment, entrypoint and working directory."""
    created = iso_time(recipe.source_date_epoch)
    labels = {**dict(recipe.labels), "serverless-sweep.base-recipe": recipe.content_hash()}
    return {
        "architecture": "amd64",
        "os": "linux",
        "created": created,
        "config": {
            "Env": [f"{name}={value}" for name, value in recipe.env],
            "Entrypoint": list(recipe.entrypoint),
            "WorkingDir": recipe.task_root,
            "Labels": labels,
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [
            {
                "created": created,
                "created_by": f"debootstrap --variant={recipe.variant} {recipe.suite} "
                f"+{','.join(recipe.packages)} + runtime interface client + entrypoint contract",
            }
        ],
    }


def debian_mirror(suite: str) -> str:
    """The mirror apt itself uses for ``suite`` (deb822 ``.sources`` or one-line entries)."""
    files: list[Path] = []
    for source in APT_SOURCES:
        if source.is_dir():
            files += [*sorted(source.glob("*.sources")), *sorted(source.glob("*.list"))]
        else:
            files.append(source)
    for path in files:
        if not path.exists():
            continue
        text = path.read_text()
        if path.suffix == ".sources":
            for stanza in text.split("\n\n"):
                fields = dict(_deb822_fields(stanza))
                if "deb" in fields.get("types", "").split() and suite in fields.get("suites", "").split():
                    return fields["uris"].split()[0]
        else:
            for line in text.splitlines():
                parts = line.split()
                if len(parts) >= 3 and parts[0] == "deb" and suite in parts[2:3]:
                    return next(p for p in parts[1:] if not p.startswith("["))
    raise BaseImageUnavailable(f"no apt source for Debian {suite} in {', '.join(map(str, APT_SOURCES))}")


def _deb822_fields(stanza: str) -> list[tuple[str, str]]:
    fields = []
    for line in stanza.splitlines():
        if line and not line.startswith(("#", " ")) and ":" in line:
            name, value = line.split(":", 1)
            fields.append((name.strip().lower(), value.strip()))
    return fields


def _debootstrap(recipe: LocalBaseRecipe, root: Path, log_path: Path) -> None:
    argv = [
        "debootstrap",
        f"--variant={recipe.variant}",
        f"--include={','.join(recipe.packages)}",
        recipe.suite,
        str(root),
        debian_mirror(recipe.suite),
    ]
    with open(log_path, "wb") as log:
        done = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
        raise BaseImageUnavailable(f"`{' '.join(argv)}` exited {done.returncode}:\n{tail}")


def _chroot(root: Path, *argv: str, epoch: int) -> None:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", SOURCE_DATE_EPOCH_ENV: str(epoch)}
    done = subprocess.run(["chroot", str(root), *argv], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BaseImageUnavailable(f"`chroot {' '.join(argv)}` exited {done.returncode}: {done.stderr[-1500:]}")


def _install_runtime_client(recipe: LocalBaseRecipe, root: Path, wheels: WheelSet) -> None:
    """awslambdaric into the runtime dir with the image's own pip, offline; hash-checked pycs."""
    staged = root / _WHEELS_IN_ROOT
    staged.mkdir(parents=True)
    for wheel in wheels.files():
        shutil.copy2(wheel, staged)
    shutil.copy2(BASE_RECIPE_DIR / recipe.runtime_lock, staged / recipe.runtime_lock)
    inside = f"/{_WHEELS_IN_ROOT}"
    _chroot(
        root,
        "python3",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-index",
        "--no-compile",
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--find-links",
        inside,
        "--target",
        recipe.runtime_dir,
        "--requirement",
        f"{inside}/{recipe.runtime_lock}",
        epoch=recipe.source_date_epoch,
    )
    _chroot(
        root,
        "python3",
        "-m",
        "compileall",
        "-q",
        "--invalidation-mode",
        "checked-hash",
        recipe.runtime_dir,
        epoch=recipe.source_date_epoch,
    )
    shutil.rmtree(staged)


def _install_files(recipe: LocalBaseRecipe, root: Path) -> None:
    for item in recipe.files:
        target = root / item.target.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BASE_RECIPE_DIR / item.source, target)
        os.chmod(target, item.mode)
    (root / recipe.task_root.lstrip("/")).mkdir(parents=True, exist_ok=True)


def _prune(recipe: LocalBaseRecipe, root: Path) -> None:
    for pattern in recipe.prune:
        for path in root.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
