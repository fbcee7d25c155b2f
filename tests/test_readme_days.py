"""The README's days (a monitor's, a township's, a county's, a clerk's) run as written, so they cannot drift.

What runs: every code block under the headings `## A monitor's day`, `## A township's day`, `## A county's
day` and `## A clerk's day` (their `###` subsections included) that holds `$ ` lines, in the README's order,
in one temporary folder, each command as a new `grid` process (`python -m grid_cli`), with GRID_TODAY
pinned to TODAY and TZ=Asia/Shanghai. Blocks without a `$ ` line (a JSON example) are not commands.

How a block is read:
- `$ COMMAND` is a command; the lines after it, up to the next `$ ` line, are what it prints (stdout and
  stderr as a terminal shows them). `# ...` lines between commands are remarks.
- A `# ...` comment at the end of a command is the reader's: it is dropped, except `exit N`, which is the
  exit code the command must end with (0 when none is given).
- `export NAME=VALUE` sets the environment of the commands after it. Patterns (`U盘/*.zip`) are expanded
  in the folder, as a POSIX shell would (on Windows too).
- Files a day takes from outside the README: `农户信息.xlsx` is the sample grid's `samples/households.xlsx`
  (the national system's export, in the official columns); `农户信息-12月.xlsx` is the same with 韦红 now
  working outside the province (省外务工); `坏.zip` is a bundle cut short in copying (the first half of the
  first bundle under `U盘/`).

How strict: the exit code must be the one written. A command with lines under it must print exactly those
lines (each compared after the masks below, trailing spaces ignored), consecutively, from its first line to
its last; a line `…` stands for any number of lines left out there, so `…` last lets more output follow.
A command with no lines under it is run and its exit code checked; its output is not shown, so not
compared. A prompt shown with its answer (`走访日期 [2026-11-23]: 2026-11-20`) is answered with the text
after the prompt when the program asks it (`^D`: Ctrl-D, the input ends there); prompts the README leaves
out (inside a `…`) are answered with Enter, as a monitor pressing Enter through them would. A command
ending in `\\` goes on on the next line.

Masks (applied to both sides, so they hide only what changes from run to run): times of day with their
date and zone (`2026-11-23 01:15:57 +08:00`), the time and hash in a bundle's name, key fingerprints
(`b934 b59b b990 65af`), and 8- and 32-character hex ids (replica ids, the step ids `household show`
prints). An id the README shows in one command's output and types into a later command (`grid monitor
end HH 51894dd0`) is replaced there by the id this run printed.

To refresh the README after a deliberate change of output: `GRID_README_RECORD=FILE pytest
tests/test_readme_days.py` writes every command with its real output to FILE, to paste from.
"""

from __future__ import annotations

import glob
import os
import queue
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
DAYS = ("A monitor's day", "A township's day", "A county's day", "A clerk's day")
TODAY = "2026-11-23"
ELLIPSIS = "…"

# A fingerprint may be wrapped over two lines (it holds spaces): it is masked in the whole text, each group
# by `****`, so the line breaks stay where they were (a fingerprint is always as long, so wraps alike).
FINGERPRINT = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{4}(?: *\n? *[0-9a-f]{4}){3}(?![0-9A-Za-z])")
MASKS = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?: ?(?:[+-]\d{2}:?\d{2}|Z|UTC))?"), "<time>"),
    (re.compile(r"\d{8}-\d{6}(?:[+-]\d{4})?(?=[-.])"), "<stamp>"),  # with the zone, as sync export names bundles
    (re.compile(r"(?<=-)[0-9a-f]{6}(?=\.zip|$)"), "<hash>"),  # $: a name wrapped just before .zip
    (re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-f]{32}|[0-9a-f]{8})(?![0-9A-Za-z])"), "<id>"),
]
ID = MASKS[-1][0]


