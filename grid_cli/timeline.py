"""A household's history, newest first: visits, lifecycle steps and status changes, each as one line
in the policy's terms. Pure over the ledger's rows; the command renders it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from grid_cli.ledger import Ledger
from grid_cli.rules.base import yuan
from grid_cli.visits import EVENT_TYPES


@dataclass(frozen=True)
class Entry:
    date: str
    kind: str
    zh: str
    en: str
    id: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _describe(kind: str, d: dict) -> tuple[str, str]:
    if kind == "visit":
        events = "、".join(e.get("subtype") or EVENT_TYPES.get(e["type"], (e["type"],))[0] for e in d.get("events") or [])
        zh = f"{d.get('channel', '入户')}走访（{d.get('visitor', '')}）：人均纯收入 {yuan(d.get('per_capita', 0))} 元"
        en = f"visit ({d.get('channel', '入户')}, {d.get('visitor', '')}): per-capita income {yuan(d.get('per_capita', 0))} yuan"
        if d.get("spending", {}).get("medical"):
            zh += f"，医疗自付 {yuan(d['spending']['medical'])} 元"
            en += f", medical out-of-pocket {yuan(d['spending']['medical'])}"
        if d.get("house_grade"):
            zh += f"，住房 {d['house_grade']} 级"
            en += f", house grade {d['house_grade']}"
        if events:
            zh += f"，事件：{events}"
            en += f", events: {events}"
        return ("回头看：" + zh, "follow-up " + en) if d.get("followup") else (zh, en)
    if kind == "include":
        what = "重新纳入" if d.get("reinclusion") else "识别纳入"
        imported = d.get("source") == "导入"
        risks = "、".join(d.get("risks") or [])
        return (f"{what}{'（据国家系统导入）' if imported else '申请'}：{d.get('category')}（{risks}）",
                f"{'re-inclusion' if d.get('reinclusion') else 'inclusion'}{' (imported)' if imported else ' proposed'}: "
                f"{d.get('category')} ({risks})")
    if kind in ("village_review", "notice", "township_review", "county_approval"):
        return _step(kind, d)
    if kind == "helper":
        return f"落实帮扶责任人 {d.get('name')}（{d.get('unit') or ''}）", f"helper assigned: {d.get('name')} ({d.get('unit') or ''})"
    if kind == "helper_end":
        return "帮扶责任人调整", "helper assignment ended"
    if kind == "measure":
        extra = f"，{yuan(d['amount'])} 元" if d.get("amount") else ""
        due = f"，{d['due']} 到期" if d.get("due") else ""
        return (f"帮扶措施：{d.get('kind')} {d.get('detail') or ''}{extra}{due}",
                f"measure: {d.get('kind')} {d.get('detail') or ''}{extra.replace('元', 'yuan')}{(' due ' + d['due']) if d.get('due') else ''}")
    if kind == "measure_end":
        return "帮扶措施结束", "measure ended"
    if kind == "measure_extend":
        return f"小额信贷{d.get('type')}：到期日改为 {d.get('due')}", f"small loan {d.get('type')}: now due {d.get('due')}"
    if kind == "eliminate":
        if d.get("source") == "导入":
            return (f"风险消除（据国家系统导入，{d.get('method')}，{d.get('month')}）",
                    f"risk eliminated (imported, {d.get('method')}, {d.get('month')})")
        override = f"；未满足 {len(d.get('gate') or [])} 项条件，强行提出：{d['override']}" if d.get("override") else ""
        override_en = f"; {len(d.get('gate') or [])} criteria unmet, override: {d['override']}" if d.get("override") else ""
        return (f"风险消除申请（{d.get('method')}，{d.get('month')}）{override}",
                f"elimination proposed ({d.get('method')}, {d.get('month')}){override_en}")
    if kind == "local_rule":
        return f"本地规则 {d.get('key')} = {d.get('value')}", f"local rule {d.get('key')} = {d.get('value')}"
    return kind, kind


_STEPS = {"village_review": ("村级民主评议", "village review"), "notice": ("村级公示", "village notice"),
          "township_review": ("乡镇审核", "township review"), "county_approval": ("县级审定", "county approval")}


def _step(kind: str, d: dict) -> tuple[str, str]:
    zh, en = _STEPS[kind]
    if kind == "notice":
        return f"{zh}（{d.get('days')} 天）", f"{en} ({d.get('days')} days)"
    if d.get("decision") == "return":
        return f"{zh}：退回（{d.get('reason')}）", f"{en}: returned ({d.get('reason')})"
    if kind == "county_approval":
        return f"{zh}：通过", f"{en}: approved"
    return (f"{zh}：通过", f"{en}: passed") if kind == "township_review" else (zh, en)


def timeline(ledger: Ledger, household_id: str, limit: int | None = None) -> list[Entry]:
    rows = ledger.query("SELECT id, kind, date, data FROM events WHERE household_id = ? ORDER BY date DESC, hlc DESC",
                        (household_id,))
    entries = [Entry(r["date"] or "", r["kind"], *_describe(r["kind"], json.loads(r["data"])), r["id"]) for r in rows]
    return entries[:limit] if limit else entries
