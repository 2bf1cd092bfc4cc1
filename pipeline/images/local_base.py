"""The local base image: Debian packages (debootstrap) plus AWS's Lambda entrypoint contract.

For machines that cannot pull AWS's base image. Two layers, each cached under
.cache/images/base/ by a content hash: the Debian root filesystem (debootstrap, about a
minute; keyed by the Debian part of the recipe) and the Lambda contract (the runtime client in
/var/runtime, ``/lambda-entrypoint.sh``, the Runtime Interface Emulator stand-in; seconds;
keyed by the whole recipe). The image archive is loaded into whichever daemon runs, so a new
daemon costs a ``docker load``. Layers are written with deterministic bytes (sorted entries,
clamped mtimes) and the config has a fixed creation time, so an archive loads as the same
image ID anywhere."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
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
_CACHED_NAME = re.compile(r"(rootfs-)?[0-9a-f]{64}\.(tar|diffid)")


def ensure_local_base(
    cli: DockerCli, recipe: LocalBaseRecipe = LOCAL_BASE_RECIPE, *, rebuild: bool = False
) -> BaseImage:
    """The recipe's image in the daemon: already there, loaded from the cache, or built."""
    image = recipe.image()
    if not rebuild and cli.image_id(image.ref):
        return image
    archive = BASE_CACHE / f"{recipe.content_hash()}.tar"
    if rebuild or not archive.exists():
        build_base_archive(recipe, archive, rebuild_rootfs=rebuild)
    cli.run(["load", "--input", str(archive)])
    return image


