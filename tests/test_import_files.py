"""Import files that are damaged, half-written, hostile or far too big (issue 12): one line, exit 3
"damaged file" (never 4, never a traceback), refused early, and the ledger unchanged; an unwritable
--rejects path refused before anything is imported."""

import random
import time
import zipfile
import zlib

import pytest

from conftest import digest, good_rows, rows_of
from grid_cli.importer import tables


def flat(text: str) -> str:
    return " ".join(text.split())


def refused_as_damaged(run, ledger_path, path, words="damaged"):
    before = digest(ledger_path)
    result = run("import", "households", path)
    assert result.exit_code == 3, result.output
    assert words in flat(result.output) and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip().startswith("error")]) == 1
    assert digest(ledger_path) == before
    return result


def rezip(source, target, change):
    """Copy an .xlsx, passing each part's bytes through change(name, data) -> bytes (stored as given)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return target


def test_truncated_sheet_xml(run, ledger_path, workbook, tmp_path):
    path = rezip(workbook(), tmp_path / "cut.xlsx",
                 lambda name, data: data[: len(data) * 2 // 3] if name.endswith("sheet1.xml") else data)
    refused_as_damaged(run, ledger_path, path)


def test_bad_zlib_stream(run, ledger_path, workbook, tmp_path):
    source = workbook()
    path = tmp_path / "zlib.xlsx"
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 5, start + 5 + min(40, info.compress_size - 10)):
        data[i] ^= 0x5A  # scramble the deflate stream, keep the zip's directory intact
    path.write_bytes(bytes(data))
    with pytest.raises((zlib.error, zipfile.BadZipFile)):
        with zipfile.ZipFile(path) as z:
            z.read("xl/worksheets/sheet1.xml")
    refused_as_damaged(run, ledger_path, path)


def test_entity_expansion_is_refused(run, ledger_path, workbook, tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lolololololololololol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 9))
            + ']>')

    def change(name, data):
        if name.endswith("sheet1.xml"):
            text = data.decode()
            body = text[text.index("<worksheet"):]
            return (bomb + body.replace("<sheetData>", "<sheetData><row r=\"99\"><c r=\"A99\" t=\"inlineStr\"><is><t>&lol8;"
                                                      "</t></is></c></row>", 1)).encode()
        return data

    path = rezip(workbook(), tmp_path / "bomb.xlsx", change)
    started = time.monotonic()
    refused_as_damaged(run, ledger_path, path)
    assert time.monotonic() - started < 30


def test_a_csv_field_longer_than_any_cell(run, ledger_path, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("户编号,姓名,证件号码,与户主关系\nA001,张三," + "1" * 200_000 + ",户主\n", encoding="utf-8")
    refused_as_damaged(run, ledger_path, path)


def test_mutated_workbooks_never_end_in_an_internal_error(run, ledger_path, workbook, tmp_path):
    """Cuts and flipped bytes anywhere in a valid workbook: refused in one line (or imported whole when
    the damage missed everything that matters), never exit 4, never a traceback, never half-imported."""
    data = workbook().read_bytes()
    rng = random.Random(10)
    before = digest(ledger_path)
    for n in range(40):
        mutated = bytearray(data)
        if n % 2:
            mutated = mutated[: rng.randrange(30, len(data))]
        else:
            for _ in range(rng.randrange(1, 12)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        path = tmp_path / f"m{n}.xlsx"
        path.write_bytes(bytes(mutated))
        result = run("import", "households", path)
        assert result.exit_code in (0, 1, 2, 3), (n, result.output)
        assert "Traceback" not in result.output and "internal error" not in result.output
        if result.exit_code:
            assert digest(ledger_path) == before, n
        else:
            before = digest(ledger_path)


def test_a_declared_dimension_of_millions_of_rows_is_refused_before_reading(run, ledger_path, workbook, tmp_path):
    def change(name, data):
        if name.endswith("sheet1.xml"):
            text = data.decode()
            if "<dimension" in text:
                start = text.index("<dimension")
                text = text[:start] + '<dimension ref="A1:O3000000"/>' + text[text.index(">", start) + 1:]
            else:
                text = text.replace("<sheetData", '<dimension ref="A1:O3000000"/><sheetData', 1)
            return text.encode()
        return data

    path = rezip(workbook(), tmp_path / "huge.xlsx", change)
    started = time.monotonic()
    result = refused_as_damaged(run, ledger_path, path, words="more than 1,000,000 rows")
    assert "3,000,000" in flat(result.output)
    assert time.monotonic() - started < 10


def test_a_file_with_rows_past_the_limit_is_refused_when_the_limit_is_reached(run, ledger_path, workbook, tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 50)

    def change(name, data):  # rows far below the data, without a dimension that says so
        if name.endswith("sheet1.xml"):
            text = data.decode()
            if "<dimension" in text:
                start = text.index("<dimension")
                text = text[:start] + text[text.index(">", start) + 1:]
            return text.replace("</sheetData>", '<row r="5000"><c r="A5000" t="inlineStr"><is><t>x</t></is></c></row>'
                                                "</sheetData>").encode()
        return data

    path = rezip(workbook(), tmp_path / "long.xlsx", change)
    refused_as_damaged(run, ledger_path, path, words="more than 50 rows")
    csv_path = tmp_path / "long.csv"
    csv_path.write_text("户编号,姓名,证件号码,与户主关系\n" + "A001,张三,,户主\n" * 60, encoding="utf-8")
    refused_as_damaged(run, ledger_path, csv_path, words="more than 50 rows")


def test_a_dimension_smaller_than_the_data_cuts_nothing_off(run, ledger_path, workbook, tmp_path):
    def change(name, data):
        if name.endswith("sheet1.xml"):
            text = data.decode()
            start = text.index("<dimension")
            return (text[:start] + '<dimension ref="A1:B2"/>' + text[text.index(">", start) + 1:]).encode()
        return data

    path = rezip(workbook(), tmp_path / "small-dimension.xlsx", change)
    result = run("import", "households", path)
    assert result.exit_code == 0, result.output
    assert rows_of(ledger_path, "SELECT count(*) AS n FROM members")[0]["n"] == len(good_rows())


@pytest.mark.parametrize("kind", ["file-as-folder", "folder"])
def test_an_unwritable_rejects_path_is_refused_before_anything_is_imported(run, ledger_path, workbook, tmp_path, kind):
    from test_import import bad_rows

    blocker = tmp_path / "not-a-folder.txt"
    blocker.write_text("x")
    target = blocker / "rejects.csv" if kind == "file-as-folder" else tmp_path
    before = digest(ledger_path)
    result = run("import", "households", workbook(bad_rows()), "--skip-invalid", "--rejects", target)
    assert result.exit_code == 3, result.output
    assert "nothing was imported" in flat(result.output) or "is a folder" in flat(result.output)
    assert "Traceback" not in result.output
    assert digest(ledger_path) == before
    assert rows_of(ledger_path, "SELECT count(*) AS n FROM households")[0]["n"] == 0


def test_a_sheet_of_too_many_rows_without_a_dimension_is_refused_before_any_row_is_parsed(ledger_path, tmp_path,
                                                                                          monkeypatch):
    from conftest import MEMBER_HEADERS, make_id, member_row, write_workbook
    from grid_cli.importer import households
    from grid_cli.ledger import Ledger

    rows = [member_row(f"Z{i:03d}", "某", make_id("19800101", i % 900 + 11), "户主") for i in range(200)]
    path = write_workbook(tmp_path / "rows.xlsx", {"家庭成员": (MEMBER_HEADERS, rows)})
    path = rezip(path, tmp_path / "no-dimension.xlsx", lambda name, data: data.replace(
        data[data.index(b"<dimension"):data.index(b">", data.index(b"<dimension")) + 1], b"")
        if name.endswith("sheet1.xml") and b"<dimension" in data else data)
    monkeypatch.setattr(tables, "MAX_ROWS", 50)
    parsed = []
    monkeypatch.setattr(households, "_parse_row", lambda *a: parsed.append(a))
    ledger = Ledger.open(ledger_path)
    try:
        with pytest.raises(Exception) as caught:
            households.import_households(ledger, path)
    finally:
        ledger.close()
    assert "more than 50 rows" in caught.value.en and parsed == []
