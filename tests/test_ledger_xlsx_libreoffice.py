"""The ledger as a real spreadsheet program prints it: LibreOffice (headless) converts the sample grid's
.xlsx to PDF; every page must be A4 landscape (or portrait for the notice), the page count sane, and the
last column on the first page (fit to the page width, nothing cut off).

Needs `soffice` and poppler's `pdfinfo` / `pdftotext` (Debian: libreoffice-calc fonts-noto-cjk
poppler-utils); skipped cleanly without them. One test: the conversion takes a few seconds.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import Run


A4 = (841.89, 595.28)  # points, landscape
TOOLS = ("soffice", "pdfinfo", "pdftotext")

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in TOOLS),
                                reason="LibreOffice (soffice) and poppler-utils are not installed")


def to_pdf(xlsx, folder):
    profile = folder / "lo-profile"
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(xlsx)],
                   check=True, capture_output=True, timeout=180)
    pdf = folder / (xlsx.stem + ".pdf")
    assert pdf.exists(), "LibreOffice wrote no PDF"
    return pdf


def page_sizes(pdf) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], check=True, capture_output=True, text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]


def test_libreoffice_prints_the_ledger_on_a4_landscape(demo_db, tmp_path):
    xlsx = tmp_path / "ledger.xlsx"
    assert Run(demo_db)("ledger", "--month", "2026-11", "--out", xlsx).exit_code == 0
    pdf = to_pdf(xlsx, tmp_path)
    sizes = page_sizes(pdf)
    # 60 households and 194 members at a readable scale, plus the summary: a handful of pages, not hundreds
    assert 3 <= len(sizes) <= 30, sizes
    for width, height in sizes:
        assert abs(width - A4[0]) < 2 and abs(height - A4[1]) < 2, (width, height)
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    assert "村级监测对象网格管理电子台账" in first  # CJK text is real text, not boxes
    flat = re.sub(r"\s", "", first)
    for column in ("序号", "户编号", "证件号码", "帮扶措施"):  # first and last columns on page 1: fitted, not cut
        assert column in flat
    assert "第1页" in flat
