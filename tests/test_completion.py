"""Shell completion is on (issue 12): bash and PowerShell complete commands and options, in a real process
the way each shell's script calls `grid` (README, "Shell completion")."""

from __future__ import annotations

import os
import subprocess
import sys


def complete(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GRID_", "_GRID", "_TYPER"))}
    return subprocess.run([sys.executable, "-m", "grid_cli", *args], env={**base, **env}, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def test_bash_completes_commands_and_options():
    result = complete({"_GRID_COMPLETE": "complete_bash", "COMP_WORDS": "grid vi", "COMP_CWORD": "1"})
    assert result.returncode == 0 and result.stdout.split() == ["visit"]
    result = complete({"_GRID_COMPLETE": "complete_bash", "COMP_WORDS": "grid visit 52999903010012 --resu",
                       "COMP_CWORD": "3"})
    assert result.stdout.split() == ["--resume"]


def test_powershell_completes_with_the_help_text():
    result = complete({"_GRID_COMPLETE": "complete_powershell", "_TYPER_COMPLETE_ARGS": "grid sync me",
                       "_TYPER_COMPLETE_WORD_TO_COMPLETE": "me"})
    assert result.returncode == 0
    [line] = result.stdout.splitlines()
    assert line.startswith("merge:::")


def test_the_scripts_to_install_for_bash_and_powershell():
    env = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}  # name the shell instead of detecting it
    bash = complete(env, "--show-completion", "bash")
    assert bash.returncode == 0 and "complete -o default -F _grid_completion grid" in bash.stdout
    powershell = complete(env, "--show-completion", "powershell")
    assert powershell.returncode == 0
    assert "Register-ArgumentCompleter -Native -CommandName grid" in powershell.stdout
    assert "--install-completion" in complete({}, "--help").stdout
