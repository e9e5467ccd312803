"""The systemd units docs/deployment.md offers start real `handoff` commands, restart on exit
and read the settings from one environment file."""

import configparser
import shlex
from pathlib import Path

import pytest

from handoff.cli import build_parser

UNITS = sorted((Path(__file__).parent.parent / "docs" / "deploy" / "systemd").glob("*.service"))


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_there_is_a_unit_for_the_web_and_for_the_workers():
    assert {path.name for path in UNITS} == {"handoff-web.service", "handoff-worker@.service"}


@pytest.mark.parametrize("path", UNITS, ids=lambda path: path.name)
def test_each_unit_runs_a_handoff_command_that_parses(path):
    service = unit(path)["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0].endswith("/handoff")
    arguments = build_parser().parse_args(command[1:])
    assert arguments.command in ("serve", "worker")
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/handoff/handoff.env"
    assert service["KillSignal"] == "SIGTERM"
