"""Building rule contexts by hand for the pure rule tests."""

from __future__ import annotations

import datetime as dt

from grid_cli.model import Measure, Member, Monitoring, Visit
from grid_cli.rules.base import Context
from grid_cli.rules.config import rule_configs

TODAY = dt.date(2026, 11, 22)
THRESHOLD = 7600


def configs(**overrides):
    """Each rule's config: shipped defaults plus `rule__param=value` overrides."""
    year_config = {f"rules.{k.replace('__', '.')}": v for k, v in overrides.items()}
    return rule_configs(year_config)


def person(name="张三", age=40, relation="户主", skill="普通劳动力", **kw) -> Member:
    birth = dt.date(TODAY.year - age, 1, 1) if age is not None else None
    return Member(id=kw.pop("id", f"m-{name}"), name=name, relation=relation, birth_date=birth, labour_skill=skill, **kw)


def visit(days_ago=10, residents=2, wages=0, business=0, transfer=0, costs=0, medical=0, **kw) -> Visit:
    return Visit(id=kw.pop("id", f"v-{days_ago}"), date=TODAY - dt.timedelta(days=days_ago), residents=residents,
                 wages=wages, business=business, transfer=transfer, production_costs=costs, medical=medical, **kw)


def income_visit(per_capita: int, residents: int = 2, days_ago: int = 10, **kw) -> Visit:
    return visit(days_ago=days_ago, residents=residents, wages=per_capita * residents, **kw)


def ctx(members=None, visits=(), monitoring=None, hh_type="脱贫户", flags=(), threshold=THRESHOLD, today=TODAY,
        hh_no="0001") -> Context:
    members = tuple(members if members is not None else [person(), person("李四", 38, "配偶")])
    return Context(f"h-{hh_no}", hh_no, "上寨", hh_type, tuple(flags), members, tuple(sorted(visits, key=lambda v: v.date)),
                   monitoring or Monitoring(), threshold, {today.year: threshold}, today)


def monitored(days=200, measures=1, helpers=1, **kw) -> Monitoring:
    ms = tuple(Measure(f"ms{i}", "产业帮扶", TODAY - dt.timedelta(days=days - 5)) for i in range(measures))
    return Monitoring(monitored=True, category="边缘易致贫户", risks=("因病",), identified=TODAY - dt.timedelta(days=days),
                      helpers=tuple({"name": "王"} for _ in range(helpers)), measures=ms, measures_ever=measures, **kw)


def run(module, context, **overrides):
    return list(module.check(context, configs(**overrides)[module.ID]))


def stable_candidate(**kw):
    visits = [income_visit(9000, days_ago=d) for d in (200, 170, 140, 110, 80, 50, 20)]
    return ctx(**{"members": [person("甲", 40)], "visits": visits, "monitoring": monitored(days=200), **kw})


def eliminated(on_days_ago=60, month="2026-09") -> Monitoring:
    return Monitoring(eliminated=True, eliminated_month=month, state="风险已消除",
                      eliminated_on=TODAY - dt.timedelta(days=on_days_ago))
