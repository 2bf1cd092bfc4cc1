"""The functions' default timeouts and the child's retries: the domain bounds its work by them (a
shard's estimated time, how long a claim that states no deadline holds, how many attempts a shard
gets). The emulator deployer and Terraform's defaults are tested against these constants
(tests/infra/test_terraform_functions.py)."""

from __future__ import annotations

PARENT_TIMEOUT_SECONDS = 60
"""The parent's default timeout. A parent's own claims hold until its real deadline, read from its
Lambda context (``sim.manifest``); twice this is the hold of a claim that states none."""

CHILD_TIMEOUT_SECONDS = 600
"""The child's timeout: one shard attempt must finish well inside it (``sim.contract.workload``)."""

MAX_RETRIES = 2
"""Retries after a failed child attempt: Lambda's async maximum, honoured by the local sweep too."""
