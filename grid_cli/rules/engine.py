"""Runs the rules over households. Pure and deterministic: the same contexts and config give the same
findings in the same order. A rule that crashes becomes a finding about itself, never a crash."""

from __future__ import annotations

import dataclasses
from typing import Iterable, Iterator

from pydantic import BaseModel

from grid_cli.rules.base import MEDIUM, SEVERITY_ORDER, Context, Finding, finding
from grid_cli.rules.registry import RULES


def evaluate_household(ctx: Context, configs: dict[str, BaseModel]) -> list[Finding]:
    found: list[Finding] = []
    for phase_after in (False, True):
        if phase_after:
            ctx = dataclasses.replace(ctx, prior=tuple(found))
        for rule_id, module in RULES.items():
            if getattr(module, "AFTER", False) != phase_after or not configs[rule_id].enabled:
                continue
            try:
                found.extend(module.check(ctx, configs[rule_id]))
            except Exception as error:  # a broken rule must not hide the others
                found.append(finding(ctx, rule_id, MEDIUM,
                                     f"规则 {rule_id} 运行出错（{type(error).__name__}: {error}），请核对该户数据",
                                     f"rule {rule_id} failed ({type(error).__name__}: {error}); check this household's data",
                                     error=type(error).__name__))
    order = {rule_id: i for i, rule_id in enumerate(RULES)}
    return sorted(found, key=lambda f: (order.get(f.rule, 99), SEVERITY_ORDER[f.severity], f.zh))


def evaluate(contexts: Iterable[Context], configs: dict[str, BaseModel]) -> Iterator[Finding]:
    for ctx in sorted(contexts, key=lambda c: (c.hh_no or "", c.household_id)):
        yield from evaluate_household(ctx, configs)


def grade_of(findings: Iterable[Finding]) -> str:
    """红 if any high finding, 黄 if any medium, else 绿."""
    severities = {f.severity for f in findings}
    return "red" if "high" in severities else "yellow" if "medium" in severities else "green"
