"""Runs the rules over households. Pure and deterministic: the same contexts and config give the same
findings in the same order. A rule that crashes becomes a finding about itself, never a crash."""

from __future__ import annotations

from typing import Iterable, Iterator

from pydantic import BaseModel

from grid_cli.errors import DataError
from grid_cli.rules.base import MEDIUM, SEVERITY_ORDER, Context, Finding, finding
from grid_cli.rules.registry import RULES


def phases(configs: dict[str, BaseModel]) -> tuple[list, list]:
    """The enabled rules as (id, check, config), split into those that run first and those that
    judge the others' findings (AFTER = True)."""
    first, after = [], []
    for rule_id, module in RULES.items():
        if configs[rule_id].enabled:
            (after if getattr(module, "AFTER", False) else first).append((rule_id, module.check, configs[rule_id]))
    return first, after


def evaluate_household(ctx: Context, configs: dict[str, BaseModel], split: tuple[list, list] | None = None) -> list[Finding]:
    found: list[Finding] = []
    for number, phase in enumerate(split or phases(configs)):
        ctx.prior = tuple(found) if number else ()
        for rule_id, check, config in phase:
            try:
                found.extend(check(ctx, config))
            except DataError:  # the ledger itself cannot be read (a corrupt visit): not the rule's fault
                raise
            except Exception as error:  # a broken rule must not hide the others
                found.append(finding(ctx, rule_id, MEDIUM,
                                     f"规则 {rule_id} 运行出错（{type(error).__name__}: {error}），请核对该户数据",
                                     f"rule {rule_id} failed ({type(error).__name__}: {error}); check this household's data",
                                     error=type(error).__name__))
    if len(found) > 1:
        found.sort(key=lambda f: (_ORDER.get(f.rule, 99), SEVERITY_ORDER[f.severity], f.zh))
    return found


_ORDER = {rule_id: i for i, rule_id in enumerate(RULES)}


def evaluate(contexts: Iterable[Context], configs: dict[str, BaseModel]) -> Iterator[Finding]:
    split = phases(configs)
    for ctx in sorted(contexts, key=lambda c: (c.hh_no or "", c.household_id)):
        yield from evaluate_household(ctx, configs, split)
