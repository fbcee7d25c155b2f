"""The monitor's path through `grid visit` (issue 12): an unknown sudden-event type or a day count in words
is explained and asked again; a first visit needs its income; the last question takes 是/否; Ctrl-C, Ctrl-D
and a closed terminal lose no answers (a draft in the ledger, `--resume`); Ctrl-C exits 130, not 2."""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest

from conftest import TODAY, count, digest, rows_of
from terminal import Terminal, pty


@pytest.fixture
def grid(run, workbook):
    result = run("import", "households", workbook())
    assert result.exit_code == 0, result.output
    return run


def visits(path) -> list[dict]:
    return [json.loads(r["data"]) for r in rows_of(path, "SELECT e.data FROM events e WHERE e.kind = 'visit' ORDER BY e.date")]


def drafts(path) -> list[dict]:
    return [json.loads(r["answers"]) for r in rows_of(path, "SELECT answers FROM visit_drafts")]


# A001's first visit (张大山, 李小花: two adults), up to the sudden-event question.
BEFORE_EVENTS = [
    "2026-11-20", "", "", "",  # date, visitor, channel, residents
    "20000", "0", "0", "1000", "0",  # wages, business, property, transfer, production costs
    "", "",  # medical, other rigid
    "", "",  # 张大山, 李小花 insured
    "B",  # house grade
    "", "", "", "", "",  # water: litres, dry area, piped, cut days, quality
]
AFTER_EVENTS = ["", "", "", "y"]  # no more events, needs, notes, save