def mask_lines(lines: list[str]) -> list[str]:
    if not lines:
        return []
    text = FINGERPRINT.sub(lambda m: re.sub("[0-9a-f]{4}", "****", m.group()), "\n".join(lines))
    return [mask(line) for line in text.split("\n")]


def mask(line: str) -> str:
    for pattern, replacement in MASKS:
        line = pattern.sub(replacement, line)
    return line.rstrip()


@dataclass
class Command:
    day: str
    line: int  # in README.md
    text: str
    shown: list[str] = field(default_factory=list)

    @property
    def expected_exit(self) -> int:
        found = re.search(r"#.*\bexit (\d+)", self.text)
        return int(found.group(1)) if found else 0


def read_days(readme: Path) -> list[Command]:
    commands: list[Command] = []
    day = None
    in_block = False
    current: Command | None = None
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("```"):
            in_block, current = not in_block, None
            continue
        if not in_block:
            if line.startswith("## "):
                day = line[3:].strip() if line[3:].strip() in DAYS else None
            continue
        if day is None:
            continue
        if current is not None and current.text.endswith("\\") and not current.shown:  # a command goes on
            current.text = current.text[:-1].rstrip() + " " + line.strip()
        elif line.startswith("$ "):
            current = Command(day, number, line[2:])
            commands.append(current)
        elif current is not None:
            current.shown.append(line.rstrip())
    for command in commands:  # remarks under a command that belong to the next one ("# township office")
        while command.shown and command.shown[-1].startswith("# "):
            command.shown.pop()
    return commands


# -- running a command the way a terminal would ------------------------------------------------------
PROMPT_END = ": "
SETTLE = 0.3  # seconds of quiet after a prompt-like line before it is taken as a prompt
END_OF_INPUT = "^D"  # an answer shown as ^D: Ctrl-D, the input ends


