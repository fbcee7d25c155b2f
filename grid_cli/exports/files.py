"""Writing an export file safely: to a temporary file beside the target, then renamed over it, so a
crash or a full disk never leaves a half-written ledger where the clerk expects a whole one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from grid_cli.errors import UsageError

FORMATS = ("xlsx", "csv", "json")


def format_for(out: Path | None, fmt: str | None, default: str = "xlsx") -> str:
    """The format asked for: --format, else the --out suffix, else the default. A clash is a usage error."""
    suffix = out.suffix.lower().lstrip(".") if out else ""
    if fmt:
        fmt = fmt.lower().lstrip(".")
        if fmt not in FORMATS:
            raise UsageError(f"--format 应为 {' | '.join(FORMATS)}，而不是“{fmt}”",
                             f"--format must be {' | '.join(FORMATS)}, not '{fmt}'")
        if suffix in FORMATS and suffix != fmt:
            raise UsageError(f"--out 的扩展名 .{suffix} 与 --format {fmt} 不一致",
                             f"the --out suffix .{suffix} does not match --format {fmt}",
                             hint_zh=f"把文件名改为 .{fmt} 结尾", hint_en=f"name the file *.{fmt}")
        return fmt
    if suffix in FORMATS:
        return suffix
    if suffix:
        raise UsageError(f"不支持的文件类型 .{suffix}", f"unsupported file type .{suffix}",
                         hint_zh="用 .xlsx、.csv 或 .json", hint_en="use .xlsx, .csv or .json")
    return default


def _unwritable(path: Path, error: OSError) -> UsageError:
    if isinstance(error, PermissionError):
        return UsageError(f"无法写入 {path}：文件被占用或没有写权限（是否正在 Excel/WPS 中打开？）",
                          f"cannot write {path}: the file is in use or not writable (is it open in Excel/WPS?)",
                          hint_zh="关闭该文件后重试，或用 --out 换一个文件名",
                          hint_en="close the file and retry, or choose another name with --out")
    if isinstance(error, (FileNotFoundError, NotADirectoryError)):
        return UsageError(f"无法写入 {path}：文件夹 {path.parent} 不存在", f"cannot write {path}: no folder {path.parent}",
                          hint_zh="先建好文件夹，或换一个 --out 路径", hint_en="create the folder first, or choose another --out")
    return UsageError(f"无法写入 {path}（{error.strerror or error}）", f"cannot write {path} ({error.strerror or error})",
                      hint_zh="检查磁盘空间和路径，或换一个 --out 路径", hint_en="check the disk and the path, or choose another --out")


def check_target(path: Path) -> None:
    """Fail early, before any work, when the file cannot be written: no such folder, a folder given
    instead of a file, or a file held open by Excel/WPS (Windows refuses to open it for writing)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} 是文件夹，请给出文件名", f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise _unwritable(path, FileNotFoundError(2, "No such directory"))
    if path.exists():
        try:
            with path.open("ab"):
                pass
        except OSError as error:
            raise _unwritable(path, error) from None


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` for a temporary file in the target's folder, then rename it to `path`."""
    path = Path(path)
    check_target(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        try:
            write(tmp)
        except OSError as error:
            raise _unwritable(path, error) from None
        try:
            os.replace(tmp, path)
        except OSError as error:
            raise _unwritable(path, error) from None
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass
    return path


def sibling(path: Path, key: str) -> Path:
    """`ledger.csv` + `members` -> `ledger-members.csv` (one CSV per table)."""
    return path.with_name(f"{path.stem}-{key}{path.suffix}")
