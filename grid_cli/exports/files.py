"""Writing a file safely, for every command that writes one: to a temporary file beside the target, then
renamed over it, so a crash or a full disk never leaves a half-written ledger where the clerk expects a
whole one; only regular files (never into a pipe or over a device); and when it cannot be done, one line
that says what is really wrong (read-only, full, no permission, in use, no such folder)."""

from __future__ import annotations

import errno
import gc
import os
import secrets
import sys
from pathlib import Path
from typing import Callable

from grid_cli.errors import UsageError, disk_error

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


def check_target(path: Path) -> Path:
    """Fail early, before any work, when `path` cannot be written as a file, saying why: a folder or
    something that is not a regular file (a FIFO would hang the writer; a device node would be replaced
    by a file), no such folder, a folder where files cannot be made (read-only, full, no permission,
    /proc), or a file held open by Excel/WPS. Returns the path to write (a symbolic link's target)."""
    path = Path(path)
    if path.is_symlink() and path.exists():
        path = path.resolve()  # write through a link, do not replace it
    if path.is_dir():
        raise UsageError(f"{path} 是文件夹，请给出文件名", f"{path} is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise UsageError(f"{path} 不是普通文件（设备、管道或套接字），不能写入",
                         f"{path} is not a regular file (a device, a pipe or a socket)",
                         hint_zh="给出一个普通文件名", hint_en="give the name of an ordinary file")
    if not path.parent.is_dir():
        raise disk_error(FileNotFoundError(errno.ENOENT, "no folder"), path)
    probe = temporary(path)
    try:
        os.close(probe[0])
    finally:
        probe[1].unlink(missing_ok=True)
    if path.exists():
        try:
            with path.open("ab"):
                pass
        except OSError as error:
            raise disk_error(error, path) from None
    return path


def temporary(path: Path) -> tuple[int, Path]:
    """A new, empty file beside `path` (so the rename is atomic), made with the usual permissions."""
    for _ in range(100):
        tmp = path.with_name(f".{path.stem}.{os.getpid()}-{secrets.token_hex(3)}.tmp{path.suffix}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as error:
            raise disk_error(error, path) from None
    raise disk_error(FileExistsError(errno.EEXIST, "cannot make a temporary file"), path)


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` for a temporary file in the target's folder, then rename it to `path`: the target
    is whole or as it was, never half-written, and only ever a regular file."""
    return atomic_write_all([(path, write)])[0]


def atomic_write_all(files: list[tuple[Path, Callable[[Path], None]]]) -> list[Path]:
    """`atomic_write` for files that belong together (a CSV per table): every one is written before any is
    renamed, so a full disk half-way leaves none of them changed."""
    targets = [check_target(path) for path, _write in files]
    temporaries: list[Path] = []
    try:
        for target, (_path, write) in zip(targets, files):
            fd, tmp = temporary(target)
            os.close(fd)
            temporaries.append(tmp)
            try:
                write(tmp)
            except OSError as error:
                raise write_failed(error, target) from None
        for target, tmp in zip(targets, temporaries):
            try:
                os.replace(tmp, target)
            except OSError as error:
                raise write_failed(error, target) from None
    finally:
        for tmp in temporaries:
            tmp.unlink(missing_ok=True)
    return targets


def write_failed(error: OSError, path: Path):
    """The error to report for a write that failed half-way (a full disk). The writer's frames, which the
    traceback holds, may hold generators (openpyxl's write-only sheets) that write to the closed file when
    collected and print 'Exception ignored' tracebacks: they are dropped here, quietly."""
    result = disk_error(error, path)
    hook, sys.unraisablehook = sys.unraisablehook, lambda _: None
    try:
        error.__traceback__ = None
        error.__context__ = None
        gc.collect()
    finally:
        sys.unraisablehook = hook
    return result


def sibling(path: Path, key: str) -> Path:
    """`ledger.csv` + `members` -> `ledger-members.csv` (one CSV per table)."""
    return path.with_name(f"{path.stem}-{key}{path.suffix}")
