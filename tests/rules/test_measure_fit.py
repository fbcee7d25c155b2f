"""The `measure_fit` rule (grid_cli/rules/measure_fit.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

import datetime as dt

from grid_cli.rules import measure_fit
from grid_cli.model import Measure, Monitoring
from rulekit import TODAY, ctx, run


def test_measures_must_answer_the_risk_types():
    def case(*kinds, risks=("因学",), days=60):
        ms = tuple(Measure(f"m{i}", k, TODAY) for i, k in enumerate(kinds))
        return ctx(monitoring=Monitoring(monitored=True, risks=risks, identified=TODAY - dt.timedelta(days=days),
                                         measures=ms, measures_ever=len(ms)))
    [f] = run(measure_fit, case("产业帮扶"))
    assert "风险类型“因学”无对应的帮扶措施（可用：义务教育保障、其他教育帮扶）" in f.zh and f.facts["risks"] == ["因学"]
    assert not run(measure_fit, case("义务教育保障"))
    assert not run(measure_fit, case("产业帮扶", days=20))  # within the month
    assert not run(measure_fit, case())  # no measure at all: assistance_gap's
    assert not run(measure_fit, case("产业帮扶", risks=("其他",)))  # any measure answers 其他
    [two] = run(measure_fit, case("产业帮扶", risks=("因学", "因病")))
    assert two.facts["risks"] == ["因学", "因病"]
    assert not run(measure_fit, case("产业帮扶"), measure_fit__mapping={"因学": ["产业帮扶"]})
