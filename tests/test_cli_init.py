"""`grid init` / `grid info`: the threshold or a county rule file, where the ledger goes, the language."""

import json

import pytest

from conftest import INIT_ARGS, Run, count, digest, rows_of


def flat(text: str) -> str:
    return " ".join(text.split())


def config_of(path):
    return {r["key"]: json.loads(r["value"]) for r in rows_of(path, "SELECT key, value FROM config WHERE year = 2026")}


def test_init_with_a_threshold_creates_the_ledger(tmp_path):
    path = tmp_path / "sub" / "g.db"
    result = Run(path)(*INIT_ARGS, "--threshold", "7,600")
    assert result.exit_code == 0, result.output
    assert "Ledger created" in result.output and "7,600" in result.output
    assert config_of(path) == {"threshold": 7600}
    meta = {r["key"]: json.loads(r["value"]) for r in rows_of(path, "SELECT * FROM meta")}
    assert meta["grid_code"] == "G1" and meta["village"] == "青石村" and meta["year"] == 2026
    assert len(meta["replica_id"]) == 32


def test_init_requires_a_threshold_and_leaves_no_file(tmp_path):
    path = tmp_path / "g.db"
    result = Run(path)(*INIT_ARGS)
    assert result.exit_code == 2
    assert "--threshold" in result.output and "Traceback" not in result.output
    assert not path.exists()


@pytest.mark.parametrize("value", ["500", "-7600", "abc", "nan"])
def test_init_refuses_implausible_thresholds(tmp_path, value):
    path = tmp_path / "g.db"
    result = Run(path)(*INIT_ARGS, "--threshold", value)
    assert result.exit_code == 2, result.output
    assert not path.exists()


def test_init_reports_each_missing_option_as_usage(tmp_path):
    path = tmp_path / "g.db"
    result = Run(path)("init", "--threshold", "7600")
    assert result.exit_code == 2 and "--grid" in result.output
    assert not path.exists()


def test_init_adopts_a_county_rule_file(tmp_path):
    rules = tmp_path / "county.json"
    rules.write_text(json.dumps({"year": 2026, "threshold": 7600, "rules": {}}), encoding="utf-8")
    path = tmp_path / "g.db"
    result = Run(path)(*INIT_ARGS, "--config", rules)
    assert result.exit_code == 0, result.output
    config = config_of(path)
    assert config.pop("rules_file")["name"] == "county.json"  # `grid rules show` names the file the values came from
    assert config == {"threshold": 7600}


def test_init_rule_file_carries_rule_parameters_and_its_year(tmp_path):
    rules = tmp_path / "county.json"
    rules.write_text(json.dumps({"year": 2025, "threshold": 7200, "rules": {"income_fall": {"share": 0.25}}}),
                     encoding="utf-8")
    path = tmp_path / "g.db"
    assert Run(path)(*INIT_ARGS, "--config", rules).exit_code == 0
    stored = {(r["year"], r["key"]): json.loads(r["value"]) for r in rows_of(path, "SELECT * FROM config")}
    assert stored.pop((2025, "rules_file"))["name"] == "county.json"
    assert stored == {(2025, "threshold"): 7200, (2025, "rules.income_fall.share"): 0.25}


@pytest.mark.parametrize("rules_part, message", [
    ({"income": {"margin": 0.1}}, "no rule named income"),
    ({"income_fall": {"margin": 0.1}}, "has no parameter margin"),
    ({"income_fall": {"share": 3}}, "income_fall.share"),
])
def test_init_refuses_a_rule_file_with_unknown_or_bad_rules(tmp_path, rules_part, message):
    rules = tmp_path / "county.json"
    rules.write_text(json.dumps({"year": 2026, "threshold": 7600, "rules": rules_part}), encoding="utf-8")
    path = tmp_path / "g.db"
    result = Run(path)(*INIT_ARGS, "--config", rules)
    assert result.exit_code == 3 and message in result.output
    assert not path.exists()


def test_init_lists_every_missing_option_at_once(tmp_path):
    result = Run(tmp_path / "g.db")("init", "--grid", "G1")
    assert result.exit_code == 2
    for option in ("--village", "--township", "--county", "--monitor", "--phone", "--threshold"):
        assert option in result.output


@pytest.mark.parametrize("content, extra, code", [
    ('{"year":2026,"threshold":7600,"rules":{}}', ["--threshold", "7600"], 2),  # both given
    ('{"year":2026,"threshold":7600,"rules":{}}', ["--year", "2025"], 2),  # year disagrees
    ('{"year":2026,"threshold":', [], 3),  # half-written
    ('{"year":2026,"threshold":-1,"rules":{}}', [], 3),
    ('{"year":2026,"threshold":7600,"rules":{},"secret":1}', [], 3),
])
def test_init_refuses_bad_rule_files(tmp_path, content, extra, code):
    rules = tmp_path / "county.json"
    rules.write_text(content, encoding="utf-8")
    path = tmp_path / "g.db"
    result = Run(path)(*INIT_ARGS, "--config", rules, *extra)
    assert result.exit_code == code, result.output
    assert not path.exists()


def test_missing_rule_file(tmp_path):
    result = Run(tmp_path / "g.db")(*INIT_ARGS, "--config", tmp_path / "nope.json")
    assert result.exit_code == 3


