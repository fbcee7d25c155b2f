"""The households core: finding, searching, status changes (never deletion)."""

import pytest

from conftest import count, digest, make_id
from grid_cli import households
from grid_cli.errors import NotFound, UsageError
from grid_cli.ledger import Ledger


@pytest.fixture
def ledger(ledger_path):
    opened = Ledger.open(ledger_path)
    households.add_household(opened, {"hh_no": "1001", "village": "上寨"}, {"name": "王一", "id_number": make_id("19700101", 11)})
    households.add_household(opened, {"hh_no": "1002", "village": "下寨"}, {"name": "李二", "id_number": make_id("19800101", 12)})
    households.add_member(opened, "1002", {"name": "李三", "relation": "之子", "id_number": make_id("20100101", 13)})
    yield opened
    opened.close()


def test_find_by_number_id_or_id_prefix(ledger):
    hh = households.find_household(ledger, "1001")
    assert households.find_household(ledger, hh["id"])["hh_no"] == "1001"
    assert households.find_household(ledger, hh["id"][:20])["hh_no"] == "1001"
    with pytest.raises(NotFound):
        households.find_household(ledger, "100")  # not a prefix match on 户编号
    other = households.find_household(ledger, "1002")
    common = next(i for i, (a, b) in enumerate(zip(hh["id"], other["id"])) if a != b)
    if common >= 8:  # made within about a minute: a short prefix names both
        with pytest.raises(NotFound, match="several"):
            households.find_household(ledger, hh["id"][:8])


def test_find_member_by_id_number_full_id_or_its_ends(ledger):
    number = make_id("20100101", 13)
    member = households.find_member(ledger, number.lower())
    assert member["name"] == "李三"
    assert households.find_member(ledger, member["id"])["name"] == "李三"
    assert households.find_member(ledger, member["id"][-8:])["name"] == "李三"
    assert households.find_member(ledger, member["id"][:-1])["name"] == "李三"


def test_detail_lists_the_head_first(ledger):
    detail = households.detail(ledger, "1002")
    assert [m["name"] for m in detail["members"]] == ["李二", "李三"]


def test_search(ledger):
    assert [r["hh_no"] for r in households.search(ledger, "李")] == ["1002"]
    assert [r["hh_no"] for r in households.search(ledger, "100")] == ["1001", "1002"]
    assert [r["hh_no"] for r in households.search(ledger, make_id("20100101", 13)[-4:])] == ["1002"]
    with pytest.raises(UsageError):
        households.search(ledger, "  ")


def test_list_counts_active_members_and_hides_inactive_households(ledger):
    rows = {r["hh_no"]: r for r in households.list_households(ledger)}
    assert rows["1002"]["size"] == 2 and rows["1002"]["head_name"] == "李二"
    households.set_member_status(ledger, make_id("20100101", 13), "迁出")
    households.set_household_status(ledger, "1001", "注销", reason="全户迁出")
    rows = {r["hh_no"]: r for r in households.list_households(ledger)}
    assert list(rows) == ["1002"] and rows["1002"]["size"] == 1
    assert len(households.list_households(ledger, include_inactive=True)) == 2
    assert count(ledger.path, "households") == 2 and count(ledger.path, "members") == 3


def test_merge_records_the_kept_household(ledger):
    kept = households.find_household(ledger, "1001")
    households.set_household_status(ledger, "1002", "merged", merged_into="1001")
    merged = households.find_household(ledger, "1002")
    assert merged["status"] == "合并重复" and merged["merged_into"] == kept["id"]
    households.set_household_status(ledger, "1002", "正常")  # undone: the link goes too
    assert households.find_household(ledger, "1002")["merged_into"] is None


def test_a_refused_add_writes_nothing(ledger):
    before = digest(ledger.path)
    with pytest.raises(UsageError):  # the household is fine, its head's ID is not: neither is written
        households.add_household(ledger, {"hh_no": "1003"}, {"name": "赵", "id_number": make_id("19700101", 11)})
    with pytest.raises(UsageError):
        households.add_household(ledger, {"village": "上寨"}, {"name": "赵"})
    assert digest(ledger.path) == before


def test_edit_member_keeps_sex_and_birth_consistent_with_the_id(ledger):
    number = make_id("20100101", 13)  # male
    with pytest.raises(UsageError, match="does not match"):
        households.edit_member(ledger, number, {"sex": "女"})
    assert households.edit_member(ledger, number, {"sex": "男", "birth_date": "2010-01-01"}) == {}
    new_number = make_id("20110202", 14)  # a corrected ID brings its own birth date and sex
    changed = households.edit_member(ledger, number, {"id_number": new_number})
    assert changed == {"id_number": new_number, "sex": "女", "birth_date": "2011-02-02"}
