"""The functions' timeouts: the domain bounds its work by them (a shard's estimated time, how long
a dispatch claim may stay unfinished). The emulator deployer and Terraform's defaults are tested
against these constants (tests/infra/test_terraform_functions.py)."""

from __future__ import annotations

PARENT_TIMEOUT_SECONDS = 60
"""The parent's timeout: no parent is still dispatching this long after it claimed a shard."""

CHILD_TIMEOUT_SECONDS = 600
"""The child's timeout: one shard attempt must finish well inside it (``sim.contract.workload``)."""