@pytest.mark.parametrize("lang,typed,said", [
    ("zh", "洪水", "“洪水”不是突发事件类型；应为 患病、致残、自然灾害、意外事故、失业、经营失败 之一"),
    ("zh", "flood", "（洪涝属于自然灾害：先填 自然灾害，再填灾害类型）"),
    ("en", "flood", "'flood' is not a sudden-event type (flood is a natural disaster: give disaster, then flood)"),
    ("en", "洪水", "use one of illness (患病), disability (致残), disaster (自然灾害)"),
])
def test_an_unknown_event_type_is_explained_and_asked_again_keeping_every_answer(grid, ledger_path, lang, typed, said):
    answers = BEFORE_EVENTS + [typed, "disaster" if lang == "en" else "自然灾害", "洪涝", "8000", "屋后塌方"] + AFTER_EVENTS
    result = grid("visit", "A001", lang=lang, input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert said in result.output and "internal error" not in result.output
    [saved] = visits(ledger_path)
    assert saved["events"] == [{"type": "disaster", "subtype": "洪涝", "cost": 8000, "detail": "屋后塌方"}]
    assert saved["income"]["wages"] == 20000 and saved["house_grade"] == "B"  # nothing typed before was lost


def test_the_english_event_prompt_lists_english_names_and_takes_them(grid, ledger_path):
    answers = BEFORE_EVENTS + ["job loss", "", "", "business_failure", "", ""] + AFTER_EVENTS
    result = grid("visit", "A001", lang="en", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert ("Sudden event (illness (患病), disability (致残), disaster (自然灾害), accident (意外事故), "
            "job_loss (失业), business_failure (经营失败); Enter for none)") in result.output
    assert [e["type"] for e in visits(ledger_path)[0]["events"]] == ["job_loss", "business_failure"]


@pytest.mark.parametrize("lang,said", [
    ("zh", "一年断水天数应是 0 到 366 之间的整数（天），而不是“三天”"),
    ("en", "days without water in a year must be a whole number of days from 0 to 366, not '三天'"),
])
def test_a_day_count_in_words_is_explained_in_days(grid, ledger_path, lang, said):
    answers = BEFORE_EVENTS[:-2] + ["三天", "400", "3", ""] + [""] + AFTER_EVENTS
    result = grid("visit", "A001", lang=lang, input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert said in result.output and "金额" not in result.output and "amount" not in result.output
    assert "'400'" in result.output or "“400”" in result.output  # over a year's days: asked again too
    assert visits(ledger_path)[0]["water"]["cut_days"] == 3
    before = digest(ledger_path)
    result = grid("visit", "A001", "--cut-days", "三天", lang=lang)  # the option says the same
    assert result.exit_code == 2 and said in result.output
    assert digest(ledger_path) == before


def test_a_first_visit_asks_for_every_income_figure(grid, ledger_path):
    answers = BEFORE_EVENTS[:4] + ["", "20000", "", "0", "", "0", "", "1000", "", "0"] + BEFORE_EVENTS[9:] + AFTER_EVENTS
    result = grid("visit", "A001", lang="zh", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("首次走访须填写收入，没有就填 0") == 5
    assert "工资性收入（元/年） [0]" not in result.output  # no default offered
    assert visits(ledger_path)[0]["income"] == {"wages": 20000, "business": 0, "property": 0, "transfer": 1000,
                                                 "production_costs": 0}
    again = grid("visit", "A001", lang="zh", input="2026-11-21\n" + "\n" * 30 + "y\n")  # later visits: Enter keeps
    assert again.exit_code == 0, again.output
    assert "工资性收入（元/年） [20000]" in again.output and visits(ledger_path)[1]["income"]["wages"] == 20000


def test_yes_or_a_file_without_income_is_refused_on_a_first_visit(grid, ledger_path, tmp_path):
    before = digest(ledger_path)
    for args in (["--yes"], ["--house-grade", "B"]):
        result = grid("visit", "A001", *args, lang="zh")
        assert result.exit_code == 2, result.output
        assert "首次走访须填写收入（没有的项填 0）" in result.output and "--wages" in result.output
    path = tmp_path / "visit.json"
    path.write_text(json.dumps({"date": "2026-11-20", "house_grade": "B"}), encoding="utf-8")
    result = grid("visit", "A001", "--from-file", path, lang="en")
    assert result.exit_code == 2 and "a first visit needs its income" in result.output
    assert digest(ledger_path) == before
    assert grid("visit", "A001", "--yes", "--wages", "0", "--transfer", "9000").exit_code == 0  # 0 is an answer
    assert grid("visit", "A001", "--yes").exit_code == 0  # a later visit keeps the last figures
    assert [v["income"]["transfer"] for v in visits(ledger_path)] == [9000, 9000]


def test_an_interrupted_visit_is_resumed_from_its_draft(grid, ledger_path):
    before = count(ledger_path, "changes")
    stopped = grid("visit", "A001", lang="zh", input="\n".join(BEFORE_EVENTS[:8]) + "\n")  # the input ends
    assert stopped.exit_code == 1, stopped.output
    assert "已填的 8 项留作草稿，接着填：\n  grid visit A001 --resume\n" in stopped.output
    assert count(ledger_path, "changes") == before and not visits(ledger_path)
    plain = grid("visit", "A001", lang="zh", input="\n")  # a new visit would bury the draft: say how to go on
    assert plain.exit_code == 2
    assert "A001 有一份未完成的走访（草稿" in plain.output and "grid visit A001 --resume" in plain.output
    assert "--discard-draft" in plain.output
    rest = BEFORE_EVENTS[8:] + AFTER_EVENTS
    resumed = grid("visit", "A001", "--resume", lang="zh", input="\n".join(rest) + "\n")
    assert resumed.exit_code == 0, resumed.output
    assert "已填的 8 项照录" in resumed.output and "工资性收入（元/年）: 20000" in resumed.output
    [saved] = visits(ledger_path)
    assert saved["date"] == "2026-11-20" and saved["income"]["transfer"] == 1000 and saved["house_grade"] == "B"
    assert count(ledger_path, "visit_drafts") == 0  # gone with the save, in the same transaction


def test_resume_and_discard_are_checked(grid, ledger_path):
    result = grid("visit", "A001", "--resume", lang="en")
    assert result.exit_code == 2 and "A001 has no unfinished visit to resume" in result.output
    grid("visit", "A001", lang="en", input="2026-11-20\n\n\n\n31415\n")
    assert drafts(ledger_path)[0]["income.wages"] == 31415
    result = grid("visit", "A001", "--resume", "--wages", "5", lang="en")
    assert result.exit_code == 2 and "--resume" in result.output
    fresh = grid("visit", "A001", "--discard-draft", lang="en", input="\n".join(BEFORE_EVENTS + AFTER_EVENTS) + "\n")
    assert fresh.exit_code == 0, fresh.output
    assert visits(ledger_path)[0]["income"]["wages"] == 20000 and not drafts(ledger_path)


def test_a_visit_given_by_options_leaves_a_draft_alone_and_says_so(grid, ledger_path):
    grid("visit", "A001", lang="en", input="2026-11-20\n\n\n\n31415\n")
    result = grid("visit", "A001", "--wages", "20000", lang="en")
    assert result.exit_code == 0, result.output
    assert "this household still has an unfinished visit: `grid visit A001 --resume`" in result.output
    assert drafts(ledger_path)[0]["income.wages"] == 31415


def test_a_draft_stays_out_of_the_change_log(grid, ledger_path):
    grid("visit", "A001", lang="en", input="2026-11-20\n\n\n\n31415\n")
    assert drafts(ledger_path)
    bodies = [r["body"] for r in rows_of(ledger_path, "SELECT body FROM changes")]
    assert not any("31415" in body for body in bodies)  # so never in a bundle


# -- in a real terminal ----------------------------------------------------------------------------
needs_pty = pytest.mark.skipif(pty is None or sys.platform == "win32", reason="a pseudo-terminal is POSIX-only")


@pytest.fixture
def terminal(grid, ledger_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRID_", "LC_", "LANG"))}
    env.update(GRID_LEDGER=str(ledger_path), GRID_LANG="zh", GRID_TODAY=TODAY)
    return lambda *args: Terminal(list(args), env, cwd=ledger_path.parent)


def _answer_until_wages(term):
    term.answer("走访日期 [", "2026-11-20")
    term.answer("走访人 [", "")
    term.answer("走访方式（入户/电话） [入户]: ", "")
    term.answer("常住成员编号 [1,2]: ", "")
    term.answer("工资性收入（元/年）: ", "27182")
    term.expect("生产经营性收入（元/年）: ")


def _ctrl_c(terminal, keep: str) -> Terminal:
    """Ctrl-C at the fifth question, then `keep` typed at the question whether to keep the answers."""
    term = terminal("visit", "A001")
    _answer_until_wages(term)
    term.ctrl_c()
    term.answer("保留已填的 5 项，稍后继续？（是/否） [是]: ", keep)
    assert term.wait() == 130  # not 2: that is a usage error (README, exit codes)
    return term


@needs_pty
def test_ctrl_c_offers_to_keep_the_draft_and_exits_130(terminal, ledger_path):
    term = _ctrl_c(terminal, "")
    assert "已填的 5 项留作草稿，接着填：\n  grid visit A001 --resume\n" in term.seen
    assert drafts(ledger_path)[0]["income.wages"] == 27182 and not visits(ledger_path)

    term = terminal("visit", "A001", "--resume")  # carry on in a new terminal
    term.expect("工资性收入（元/年）: 27182")
    for line in ["0", "0", "0", "0"] + BEFORE_EVENTS[9:] + AFTER_EVENTS[:-1]:
        term.answer(": ", line)
    term.answer("保存这次走访？（是/否） [是]: ", "是")
    assert term.wait() == 0, term.seen
    assert "已保存走访 2026-11-20" in term.seen
    assert visits(ledger_path)[0]["income"]["wages"] == 27182 and not drafts(ledger_path)


@needs_pty
def test_ctrl_c_then_no_throws_the_answers_away(terminal, ledger_path):
    term = _ctrl_c(terminal, "否")
    assert "已填的回答已丢弃" in term.seen and not drafts(ledger_path)


@needs_pty
def test_ctrl_d_keeps_the_draft(terminal, ledger_path):
    term = terminal("visit", "A001")
    _answer_until_wages(term)
    term.ctrl_d()
    assert term.wait() == 1, term.seen
    assert "grid visit A001 --resume" in term.seen and drafts(ledger_path)[0]["income.wages"] == 27182


@needs_pty
def test_a_closed_terminal_keeps_the_draft(terminal, ledger_path):
    term = terminal("visit", "A001")
    _answer_until_wages(term)
    term.close()  # the window is closed mid-visit: SIGHUP, no chance to ask anything
    assert term.wait() != 0
    assert drafts(ledger_path)[0]["income.wages"] == 27182


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_the_ledger_and_its_drafts_are_owner_only(grid, ledger_path):
    grid("visit", "A001", lang="en", input="2026-11-20\n\n\n\n31415\n")
    for path in (ledger_path, *(ledger_path.with_name(ledger_path.name + end) for end in ("-wal", "-shm"))):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_info_counts_unfinished_visits_and_names_the_level_in_words(grid, ledger_path):
    grid("visit", "A001", lang="en", input="2026-11-20\n\n\n\n31415\n")
    assert json.loads(grid("info", "--json").stdout)["visit_drafts"] == 1
    shown = grid("info", lang="zh").output
    assert any(line.split() == ["未完成的走访（草稿）", "1"] for line in shown.splitlines())
    assert any(line.split() == ["层级", "网格"] for line in shown.splitlines())  # not "grid"


def test_a_household_without_members_is_refused_before_any_question(grid, ledger_path):
    from conftest import make_id

    number = make_id("19400101", 33)
    assert grid("household", "add", "--hh-no", "EMPTY", "--head", "张老", "--head-id", number).exit_code == 0
    assert grid("member", "status", number, "死亡").exit_code == 0  # its only member died
    result = grid("visit", "EMPTY", lang="en", input="2026-11-20\n")
    assert result.exit_code == 2 and "no active members" in result.output
    assert "Visit date" not in result.output and not drafts(ledger_path)
