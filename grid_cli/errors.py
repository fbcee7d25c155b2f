"""Typed errors. The core raises these; `cli.main()` maps each to one line and an exit code.

Exit codes (documented in the README):
  0  ok
  1  findings present, or the request was refused (e.g. a bundle or import rejected)
  2  usage: a bad option, argument or answer
  3  environment / config / data: no ledger, unreadable file, corrupt input
  4  internal error (a bug): rerun with GRID_DEBUG=1 for the traceback
"""

from __future__ import annotations

OK, REFUSED, USAGE, DATA, INTERNAL = 0, 1, 2, 3, 4


class GridError(Exception):
    """A user-facing error: a message in both languages and a hint of what to do."""

    exit_code = DATA

    def __init__(self, zh: str, en: str | None = None, *, hint_zh: str = "", hint_en: str = ""):
        super().__init__(en or zh)
        self.zh, self.en = zh, en or zh
        self.hint_zh, self.hint_en = hint_zh, hint_en or hint_zh

    def message(self, lang: str) -> str:
        text, hint = (self.zh, self.hint_zh) if lang == "zh" else (self.en, self.hint_en)
        return f"{text} — {hint}" if hint else text

    def __reduce__(self):
        # raised in a worker process (workers.py), it crosses to the parent whole: both languages and hints
        return _restore, (type(self), self.__dict__)


def _restore(kind: type, state: dict) -> GridError:
    error = kind.__new__(kind)
    Exception.__init__(error, state.get("en"))
    error.__dict__.update(state)
    return error


class UsageError(GridError):
    """The command was given something it cannot use (bad ID, future date, negative income...)."""

    exit_code = USAGE


class DataError(GridError):
    """A file or ledger is missing, unreadable or corrupt."""

    exit_code = DATA


class Refused(GridError):
    """The input was understood but refused as a whole (an import with bad rows, a foreign bundle)."""

    exit_code = REFUSED


class NotFound(UsageError):
    """No household or member matches what was asked for."""


# -- a sync bundle refused whole ------------------------------------------------------------------------
# Raised by the bundle reader (sync/format.py), admission (sync/admission.py), the envelope and the chain
# heads (security/) and the merge; `reason` is the stable key `grid sync merge --json` prints.

class BundleRefused(Refused):
    """A bundle refused whole; the ledger is unchanged. `reason` is a stable key for --json."""

    reason = "refused"


class BadFormat(BundleRefused):
    reason = "format"


class Damaged(BundleRefused):
    reason = "integrity"


class UnknownOrigin(BundleRefused):
    reason = "unknown-origin"


class OutOfScope(BundleRefused):
    reason = "out-of-scope"


class NotForThisLedger(BundleRefused):
    reason = "recipient"


class Unsigned(BundleRefused):
    reason = "unsigned"


class Untrusted(BundleRefused):
    """Signed by a key this ledger has not enrolled (or enrolled for another place)."""

    reason = "untrusted-key"


class BadSignature(BundleRefused):
    reason = "signature"


class Revoked(BundleRefused):
    reason = "revoked"


class Replayed(BundleRefused):
    """This very bundle was merged before (same file, or same signed bundle id)."""

    reason = "replay"


class Rewritten(BundleRefused):
    """The hash chain of an origin's changes does not hold: its history was rewritten."""

    reason = "history-rewritten"


def damaged(zh: str, en: str) -> Damaged:
    """The one way every part of the merge says a bundle's bytes are not what was sent."""
    return Damaged(f"同步包已损坏或被改动：{zh}", f"the bundle is damaged or altered: {en}",
                   hint_zh="请对方重新发送该文件", hint_en="ask the sender to send the file again")


def unreadable_line() -> Damaged:
    return damaged("有一行变更无法读取", "a change line cannot be read")


class Malformed(AssertionError):
    """A document read from outside (a bundle manifest, a key or enrolment file) lacks a field or has a wrong
    one. Raised by `require`; each reader turns it into its own one-line GridError."""


def require(ok: object) -> None:
    """`assert` for input checks: unlike `assert`, it still checks under `python -O`."""
    if not ok:
        raise Malformed()


# -- what is really wrong with a disk or a file --------------------------------------------------------
# An OSError or a SQLite error names the symptom ("unable to open database file", "No such file or
# directory" in /proc); the user needs the cause (a write-protected stick, a full disk, a file held by
# Excel) and what to do. A read-only or full disk must never be reported as a damaged file: "restore it
# from a backup" would overwrite good data.