class Process:
    """A `grid` process with its output read as it comes, to answer prompts the way a person would."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path):
        self.proc = subprocess.Popen([sys.executable, "-m", "grid_cli", *args], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.chunks: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.raw, self.ended = b"", False

    def _pump(self) -> None:
        while True:
            data = self.proc.stdout.read1(65536)
            self.chunks.put(data)
            if not data:
                return

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", errors="replace").replace("\r\n", "\n")

    def next_prompt(self, timeout: float = 120) -> str | None:
        """Read until the program waits at a prompt (returned) or ends (None). A line ending in ': ' is a
        prompt once nothing more follows it for a moment (an error's '错误: ' is followed by its message)."""
        end = time.monotonic() + timeout
        while True:
            tail = self.text.rsplit("\n", 1)[-1]
            waiting = tail.endswith(PROMPT_END) and tail not in ("错误: ", "error: ")
            try:
                data = self.chunks.get(timeout=SETTLE if waiting else max(0.0, end - time.monotonic()))
            except queue.Empty:
                if waiting:
                    return tail
                raise AssertionError(f"no prompt and no end after {timeout} s:\n{self.text}") from None
            if not data:
                self.ended = True
                return None
            self.raw += data

    def type(self, answer: str) -> None:
        if answer == END_OF_INPUT:  # Ctrl-D: the input ends there
            self.raw += END_OF_INPUT.encode("utf-8")
            self.proc.stdin.close()
            return
        self.raw += answer.encode("utf-8") + b"\n"  # what the terminal echoes
        self.proc.stdin.write(answer.encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 600) -> int:
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        code = self.proc.wait(timeout=timeout)
        while not self.ended and (data := self.chunks.get(timeout=60)):
            self.raw += data
        return code


def answer_for(prompt: str, shown: list[str], start: int) -> tuple[str, int]:
    """The README's answer to a prompt: the text after it on the first line from `start` that shows it;
    Enter (and `start` unchanged) when the README leaves the prompt out."""
    asked = mask(prompt)
    for index in range(start, len(shown)):
        line = mask(shown[index])
        if line.startswith(asked.rstrip()) and line != ELLIPSIS:
            return shown[index].rstrip()[len(prompt.rstrip()):].strip(), index + 1
    return "", start


def match(shown: list[str], actual: list[str]) -> tuple[bool, list[tuple[str, str]]]:
    """Whether the shown lines (segments between `…` lines) are the actual ones, in order, anchored at the
    first and last line unless a `…` stands there. Returns the matched pairs (for ids carried over)."""
    segments: list[list[str]] = [[]]
    for line in shown:
        if line.strip() == ELLIPSIS:
            segments.append([])
        else:
            segments[-1].append(line)
    masked = mask_lines(actual)
    pairs: list[tuple[str, str]] = []
    at = 0
    for number, segment in enumerate(segments):
        want = mask_lines(segment)
        first, last = number == 0, number == len(segments) - 1
        if last and (want or first):  # anchored at the end, unless a `…` ended the block
            spots = [len(masked) - len(want)] if len(masked) - len(want) >= at else []
        else:
            spots = range(at, len(masked) - len(want) + 1)
        if first:
            spots = [s for s in spots if s == 0]
        for spot in spots:
            if masked[spot:spot + len(want)] == want:
                pairs += list(zip(segment, actual[spot:spot + len(want)]))
                at = spot + len(want)
                break
        else:
            return False, pairs
    return True, pairs


def carry_ids(pairs: list[tuple[str, str]], ids: dict[str, str]) -> None:
    for shown, actual in pairs:
        for a, b in zip(ID.findall(shown), ID.findall(actual)):
            if a != b:
                ids[a] = b


# -- the files a day takes from outside the README ----------------------------------------------------
def _households(folder: Path, name: str) -> None:
    shutil.copyfile(ROOT / "samples" / "households.xlsx", folder / name)


def _broken_bundle(folder: Path, name: str) -> None:
    bundle = sorted((folder / "U盘").glob("*.zip"))[0].read_bytes()
    (folder / name).write_bytes(bundle[: len(bundle) // 2])


def _newer_export(folder: Path, name: str) -> None:
    """The next month's export: the sample grid with 韦红 now working outside the province."""
    from openpyxl import load_workbook

    book = load_workbook(ROOT / "samples" / "households.xlsx")
    sheet = book.worksheets[0]
    header = next(row for row in sheet.iter_rows(max_row=5) if any(c.value == "务工状况" for c in row))
    column = {c.value: c.column for c in header}
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        if row[column["姓名"] - 1].value == "韦红" and row[column["户编号"] - 1].value == "52999903010012":
            row[column["务工状况"] - 1].value = "省外务工"
    book.save(folder / name)


FIXTURES = {"农户信息.xlsx": _households, "农户信息-12月.xlsx": _newer_export, "坏.zip": _broken_bundle}


def expand(word: str, folder: Path) -> list[str]:
    if not any(c in word for c in "*?["):
        return [word]
    found = sorted(glob.glob(word, root_dir=folder))
    return found or [word]


def test_the_readme_days_run_as_written(tmp_path):
    commands = read_days(ROOT / "README.md")
    assert {c.day for c in commands} == set(DAYS), "every day has commands"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRID_", "LC_", "LANG"))}
    env.update(GRID_TODAY=TODAY, LANG="zh_CN.UTF-8", TZ="Asia/Shanghai", COLUMNS="80", TERM="dumb",
               PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    record = os.environ.get("GRID_README_RECORD")
    ids: dict[str, str] = {}
    log: list[str] = []
    failures: list[str] = []
    for command in commands:
        words = shlex.split(command.text, comments=True)
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            env[name] = value
            continue
        assert words[0] == "grid", f"README.md:{command.line}: only grid commands run here: {command.text}"
        args = [ids.get(w, w) for word in words[1:] for w in expand(word, tmp_path)]
        for word in args:
            if word in FIXTURES and not (tmp_path / word).exists():
                FIXTURES[word](tmp_path, word)
        process = Process(args, env, tmp_path)
        at = 0
        while (prompt := process.next_prompt()) is not None:
            answer, at = answer_for(prompt, command.shown, at)
            process.type(answer)
        code = process.finish()
        actual = process.text.rstrip("\n").split("\n") if process.text.strip() else []
        log.append(f"$ {command.text}\n" + "\n".join(actual) + f"\n# exit {code}\n")
        where = f"README.md:{command.line} ({command.day}): $ {command.text}"
        if code != command.expected_exit:
            failures.append(f"{where}\n  exit {code}, the README says {command.expected_exit}\n" + process.text)
        if command.shown:
            ok, pairs = match(command.shown, actual)
            carry_ids(pairs, ids)
            if not ok:
                failures.append(f"{where}\n  the README shows:\n" + "\n".join(command.shown) +
                                "\n  the command printed:\n" + "\n".join(actual))
    if record:
        Path(record).write_text("\n".join(log), encoding="utf-8")
    assert not failures, "\n\n".join(failures)


# -- the harness itself -------------------------------------------------------------------------------
def test_matching_is_strict_about_lines_and_lenient_only_where_the_readme_says():
    actual = ["a", "b 2026-11-23 01:15:57 +08:00", "c", "d"]
    assert match(["a", "b 2026-11-24 09:00:00 +08:00", "c", "d"], actual)[0]  # times are masked
    assert not match(["a", "b <time>", "c"], actual)[0]  # the last line is missing
    assert match(["a", ELLIPSIS], actual)[0] and match([ELLIPSIS, "d"], actual)[0]
    assert match(["a", ELLIPSIS, "c", "d"], actual)[0]
    assert not match(["b 2026-11-23 01:15:57 +08:00", ELLIPSIS], actual)[0]  # must start at the first line
    assert not match(["a", "c", ELLIPSIS], actual)[0]  # a line left out without `…`
    assert not match(["a", ELLIPSIS, "x", ELLIPSIS], actual)[0]
    assert match([], [])[0] and not match([], ["a"])[0]


def test_prompts_are_answered_from_the_readme_or_with_enter():
    shown = ["走访日期 [2026-11-23]:", "走访人 [李秀兰]: 王五", ELLIPSIS, "住房安全等级（A/B/C/D） [A]: E", "危房…",
             "住房安全等级（A/B/C/D） [A]: C"]
    assert answer_for("走访日期 [2026-11-23]: ", shown, 0) == ("", 1)
    assert answer_for("走访人 [李秀兰]: ", shown, 1) == ("王五", 2)
    assert answer_for("每人每天用水量（升） [50]: ", shown, 2) == ("", 2)  # left out: Enter
    assert answer_for("住房安全等级（A/B/C/D） [A]: ", shown, 2) == ("E", 4)
    assert answer_for("住房安全等级（A/B/C/D） [A]: ", shown, 4) == ("C", 6)


def test_ids_and_fingerprints_are_masked_and_carried():
    line = "已添加帮扶措施（编号 51894dd0）；密钥指纹 b934 b59b b990 65af；户 52999903010004，2026年 7600 8000"
    assert mask_lines([line]) == ["已添加帮扶措施（编号 <id>）；密钥指纹 **** **** **** ****；户 52999903010004，2026年 7600 8000"]
    assert mask_lines(["指纹 75fe 0e63 e32a ", "aa2b）"]) == ["指纹 **** **** ****", "****）"]  # wrapped
    ids: dict[str, str] = {}
    carry_ids([("（编号 51894dd0）", "（编号 0a1b2c3d）")], ids)
    assert ids == {"51894dd0": "0a1b2c3d"}
    assert mask("grid-GZ-TX-03-to-桃溪镇-20261123-011557-5bfb2c.zip") == "grid-GZ-TX-03-to-桃溪镇-<stamp>-<hash>.zip"
