"""``python -m pipeline infra check``: terraform fmt -check, then checkov with the skip file."""

from __future__ import annotations

import argparse

from pipeline.infra.checkov import checkov_scan
from pipeline.infra.exceptions import InfraError
from pipeline.infra.fmt import terraform_fmt_check


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("infra", help="checks of the Terraform configuration")
    actions = parser.add_subparsers(dest="infra_command", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="terraform fmt -check, then checkov (offline, own venv)")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    failures = 0
    try:
        terraform_fmt_check()
        print("terraform fmt: clean")
    except InfraError as error:
        print(f"terraform fmt: {error}")
        failures += 1
    result = checkov_scan(check=False)
    print(result.report())
    return 1 if failures or not result.ok else 0
