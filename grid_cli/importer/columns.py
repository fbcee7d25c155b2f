"""Which column of an imported sheet is which: the national system's column names and their spellings,
matched against each header. Whatever a sheet holds that the import does not use is named, never
dropped in silence.

A target is (kind, name): ("household", field), ("member", field), ("monitoring", state key),
("flag", household flag) or ("head", "name" | "id_number") for a households sheet's head columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from grid_cli.fields import HOUSEHOLD_FIELDS, MEMBER_FIELDS, header_key

# The monitoring state as the national system exports it; imported as lifecycle events (lifecycle.py).
MONITORING = {
    "identified": ("识别监测时间", "识别时间", "纳入监测时间", "监测识别时间"),
    "eliminated": ("风险是否已消除", "是否消除风险", "是否已消除风险"),
    "method": ("风险消除方式", "消除方式"),
    "month": ("消除监测时间", "风险消除时间", "消除时间"),
    **{f"risk{i}": (f"致贫/返贫风险{i}", f"返贫致贫风险{i}", f"致贫返贫风险{i}", f"返贫/致贫风险{i}", f"风险类型{i}")
       for i in range(1, 6)},
}
FLAGS = {"是否易地搬迁": "易地搬迁", "是否易地搬迁户": "易地搬迁", "是否易地扶贫搬迁户": "易地搬迁",
         "是否低保户": "低保", "是否特困户": "特困", "是否特困供养户": "特困"}
HEAD = {"户主姓名": "name", "户主证件号码": "id_number", "户主身份证号码": "id_number"}
# National columns the ledger does not keep (location is the ledger's own; money and measures come with
# visits and `grid monitor`): recognised when finding the header, and named as unused.
NOT_KEPT = ("序号", "省", "市", "县", "县(市、区、旗)", "乡", "乡镇", "乡(镇)", "行政村", "村", "人编号", "家庭人口数",
            "人均纯收入(元)", "家庭纯收入", "合规自付支出", "危房等级", "是否危房户", "是否解决安全饮用水",
            "实施开发式帮扶措施情况", "是否出列", "综合保障", "产业帮扶", "就业帮扶", "金融帮扶", "公益岗位帮扶",
            "健康帮扶", "义务教育保障", "教育帮扶", "住房安全保障", "饮水安全保障", "社会帮扶", "搬迁",
            "因自然灾害子项", "是否已务工", "务工所在地", "就业渠道")


def _table(fields, kind: str) -> dict[str, tuple[str, str]]:
    out = {}
    for f in fields:
        for name in (f.zh, *f.aliases):
            out.setdefault(header_key(name), (kind, f.name))
    return out


HOUSEHOLD = _table(HOUSEHOLD_FIELDS, "household")
MEMBER = _table(MEMBER_FIELDS, "member")
OTHER = {**{header_key(h): ("monitoring", key) for key, names in MONITORING.items() for h in names},
         **{header_key(h): ("flag", flag) for h, flag in FLAGS.items()},
         **{header_key(h): ("head", name) for h, name in HEAD.items()}}
KNOWN = set(HOUSEHOLD) | set(MEMBER) | set(OTHER) | {header_key(h) for h in NOT_KEPT}
_MEMBER_PHONE = {header_key(h) for h in ("家庭成员联系电话", "成员联系电话")}
_HOUSEHOLD_PHONE = {header_key(h) for h in ("联系电话", "户联系电话", "户主联系电话")}


@dataclass
class Layout:
    """One sheet's columns: the target of each used column (by index) and the headers not used."""

    is_members: bool
    targets: dict[int, tuple[str, str]]
    unused: list[str]

    def header_of(self, headers: list[str], kind: str, name: str) -> str:
        for index, target in self.targets.items():
            if target == (kind, name):
                return headers[index]
        return name


def layout(headers: list[str], keys: list[str]) -> Layout:
    """A sheet with a 姓名 column lists members (household columns repeated on each member's row);
    one without lists households. 联系电话 is the member's where no 家庭成员联系电话 column says otherwise,
    and the household's on a households sheet or next to a 家庭成员联系电话 column."""
    is_members = header_key("姓名") in keys or header_key("成员姓名") in keys
    member_phone_column = bool(_MEMBER_PHONE & set(keys))
    targets: dict[int, tuple[str, str]] = {}
    unused = []
    for index, key in enumerate(keys):
        if not key:
            continue
        if key in _HOUSEHOLD_PHONE and (not is_members or member_phone_column or key != header_key("联系电话")):
            target = ("household", "phone")
        elif is_members and key in MEMBER:
            target = MEMBER[key]
        elif key in HOUSEHOLD:
            target = HOUSEHOLD[key]
        elif not is_members and MEMBER.get(key) == ("member", "id_number"):
            target = ("head", "id_number")  # a households sheet's 证件号码 is the head's
        else:
            target = OTHER.get(key)
        if target is None or target in targets.values():  # unknown, not kept, or a second column for it
            unused.append(headers[index])
        else:
            targets[index] = target
    return Layout(is_members, targets, unused)
