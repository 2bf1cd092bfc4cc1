import pytest

from pipeline.cli import COMMANDS, build_parser, main


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_is_registered_by_the_module_it_is_mapped_to(command: str) -> None:
    parser = build_parser(command)

    subparsers = next(a for a in parser._actions if a.dest == "command")

    assert command in subparsers.choices


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["no-such-command"])

    assert exit_.value.code == 2
    assert "invalid choice: 'no-such-command'" in capsys.readouterr().err
