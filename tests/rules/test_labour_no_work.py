"""The `labour_no_work` rule (grid_cli/rules/labour_no_work.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import labour_no_work
from rulekit import ctx, person, run, visit


def test_labour_but_nobody_works():
    idle = ctx(members=[person("甲", 35, work_status="未务工")], visits=[visit(residents=1, business=9000)])
    assert run(labour_no_work, idle)
    working = ctx(members=[person("甲", 35, work_status="县内务工")], visits=[visit(residents=1, business=9000)])
    assert not run(labour_no_work, working)
    wages = ctx(members=[person("甲", 35, work_status="未务工")], visits=[visit(residents=1, wages=1)])
    assert not run(labour_no_work, wages)
    ordinary = ctx(members=[person("甲", 35, work_status="未务工")], hh_type="一般农户")
    assert not run(labour_no_work, ordinary)  # not 脱贫户 and not monitored
