import subprocess
import sys

from cmeconf import cli


def test_help_lists_the_commands(capsys):
    cli.main(["--help"])
    out = capsys.readouterr().out
    for command in ("cmeconf demo", "cmeconf serve", "cmeconf worker", "cmeconf demo-data"):
        assert command in out


def test_other_names_reach_django_commands(capsys):
    cli.main(["check"])
    assert "System check identified no issues" in capsys.readouterr().out


def test_console_script_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "cmeconf.cli", "help"], capture_output=True, text=True, check=True
    )
    assert "cmeconf serve" in result.stdout
