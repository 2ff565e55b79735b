"""Every command has help with an example, so the documentation cannot drift from the CLI."""

from __future__ import annotations

import click
import pytest

from tests.conftest import run_tipdw
from tipdw.cli import main


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in _commands(main)], ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path, tmp_path):
    out = run_tipdw(tmp_path, *path, "--help")
    assert "Example" in out.stdout, f"`tipdw {' '.join(path)} --help` shows no example"


def test_top_level_help_has_an_example(tmp_path):
    out = run_tipdw(tmp_path, "--help")
    assert "Example" in out.stdout and "ingest" in out.stdout


def test_every_command_is_in_the_readme():
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path, _ in _commands(main):
        assert f"tipdw {' '.join(path)}" in readme, f"README does not mention `tipdw {' '.join(path)}`"
