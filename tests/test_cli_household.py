"""`grid household ...` and `grid member ...` through the CLI on real ledger files."""

import json

import pytest

from conftest import count, digest, make_id, rows_of, wrong_check

HEAD_ID = "11010519491231002X"  # female, born 1949-12-31


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def household(run):
    """Household 5301 with its head (the reference ID) and phone."""
    result = run("household", "add", "--hh-no", "5301", "--head", "王秀英", "--head-id", HEAD_ID,
                 "--village", "上寨", "--phone", "13812345678", "--type", "脱贫户", "--flag", "低保")
    assert result.exit_code == 0, result.output
    return "5301"


def show_json(run, key, *extra):
    result = run("household", "show", key, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_add_and_show(run, household, ledger_path):
    data = show_json(run, household, "--unmasked")
    assert data["hh_no"] == "5301" and data["hh_type"] == "脱贫户" and data["flags"] == ["低保"]
    assert data["grid"] == "G1" and data["status"] == "正常"
    [head] = data["members"]
    assert head["relation"] == "户主" and head["id_number"] == HEAD_ID
    assert head["sex"] == "女" and head["birth_date"] == "1949-12-31"  # derived from the ID
    assert count(ledger_path, "households") == 1 and count(ledger_path, "members") == 1


def test_every_write_is_logged_with_hlc_and_replica(run, household, ledger_path):
    replica = json.loads(rows_of(ledger_path, "SELECT value FROM meta WHERE key='replica_id'")[0]["value"])
    changes = rows_of(ledger_path, "SELECT * FROM changes ORDER BY seq")
    assert {c["origin"] for c in changes} == {replica}
    assert [c["origin_seq"] for c in changes] == list(range(1, len(changes) + 1))
    stamps = [c["hlc"] for c in changes]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert all(len(s) == 19 and s[13] == "." for s in stamps)
    entities = [c["entity"] for c in changes]
    assert entities == ["config", "household", "member"]
    hh = rows_of(ledger_path, "SELECT _v FROM households")[0]
    assert all(v.endswith(" " + replica) for v in json.loads(hh["_v"]).values())


def test_show_and_list_mask_personal_data(run, household):
    for args in (("household", "show", household), ("household", "show", household, "--json"),
                 ("household", "list"), ("household", "list", "--json"), ("household", "search", "王"),
                 ("household", "search", "王", "--json")):
        out = run(*args).output
        assert HEAD_ID not in out and "13812345678" not in out, args
    shown = run("household", "show", household).output
    assert "110105********002X" in shown and "138****5678" in shown
    data = show_json(run, household)
    assert data["phone"] == "138****5678" and data["members"][0]["id_number"] == "110105********002X"
    assert json.loads(run("household", "list", "--json").stdout)[0]["phone"] == "138****5678"


def test_unmasked_shows_everything_and_is_recorded(run, household, ledger_path):
    out = run("household", "show", household, "--unmasked").output
    assert HEAD_ID in out and "13812345678" in out
    assert [r["action"] for r in rows_of(ledger_path, "SELECT action FROM audit")] == ["unmasked"]
    detail = rows_of(ledger_path, "SELECT detail FROM audit")[0]["detail"]
    assert HEAD_ID not in detail


def test_list_json_keys_and_filters(run, household):
    assert run("household", "add", "--hh-no", "5302", "--head", "李四", "--village", "下寨").exit_code == 0
    rows = json.loads(run("household", "list", "--json").stdout)
    assert [r["hh_no"] for r in rows] == ["5301", "5302"]
    assert {"id", "hh_no", "head_name", "size", "village", "hh_type", "category", "flags", "status", "phone"} <= set(rows[0])
    assert [r["hh_no"] for r in json.loads(run("household", "list", "--village", "下寨", "--json").stdout)] == ["5302"]


def test_list_fits_80_columns(run, household):
    run("household", "edit", household, "--category", "突发严重困难户")
    out = run("household", "list", lang="zh").output
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "突发严重困难户" in out and "王秀英" in out and "脱贫户" in out  # nothing cut off with an ellipsis
    assert "…" not in out


def test_show_fits_80_columns_and_cuts_nothing(run, household):
    out = run("household", "show", household, lang="zh").output
    assert "…" not in out and "110105********002X" in out and "1949-12-31" in out


@pytest.mark.parametrize("text", ["王秀", "5301", "002X", "002x", "1231002X"])
def test_search_by_name_number_or_id_tail(run, household, text):
    rows = json.loads(run("household", "search", text, "--json").stdout)
    assert [r["hh_no"] for r in rows] == ["5301"]


def test_search_finds_nothing(run, household):
    assert json.loads(run("household", "search", "赵", "--json").stdout) == []
    result = run("household", "search", "赵")
    assert result.exit_code == 1 and "Nothing found" in result.output
    assert json.loads(run("household", "search", "1110", "--json").stdout) == []  # not a tail of the ID


def test_edit_household(run, household):
    result = run("household", "edit", household, "--set", "户类型=一般农户", "--set", "监测对象类别=边缘易致贫户")
    assert result.exit_code == 0 and "household type" in result.output
    data = show_json(run, household)
    assert data["hh_type"] == "一般农户" and data["category"] == "边缘易致贫户"
    again = run("household", "edit", household, "--set", "户类型=一般农户")
    assert again.exit_code == 0 and "No change" in again.output


@pytest.mark.parametrize("status", ["迁出", "注销", "moved_out"])
def test_household_status_never_deletes(run, household, ledger_path, status):
    result = run("household", "status", household, status, "--reason", "外出定居")
    assert result.exit_code == 0, result.output
    assert count(ledger_path, "households") == 1 and count(ledger_path, "members") == 1
    data = show_json(run, household)
    assert data["status"] in ("迁出", "注销") and data["status_reason"] == "外出定居"
    assert data["status_date"] == "2026-11-22"
    assert json.loads(run("household", "list", "--json").stdout) == []
    assert [r["hh_no"] for r in json.loads(run("household", "list", "--all", "--json").stdout)] == ["5301"]


def test_merge_duplicate_needs_into(run, household, ledger_path):
    assert run("household", "add", "--hh-no", "5302", "--head", "王秀英二").exit_code == 0
    before = digest(ledger_path)
    for args in (("household", "status", "5302", "合并重复"), ("household", "status", "5302", "合并重复", "--into", "5302"),
                 ("household", "status", "5302", "合并重复", "--into", "9999")):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert digest(ledger_path) == before
    result = run("household", "status", "5302", "合并重复", "--into", household)
    assert result.exit_code == 0
    merged = show_json(run, "5302")
    assert merged["status"] == "合并重复" and merged["merged_into"] == show_json(run, household)["id"]
    assert count(ledger_path, "households") == 2


def test_member_add_edit_status(run, household, ledger_path):
    child = make_id("20150601", 33)  # male
    result = run("member", "add", household, "--name", "王小明", "--id", child, "--relation", "儿子",
                 "--set", "在校生状况=小学", "--set", "是否参加城乡居民基本医疗保险=否")
    assert result.exit_code == 0, result.output
    kid = [m for m in show_json(run, household, "--unmasked")["members"] if m["name"] == "王小明"][0]
    assert kid["relation"] == "之子" and kid["sex"] == "男" and kid["school_status"] == "小学"
    assert kid["medical_insurance"] == 0
    result = run("member", "edit", child, "--set", "是否参加城乡居民基本医疗保险=是", "--set", "健康状况=慢性病")
    assert result.exit_code == 0 and "basic medical insurance" in result.output
    kid = [m for m in show_json(run, household)["members"] if m["name"] == "王小明"][0]
    assert kid["medical_insurance"] == 1 and kid["health"] == "长期慢性病"
    result = run("member", "status", HEAD_ID, "死亡", "--reason", "病故")
    assert result.exit_code == 0
    head = [m for m in show_json(run, household)["members"] if m["relation"] == "户主"][0]
    assert head["status"] == "死亡" and head["status_reason"] == "病故" and head["status_date"] == "2026-11-22"
    assert count(ledger_path, "members") == 2  # never deleted
    listed = json.loads(run("household", "list", "--json").stdout)[0]
    assert listed["size"] == 1 and listed["head_name"] is None


def test_the_member_id_shown_finds_the_member(run, household):
    data = show_json(run, household)
    member_id = data["members"][0]["id"]
    shown = run("household", "show", household).output
    assert member_id[-8:] in shown
    result = run("member", "edit", member_id[-8:], "--set", "民族=苗族")
    assert result.exit_code == 0, result.output
    assert show_json(run, household)["members"][0]["ethnicity"] == "苗族"


def test_members_made_in_one_write_are_told_apart(run, ledger_path, workbook):
    """An import makes many members in one millisecond: the ids they show must still differ."""
    assert run("import", "households", workbook()).exit_code == 0
    data = show_json(run, "A003")
    shown = run("household", "show", "A003").output
    tails = [m["id"][-8:] for m in data["members"]]
    assert len(set(tails)) == 3 and all(t in shown for t in tails)


REFUSED = [
    ("bad ID check digit", ("member", "add", "5301", "--name", "甲", "--id", wrong_check(make_id("19800101", 13)))),
    ("future birth date", ("member", "add", "5301", "--name", "甲", "--set", "出生日期=2030-01-01")),
    ("future ID birth", ("member", "add", "5301", "--name", "甲", "--id", make_id("20300101", 13))),
    ("negative months", ("member", "add", "5301", "--name", "甲", "--set", "务工时间=-1")),
    ("garbage months", ("member", "add", "5301", "--name", "甲", "--set", "务工时间=半年")),
    ("garbage yes/no", ("member", "add", "5301", "--name", "甲", "--set", "是否参加大病保险=也许")),
    ("unknown relation", ("member", "add", "5301", "--name", "甲", "--relation", "表哥")),
    ("unknown field", ("member", "add", "5301", "--name", "甲", "--set", "血型=A")),
    ("malformed --set", ("member", "add", "5301", "--name", "甲", "--set", "民族")),
    ("sex against ID", ("member", "add", "5301", "--name", "甲", "--id", make_id("19800101", 13), "--set", "性别=女")),
    ("duplicate ID", ("member", "add", "5301", "--name", "甲", "--id", HEAD_ID)),
    ("second head", ("member", "add", "5301", "--name", "甲", "--relation", "户主")),
    ("no such household", ("member", "add", "9999", "--name", "甲")),
    ("duplicate 户编号", ("household", "add", "--hh-no", "5301", "--head", "乙")),
    ("bad 户编号", ("household", "add", "--hh-no", "53 01", "--head", "乙")),
    ("unknown type", ("household", "add", "--hh-no", "5302", "--head", "乙", "--type", "外星户")),
    ("bad phone", ("household", "add", "--hh-no", "5302", "--head", "乙", "--phone", "12")),
    ("bad head ID", ("household", "add", "--hh-no", "5302", "--head", "乙", "--head-id", "123")),
    ("unknown category", ("household", "edit", "5301", "--category", "困难户")),
    ("edit nothing", ("household", "edit", "5301")),
    ("edit to taken 户编号", ("household", "edit", "5301", "--set", "户编号=5302")),
    ("sex edit against stored ID", ("member", "edit", HEAD_ID, "--set", "性别=男")),
    ("birth edit against stored ID", ("member", "edit", HEAD_ID, "--set", "出生日期=1950-01-01")),
    ("member edit nothing", ("member", "edit", HEAD_ID)),
    ("no such member", ("member", "edit", make_id("19800101", 13), "--set", "民族=汉族")),
    ("unknown member status", ("member", "status", HEAD_ID, "升天")),
    ("unknown household status", ("household", "status", "5301", "删除")),
]


@pytest.mark.parametrize("why, args", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_commands_leave_the_ledger_unchanged(run, household, ledger_path, why, args):
    if why == "edit to taken 户编号":
        assert run("household", "add", "--hh-no", "5302", "--head", "乙").exit_code == 0
    before = digest(ledger_path)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.output.startswith("error:")
    assert digest(ledger_path) == before


def test_refusals_in_chinese(run, household):
    result = run("member", "add", "5301", "--name", "甲", "--id", "110105194912310021", lang="zh")
    assert result.exit_code == 2
    assert flat(result.output).startswith("错误:") and "校验位不对" in result.output
