"""The user-defined network function containers run on.

With ``--bridge=none`` a container on Docker's default network gets no address; a
user-defined bridge works, and its gateway is the host's address on it: the one address
besides loopback where the emulator is made reachable for functions."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

from pipeline.docker.client import DockerCli
from pipeline.docker.constants import HOST_ALIAS, NETWORK_GATEWAY, NETWORK_LOCK, NETWORK_NAME, NETWORK_SUBNET
from pipeline.docker.exceptions import DockerError
from pipeline.locking import exclusive


@dataclass(frozen=True)
class FunctionNetwork:
    name: str
    subnet: str
    gateway: str

    def docker_flags(self) -> str:
        """``LAMBDA_DOCKER_FLAGS`` for the emulator: this network, and the host under its alias."""
        return f"--network {self.name} --add-host {HOST_ALIAS}:{self.gateway}"


def ensure_network(
    cli: DockerCli, name: str = NETWORK_NAME, subnet: str = NETWORK_SUBNET, gateway: str = NETWORK_GATEWAY
) -> FunctionNetwork:
    """The network, created when missing; an existing one must have the same subnet. Either way,
    bridges another (dead) daemon left on the gateway are removed: this daemon's may persist in
    its data root while another daemon's bridge holds the same address. One caller at a time
    (tests on two xdist workers ask together)."""
    with exclusive(NETWORK_LOCK):
        return _ensure_network(cli, name, subnet, gateway)


def _ensure_network(cli: DockerCli, name: str, subnet: str, gateway: str) -> FunctionNetwork:
    try:
        record = json.loads(cli.run(["network", "inspect", name]))[0]
    except DockerError:
        remove_stale_bridges(gateway)
        cli.run(["network", "create", "--driver", "bridge", "--subnet", subnet, "--gateway", gateway, name])
        return FunctionNetwork(name, subnet, gateway)
    configs = record.get("IPAM", {}).get("Config") or [{}]
    found = (configs[0].get("Subnet"), configs[0].get("Gateway"))
    if found != (subnet, gateway):
        raise DockerError(f"network {name} exists with subnet/gateway {found}, expected {(subnet, gateway)}")
    remove_stale_bridges(gateway, keep=f"br-{record['Id'][:12]}")
    return FunctionNetwork(name, subnet, gateway)


def remove_stale_bridges(gateway: str, keep: str | None = None) -> list[str]:
    """Delete Docker bridges left holding ``gateway`` by a daemon that is gone.

    A stopped or killed dockerd leaves its bridge interfaces behind; a new daemon (another data
    root) would then put the same subnet on a second bridge, and replies to containers could be
    routed to the dead one. Only ``br-*`` interfaces (Docker's naming) other than ``keep`` (the
    running daemon's own) are touched."""
    listing = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True, check=False)
    stale = sorted(
        {
            fields[1]
            for fields in (line.split() for line in listing.stdout.splitlines())
            if len(fields) > 3 and fields[1].startswith("br-") and fields[3].split("/")[0] == gateway
        }
        - {keep}
    )
    for interface in stale:
        subprocess.run(["ip", "link", "delete", interface], capture_output=True, check=False)
    return stale