def build_base_archive(recipe: LocalBaseRecipe, archive: Path, *, rebuild_rootfs: bool = False) -> Path:
    """The image archive: the (cached) Debian layer, then a fresh Lambda contract layer."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    rootfs, rootfs_id = debian_layer(recipe, rebuild=rebuild_rootfs)
    with tempfile.TemporaryDirectory(prefix=".contract-", dir=archive.parent) as work:
        contract = Path(work) / "contract.tar"
        contract_id = _contract_layer(recipe, rootfs, Path(work), contract)
        partial = archive.with_name(archive.name + ".partial")
        layers = [(rootfs_id, rootfs), (contract_id, contract)]
        write_archive(partial, base_config(recipe, [rootfs_id, contract_id]), layers, [recipe.image().ref])
        partial.replace(archive)
    _drop_stale(archive.parent, keep={archive.name, rootfs.name, rootfs.with_suffix(".diffid").name})
    return archive


def _drop_stale(cache: Path, keep: set[str]) -> None:
    """Archives and layers of other recipes: a changed recipe never uses them again."""
    for path in cache.iterdir():
        if _CACHED_NAME.fullmatch(path.name) and path.name not in keep:
            path.unlink()


def debian_layer(recipe: LocalBaseRecipe, *, rebuild: bool = False) -> tuple[Path, str]:
    """The Debian root filesystem as a layer tar and its diff_id, debootstrapped when not cached."""
    layer = BASE_CACHE / f"rootfs-{recipe.debian_hash()}.tar"
    diff_id_file = layer.with_suffix(".diffid")
    if not rebuild and layer.exists() and diff_id_file.exists():
        return layer, diff_id_file.read_text().strip()
    ensure_commands("debootstrap")
    layer.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".rootfs-", dir=layer.parent) as work:
        root = Path(work) / "rootfs"
        started = time.monotonic()
        _debootstrap(recipe, root, Path(work) / "debootstrap.log")
        print(f"debootstrap {recipe.suite}: {time.monotonic() - started:.0f} s", flush=True)
        _prune(recipe, root)
        partial = Path(work) / "rootfs.tar"
        with open(partial, "wb") as out:
            diff_id = layer_from_tree(root, out, recipe.source_date_epoch, recipe.empty_dirs)
        partial.replace(layer)
    diff_id_file.write_text(diff_id + "\n")
    return layer, diff_id


def _contract_layer(recipe: LocalBaseRecipe, rootfs: Path, work: Path, out_path: Path) -> str:
    """/var/runtime (awslambdaric, installed by the image's own pip, offline), the entrypoint,
    the bootstrap, the emulator stand-in and an empty task root, as one layer."""
    root = work / "root"
    with tarfile.open(rootfs) as tar:
        tar.extractall(root, filter="fully_trusted")
    _install_runtime_client(recipe, root)
    contract = work / "contract"
    runtime_dir = contract / recipe.runtime_dir.lstrip("/")
    runtime_dir.parent.mkdir(parents=True)
    shutil.move(root / recipe.runtime_dir.lstrip("/"), runtime_dir)
    for item in recipe.files:
        target = contract / item.target.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BASE_RECIPE_DIR / item.source, target)
        os.chmod(target, item.mode)
    (contract / recipe.task_root.lstrip("/")).mkdir(parents=True, exist_ok=True)
    for directory in [contract, *(p for p in contract.rglob("*") if p.is_dir())]:
        os.chmod(directory, 0o755)
    with open(out_path, "wb") as out:
        return layer_from_tree(contract, out, recipe.source_date_epoch)


def base_config(recipe: LocalBaseRecipe, diff_ids: list[str]) -> dict[str, Any]:
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
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [
            {
                "created": created,
                "created_by": f"debootstrap --variant={recipe.variant} {recipe.suite} +{','.join(recipe.packages)}",
            },
            {
                "created": created,
                "created_by": "runtime interface client, /lambda-entrypoint.sh, aws-lambda-rie stand-in",
            },
        ],
    }


def debian_mirror(suite: str) -> str:
    """The mirror apt itself uses for ``suite`` (deb822 ``.sources`` or one-line entries), else the
    one it uses for the host's own release (a Debian mirror serves every release: a bookworm host
    debootstraps trixie from it)."""
    entries = _apt_entries()
    for wanted in (suite, _host_codename()):
        for uri, suites in entries:
            if wanted and wanted in suites:
                return uri
    raise BaseImageUnavailable(f"no apt source for Debian {suite} in {', '.join(map(str, APT_SOURCES))}")


def _host_codename(os_release: Path = Path("/etc/os-release")) -> str:
    if not os_release.exists():
        return ""
    fields = dict(line.split("=", 1) for line in os_release.read_text().splitlines() if "=" in line)
    return fields.get("VERSION_CODENAME", "").strip('"')


def _apt_entries() -> list[tuple[str, list[str]]]:
    """(first URI, suites) of every ``deb`` entry, in apt's reading order."""
    files: list[Path] = []
    for source in APT_SOURCES:
        if source.is_dir():
            files += [*sorted(source.glob("*.sources")), *sorted(source.glob("*.list"))]
        else:
            files.append(source)
    entries: list[tuple[str, list[str]]] = []
    for path in files:
        if not path.exists():
            continue
        text = path.read_text()
        if path.suffix == ".sources":
            for stanza in text.split("\n\n"):
                fields = dict(_deb822_fields(stanza))
                if "deb" in fields.get("types", "").split() and fields.get("uris"):
                    entries.append((fields["uris"].split()[0], fields.get("suites", "").split()))
        else:
            for line in text.splitlines():
                parts = [p for p in line.split() if not p.startswith("[")]
                if len(parts) >= 3 and parts[0] == "deb":
                    entries.append((parts[1], parts[2:3]))
    return entries


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


def _install_runtime_client(recipe: LocalBaseRecipe, root: Path) -> None:
    """awslambdaric into the runtime dir with the image's own pip, offline; hash-checked pycs."""
    wheels = ensure_wheels(
        WheelSet(BASE_RECIPE_DIR / recipe.runtime_lock, recipe.python_version, recipe.wheel_platforms)
    )
    staged = root / _WHEELS_IN_ROOT
    staged.mkdir(parents=True)
    for wheel in wheels.files():
        shutil.copy2(wheel, staged)
    shutil.copy2(BASE_RECIPE_DIR / recipe.runtime_lock, staged / recipe.runtime_lock)
    inside = f"/{_WHEELS_IN_ROOT}"
    pip = ["python3", "-m", "pip", "install", "--quiet", "--no-index", "--no-compile", "--no-cache-dir"]
    pip += ["--disable-pip-version-check", "--find-links", inside, "--target", recipe.runtime_dir]
    _chroot(root, *pip, "--requirement", f"{inside}/{recipe.runtime_lock}", epoch=recipe.source_date_epoch)
    compile_ = ["python3", "-m", "compileall", "-q", "--invalidation-mode", "checked-hash", recipe.runtime_dir]
    _chroot(root, *compile_, epoch=recipe.source_date_epoch)


def _prune(recipe: LocalBaseRecipe, root: Path) -> None:
    for pattern in recipe.prune:
        for path in root.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
