"""User errors: one message, the documented exit code, no traceback; GRID_DEBUG=1 re-raises."""

import pytest

from conftest import Run, digest
from grid_cli.errors import DATA, REFUSED, USAGE, DataError, NotFound, Refused, UsageError


def flat(text: str) -> str:
    return " ".join(text.split())


def test_exit_codes_are_the_documented_ones():
    assert (UsageError("x").exit_code, NotFound("x").exit_code, DataError("x").exit_code, Refused("x").exit_code) == \
        (USAGE, USAGE, DATA, REFUSED) == (2, 2, 3, 1)


def test_message_has_the_hint_in_the_chosen_language():
    error = UsageError("中文", "english", hint_zh="提示", hint_en="hint")
    assert error.message("zh") == "中文 — 提示" and error.message("en") == "english — hint"
    assert UsageError("只有中文").message("en") == "只有中文"


@pytest.mark.parametrize("args", [("household", "list"), ("info",), ("household", "show", "1"),
                                  ("member", "status", "x", "死亡")])
def test_missing_ledger(tmp_path, args):
    missing = tmp_path / "nowhere" / "ledger.db"
    result = Run(missing)(*args)
    assert result.exit_code == 3
    text = flat(result.output)
    assert text.startswith("error: no ledger at") and "grid init" in text and "Traceback" not in result.output
    assert not missing.exists() and not missing.parent.exists()
    assert result.output.count("\n") == 1  # one line, however long the path


def test_refusals_are_one_line(run):
    result = run("household", "add", "--hh-no", "1", "--head", "甲", "--head-id", "110105194912310021", lang="zh")
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "校验位不对" in result.output


def test_corrupt_ledger(tmp_path):
    bad = tmp_path / "ledger.db"
    bad.write_bytes(b"\x00garbage" * 512)
    before = bad.read_bytes()
    result = Run(bad)("household", "list")
    assert result.exit_code == 3 and "damaged" in result.output and "Traceback" not in result.output
    assert bad.read_bytes() == before


def test_half_written_ledger(ledger_path, tmp_path):
    cut = tmp_path / "cut.db"
    cut.write_bytes(ledger_path.read_bytes()[:1000])
    result = Run(cut)("household", "list")
    assert result.exit_code == 3 and "Traceback" not in result.output


def test_grid_debug_reraises(tmp_path, monkeypatch):
    monkeypatch.setenv("GRID_DEBUG", "1")
    result = Run(tmp_path / "none.db")("household", "list")
    assert isinstance(result.exception, DataError)
    monkeypatch.setenv("GRID_DEBUG", "0")
    result = Run(tmp_path / "none.db")("household", "list")
    assert isinstance(result.exception, SystemExit) and result.exit_code == 3


def test_usage_errors_from_typer_keep_code_2(run):
    assert run("household", "list", "--no-such-option").exit_code == 2
    assert run("household", "show").exit_code == 2


def test_not_found_is_a_usage_error(run, ledger_path):
    before = digest(ledger_path)
    result = run("household", "show", "9999")
    assert result.exit_code == 2 and flat(result.output) == \
        "error: no household '9999' — find it with `grid household search`"
    assert digest(ledger_path) == before


def test_error_messages_in_chinese(run):
    result = run("household", "show", "9999", lang="zh")
    assert flat(result.output) == "错误: 找不到户“9999” — 用 grid household search 查找"