def disk_error(error: OSError, path, *, ledger: bool = False, writing: bool = True) -> GridError:
    """One line for an OSError met while writing `path` (or reading it, not `writing`; the ledger when
    `ledger`). The state of the disk (full, read-only, failing) is exit 3; a path the user chose for a file
    to write that cannot take one (no such folder, no permission, /proc) is a usage error, exit 2."""
    import errno
    from pathlib import Path

    known = path not in (None, "", "?")
    path = Path(path) if known else Path("?")
    folder = path.parent
    code = error.errno
    cause = error.strerror or type(error).__name__
    chosen = UsageError if writing and not ledger else DataError
    where_zh, where_en = ("账本 " if ledger else "") + str(path), ("the ledger " if ledger else "") + str(path)
    if not known:  # an error that does not say which file (a zip being written, say)
        where_zh, where_en = "文件", "the file"
    other_zh, other_en = ("复制到可写的文件夹后用 --ledger 指定", "copy it to a writable folder and point --ledger at it") if ledger \
        else ("用 --out 写到别的文件夹", "write it elsewhere with --out")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return DataError(f"磁盘已满，无法写入{where_zh}", f"the disk is full: cannot write {where_en}",
                         hint_zh="腾出空间（或换一个磁盘）后重试；账本未作改动",
                         hint_en="free some space (or use another disk) and retry; nothing was changed")
    if code == errno.EROFS:
        return DataError(f"{where_zh} 在只读的磁盘上（U盘开了写保护，或是光盘？）",
                         f"{where_en} is on a read-only disk (a write-protected USB stick or a CD?)",
                         hint_zh=f"关闭写保护，或{other_zh}；账本未作改动",
                         hint_en=f"switch off the write protection, or {other_en}; nothing was changed")
    if code == errno.EIO:
        return DataError(f"读写{where_zh}时磁盘出错（U盘被拔出或已损坏？）",
                         f"the disk failed while reading or writing {where_en} (a USB stick pulled out or failing?)",
                         hint_zh="检查磁盘后重试；账本未作改动", hint_en="check the disk and retry; nothing was changed")
    if code in (errno.EACCES, errno.EPERM) and writing and folder.is_dir() and not path.exists():
        return chosen(f"没有权限在 {folder} 中建立文件", f"no permission to create files in {folder}",
                      hint_zh=other_zh, hint_en=other_en)
    if code in (errno.EACCES, errno.EPERM, errno.EBUSY, getattr(errno, "ETXTBSY", -1)):
        return chosen(f"没有权限{'写入' if writing else '读写'}{where_zh}，或它正被其他程序（Excel/WPS？）打开",
                      f"no permission to {'write' if writing else 'read or write'} {where_en}, or another program "
                      "(Excel/WPS?) holds it open",
                      hint_zh=f"关闭该文件后重试，或{other_zh}", hint_en=f"close the file and retry, or {other_en}")
    if not known:
        return DataError(f"无法读写文件（{cause}）", f"cannot read or write a file ({cause})",
                         hint_zh="检查路径和磁盘后重试", hint_en="check the path and the disk, and retry")
    if code == errno.ENOENT and not writing:
        return DataError(f"找不到 {path}", f"no such file or folder: {path}", hint_zh="检查路径", hint_en="check the path")
    if code == errno.ENOENT and not folder.is_dir():
        return chosen(f"文件夹 {folder} 不存在", f"there is no folder {folder}",
                      hint_zh="先建好文件夹，或换一个路径", hint_en="create the folder first, or choose another path")
    if code in (errno.ENOENT, errno.EINVAL):
        return chosen(f"无法在 {folder} 中建立文件（{cause}）", f"files cannot be created in {folder} ({cause})",
                      hint_zh=f"换一个普通文件夹：{other_zh}", hint_en=f"choose an ordinary folder: {other_en}")
    if code == errno.ENAMETOOLONG:
        return chosen(f"文件名过长：{path}", f"the file name is too long: {path}", hint_zh="换一个短一些的名字",
                      hint_en="choose a shorter name")
    if code == errno.EISDIR:
        return chosen(f"{path} 是文件夹，请给出文件名", f"{path} is a folder; give a file name")
    if code == errno.ENOTDIR:
        return chosen(f"{path} 的上级路径中有一段不是文件夹", f"part of the path {path} is a file, not a folder",
                      hint_zh="检查路径", hint_en="check the path")
    return DataError(f"无法读写{where_zh}（{cause}）", f"cannot read or write {where_en} ({cause})",
                     hint_zh="检查路径和磁盘后重试", hint_en="check the path and the disk, and retry")


def probe_folder(folder) -> OSError | None:
    """Write a little into `folder` and take it away: the error the disk gives (read-only, full, no
    permission), or None if it takes it."""
    import os
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder) as handle:
            handle.write(b"\0" * 65536)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        return error
    return None


def ledger_error(error: Exception, path) -> GridError:
    """One line for a SQLite error on the ledger at `path`: what is really wrong and what to do."""
    import errno
    import os
    from pathlib import Path

    path = Path(path)
    name = getattr(error, "sqlite_errorname", "") or ""  # Python 3.11+; the message text before
    text = str(error).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return DataError(f"账本 {path} 正被另一个 grid 命令或程序使用", f"the ledger {path} is in use by another grid command or program",
                         hint_zh="等它结束后重试；账本未作改动", hint_en="wait for it to finish and retry; nothing was changed")
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or "not a database" in text or "malformed" in text:
        return DataError(f"账本文件已损坏或不是账本：{path}", f"the file is damaged or not a ledger: {path}",
                         hint_zh="从备份或乡镇的同步包恢复", hint_en="restore it from a backup or from the township's bundle")
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return disk_error(OSError(errno.ENOSPC, "disk full"), path, ledger=True)
    # read-only, cannot open, I/O error: ask the disk what it is
    found = probe_folder(path.parent) if path.parent.is_dir() else FileNotFoundError(errno.ENOENT, "no folder")
    if found is not None:
        return disk_error(found, path, ledger=True)
    if path.exists() and not os.access(path, os.W_OK):
        return DataError(f"账本文件 {path} 是只读的", f"the ledger file {path} is read-only",
                         hint_zh="去掉该文件的只读属性后重试", hint_en="make the file writable (remove its read-only attribute) and retry")
    return DataError(f"账本 {path} 无法读写（{error}）", f"the ledger {path} cannot be read or written ({error})",
                     hint_zh="检查磁盘；若一直如此，把账本复制到另一个磁盘再试",
                     hint_en="check the disk; if it persists, copy the ledger to another disk and retry")
