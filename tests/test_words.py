"""Words (issue 12): help texts whole and in both languages, and Chinese output without English words
(层级, the ledger's source, `rules explain`, a conflict's state). The help check walks every command, so a
command added later is held to the same rule."""

from __future__ import annotations

import json
import re

import click
import pytest
import typer

from conftest import Run

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")
# typer's and click's own options, worded by them
THEIRS = {"--help", "--install-completion", "--show-completion"}


def commands():
    from grid_cli.cli import app

    root = typer.main.get_command(app)

    def walk(command, path):  # through list_commands/get_command: the root loads its commands lazily
        yield path, command
        if hasattr(command, "list_commands"):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                yield from walk(command.get_command(ctx, name), [*path, name])

    yield from walk(root, ["grid"])


@pytest.mark.parametrize("path,command", [(" ".join(p), c) for p, c in commands()], ids=lambda v: v if isinstance(v, str) else "")
def test_every_help_text_is_whole_and_in_both_languages(path, command):
    text = command.help or ""
    first = text.split("\n\n")[0].strip()
    assert CJK.search(first) and LATIN.search(first), f"{path}: {first!r} should say it in Chinese and English"
    if path != "grid":
        short = command.get_short_help_str(limit=80 - 6 - 10)  # the command listing at 80 columns
        assert short == " ".join(first.split()), f"{path}: the listing cuts its help to {short!r}"
    for param in command.params:
        name = param.opts[0] if param.opts else param.name
        if name in THEIRS:
            continue
        words = getattr(param, "help", None) or ""
        assert CJK.search(words) and LATIN.search(words), f"{path} {name}: {words!r} should be in both languages"


def test_rules_explain_speaks_the_language_in_use(run):
    from grid_cli.rules.registry import RULES

    for rule, module in RULES.items():
        assert CJK.search(module.EXPLAIN_ZH) and "不" in module.EXPLAIN_ZH.split("\n\n")[1], rule  # with its examples
    zh = run("rules", "explain", "water", lang="zh").output
    assert "不少于 35 升" in zh and "quantity" not in zh
    en = run("rules", "explain", "water", lang="en").output
    assert "quantity ≥35 L/person/day" in en and "不少于" not in en


def test_init_and_info_name_the_source_and_level_in_words(tmp_path, monkeypatch):
    from conftest import INIT_ARGS

    monkeypatch.setattr("grid_cli.location.default_ledger", lambda: tmp_path / "data" / "ledger.db")

    result = Run(None)(*INIT_ARGS, "--threshold", "7600", lang="zh", ledger=False)
    assert result.exit_code == 0, result.output
    assert "（来自默认位置）" in "".join(result.output.split()) and "default" not in result.output
    info = Run(None)("info", lang="zh", ledger=False).output
    assert any(line.split() == ["层级", "网格"] for line in info.splitlines())


def test_a_conflicts_state_is_in_words(tmp_path, monkeypatch):
    """A conflict made the way the README's township makes one, settled, then listed with --all."""
    from grid_cli.ledger import Ledger
    from sealing import enrol

    t, g = tmp_path / "t.db", tmp_path / "g.db"
    assert Run(t)("init", "--level", "township", "--township", "T", "--county", "C", "--grids", "G1").exit_code == 0
    assert Run(g)("init", "--grid", "G1", "--village", "V", "--township", "T", "--county", "C", "--monitor", "李",
                  "--phone", "13908761234", "--threshold", "7600").exit_code == 0
    parent, child = Ledger.open(t), Ledger.open(g)
    enrol(parent, child)
    parent.close(), child.close()
    township, grid = Run(t), Run(g)
    assert grid("household", "add", "--hh-no", "H1", "--head", "张").exit_code == 0
    assert grid("sync", "export", "--out", tmp_path / "1.zip").exit_code == 0
    assert township("sync", "merge", tmp_path / "1.zip").exit_code == 0
    assert township("household", "edit", "H1", "--phone", "13900008888").exit_code == 0
    assert grid("household", "edit", "H1", "--phone", "13800001111").exit_code == 0
    assert grid("sync", "export", "--out", tmp_path / "2.zip").exit_code == 0
    assert township("sync", "merge", tmp_path / "2.zip").exit_code == 0
    listed = township("sync", "conflicts", lang="zh").output
    assert "待处理" in listed and "kept（保留现值）或 lost（改用落选值）" in listed
    assert "(kept)" not in listed and "(lost)" not in listed
    [conflict] = json.loads(township("sync", "conflicts", "--json").stdout)
    assert township("sync", "conflicts", "--pick", str(conflict["id"]), "lost").exit_code == 0
    monkeypatch.setenv("COLUMNS", "160")  # the state's cell unwrapped
    from grid_cli.commands import sync as sync_commands

    monkeypatch.setattr(sync_commands.console, "width", 160)  # a console made earlier in this process keeps its width
    settled = township("sync", "conflicts", "--all", lang="zh").output
    assert "已处理：改用落选值" in settled and "picked" not in settled
    assert "settled: lost value" in township("sync", "conflicts", "--all", lang="en").output
