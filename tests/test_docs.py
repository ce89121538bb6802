"""Help and README are complete: every command has help, an example, and a place
in the README's generated command reference."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner
from conftest import REPO

from syndication.cli import cli


def walk(
    command: click.Command, path: list[str]
) -> Iterator[tuple[list[str], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name in command.list_commands(click.Context(command)):
            sub = command.get_command(click.Context(command), name)
            assert sub is not None, f"command {name!r} is listed but cannot be loaded"
            yield from walk(sub, [*path, name])


COMMANDS = [" ".join(path) for path, _ in walk(cli, [])]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_an_example(name: str) -> None:
    path = name.split() if name else []
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = {" ".join(p): c for p, c in walk(cli, [])}[name]
    assert command.help, f"syndication {name} has no help text"
    if not isinstance(command, click.Group) or not path:
        assert "Example:" in command.help, (
            f"syndication {name} help lacks an Example: line"
        )


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    heading = f"### syndication {name}".rstrip()
    assert f"{heading}\n" in readme, (
        f"README lacks the reference for 'syndication {name}'"
    )


def test_root_help_lists_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    for line in ("0  success", "3  bad input", "4  a document refused by validation"):
        assert line in result.output


def test_readme_quickstart_has_exactly_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = quickstart.split("```bash\n")[1:]
    assert len(blocks) == 2
    assert all(block.split("```")[0].strip().count("\n") == 0 for block in blocks)
    assert "pytest" in blocks[1]