def test_init_never_overwrites_a_ledger(ledger_path):
    before = digest(ledger_path)
    result = Run(ledger_path)(*INIT_ARGS, "--threshold", "9000")
    assert result.exit_code == 2 and "already exists" in result.output
    assert digest(ledger_path) == before


def test_ledger_option_wins_over_env(tmp_path, monkeypatch):
    env_path, option_path = tmp_path / "env.db", tmp_path / "opt.db"
    monkeypatch.setenv("GRID_LEDGER", str(env_path))
    result = Run(option_path)(*INIT_ARGS, "--threshold", "7600")
    assert result.exit_code == 0 and "--ledger" in result.output
    assert option_path.exists() and not env_path.exists()


def test_env_is_used_without_the_option(tmp_path, monkeypatch):
    env_path = tmp_path / "env.db"
    monkeypatch.setenv("GRID_LEDGER", str(env_path))
    result = Run(None)(*INIT_ARGS, "--threshold", "7600")
    assert result.exit_code == 0 and "GRID_LEDGER" in result.output
    assert env_path.exists()
    info = Run(None)("info", "--json")
    assert json.loads(info.stdout)["ledger"] == str(env_path)


def test_default_is_the_per_user_data_dir(tmp_path, monkeypatch):
    from grid_cli.location import default_ledger

    expected = default_ledger()
    assert str(tmp_path) in str(expected)  # conftest points the user dirs into tmp_path
    result = Run(None)(*INIT_ARGS, "--threshold", "7600")
    assert result.exit_code == 0 and "default" in result.output
    assert expected.is_file()
    assert json.loads(Run(None)("info", "--json").stdout)["ledger"] == str(expected)


def test_language_choice(tmp_path, monkeypatch):
    zh = Run(tmp_path / "zh.db")(*INIT_ARGS, "--threshold", "7600", lang="zh")
    assert "已建立账本" in zh.output and "Ledger created" not in zh.output
    en = Run(tmp_path / "en.db")(*INIT_ARGS, "--threshold", "7600", lang="en")
    assert "Ledger created" in en.output and "已建立账本" not in en.output
    refused = Run(tmp_path / "zh.db")(*INIT_ARGS, "--threshold", "7600", lang="zh")
    assert "账本文件已存在" in refused.output


def test_language_from_env_when_no_option(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from grid_cli.cli import app

    monkeypatch.setenv("GRID_LANG", "zh")
    result = CliRunner().invoke(app, ["--ledger", str(tmp_path / "g.db"), *INIT_ARGS, "--threshold", "7600"])
    assert "已建立账本" in result.output


def test_bad_lang_is_a_usage_error(tmp_path):
    result = Run(tmp_path / "g.db")("info", lang="fr")
    assert result.exit_code == 2


def test_info(run, ledger_path):
    data = json.loads(run("info", "--json").stdout)
    assert data["grid"] == "G1" and data["threshold"] == 7600 and data["year"] == 2026
    assert data["households"] == 0 and data["changes"] == count(ledger_path, "changes") == 1
    text = flat(run("info").output)
    assert "7600" in text and "G1" in text


def test_a_hub_adopts_a_rule_file_as_a_grid_does(tmp_path):
    """A county (or township) made with --config keeps every rule parameter as `rules.<rule>.<param>`, the
    keys the rules read, and is held to the same checks (year, no second threshold)."""
    rules = tmp_path / "county.json"
    rules.write_text(json.dumps({"year": 2025, "threshold": 7200, "rules": {"income_fall": {"share": 0.25}}}),
                     encoding="utf-8")
    county = tmp_path / "c.db"
    assert Run(county)("init", "--level", "county", "--county", "C", "--townships", "T1", "--config", rules).exit_code == 0
    stored = {(r["year"], r["key"]): json.loads(r["value"]) for r in rows_of(county, "SELECT * FROM config")}
    assert stored.pop((2025, "rules_file"))["name"] == "county.json"
    assert stored == {(2025, "threshold"): 7200, (2025, "rules.income_fall.share"): 0.25}
    township = tmp_path / "t.db"
    result = Run(township)("init", "--level", "township", "--township", "T1", "--county", "C", "--grids", "G1",
                           "--config", rules, "--year", "2026")
    assert result.exit_code == 2 and "differs from the rule file's year" in result.output
    assert not township.exists()


def test_help_marks_what_init_really_needs(tmp_path):
    """Refused without them (the test above), so `--help` says so for each, and for which level."""
    result = Run(None)("init", "--help")
    assert result.exit_code == 0
    options, current = {}, None
    for line in result.output.splitlines():  # an option's help may run over several lines
        words = line.split()
        if words and words[0].startswith("--"):
            current = options.setdefault(words[0], [])
        if current is not None:
            current.append(line)
    needed = {"--grid": "a grid", "--village": "a grid", "--township": "a grid or a township", "--county": "required]",
              "--monitor": "a grid", "--phone": "a grid", "--threshold": "a grid or a county, unless --config",
              "--grids": "a township", "--townships": "a county"}
    for option, which in needed.items():
        text = flat(" ".join(options[option]))
        assert "[必填 required" in text and which in text, (option, text)
    assert "必填" not in flat(" ".join(options["--year"] + options["--config"]))
    missing = Run(tmp_path / "g.db")("init", "--grid", "G1", "--threshold", "7600")
    assert missing.exit_code == 2 and "--village, --township, --county, --monitor, --phone" in missing.output
