"""`grid risk --json` streams a county's list: items may be values, JSON text or orjson's UTF-8 bytes, and
whatever the handle (a UTF-8 file or pipe with a binary layer, a text-only handle, a console in another
encoding) the JSON written is the same text."""

from __future__ import annotations

import io
import json
import sys

import pytest

from grid_cli.commands.render import stream_json

ITEMS = [{"hh_no": "0001", "message": "人均纯收入 6,900 元"}, '{"hh_no":"0002","village":"上寨"}',
         '{"hh_no":"0003","note":"饮水"}'.encode()]


def written(handle_of) -> str:
    buffer = io.BytesIO()
    handle = handle_of(buffer)
    assert stream_json({"as_of": "2026-11-28"}, "households", iter(ITEMS), handle) == 3
    handle.flush()
    return handle.getvalue() if isinstance(handle, io.StringIO) else buffer.getvalue().decode("utf-8")


def test_the_same_json_whatever_the_handle():
    utf8 = written(lambda b: io.TextIOWrapper(b, encoding="utf-8", newline="\n"))  # bytes to the binary layer
    text_only = written(lambda b: io.StringIO())  # no binary layer: bytes decoded
    assert utf8 == text_only
    parsed = json.loads(utf8)
    assert [h["hh_no"] for h in parsed["households"]] == ["0001", "0002", "0003"] and parsed["as_of"] == "2026-11-28"
    assert parsed["households"][2]["note"] == "饮水"


def test_a_handle_in_another_encoding_gets_text_in_its_own_encoding():
    buffer = io.BytesIO()
    handle = io.TextIOWrapper(buffer, encoding="gb18030", newline="\n")
    stream_json(None, None, iter(ITEMS), handle)
    handle.flush()
    parsed = json.loads(buffer.getvalue().decode("gb18030"))
    assert [h["hh_no"] for h in parsed] == ["0001", "0002", "0003"] and parsed[2]["note"] == "饮水"


class Recorder(io.BytesIO):
    def __init__(self):
        super().__init__()
        self.writes: list[bytes] = []

    def write(self, data):
        self.writes.append(bytes(data))
        return super().write(data)


def test_bytes_go_to_the_binary_layer_after_what_the_handle_already_holds():
    buffer = Recorder()
    handle = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
    handle.write("text before\n")  # still in the text layer until stream_json flushes it
    stream_json(None, None, iter(ITEMS), handle)
    assert ITEMS[2] in buffer.writes  # orjson's bytes as they are: not decoded and encoded again
    assert buffer.getvalue().startswith(b"text before\n[\n")


def test_risk_json_on_stdout_equals_the_out_file_and_is_the_same_in_batches_of_one(demo_db, tmp_path, monkeypatch):
    from conftest import Run
    from grid_cli import lists

    run = Run(demo_db)
    printed = run("risk", "--json")
    assert printed.exit_code == 1, printed.output
    assert run("risk", "--json", "--out", str(tmp_path / "r.json")).exit_code == 1
    written = (tmp_path / "r.json").read_bytes()
    assert printed.stdout_bytes == written and b"\r\n" not in written
    monkeypatch.setattr(lists, "BATCH", 1)  # every household's rows cross a fetchmany boundary
    assert run("risk", "--json").stdout_bytes == written
    assert len(json.loads(written)["households"]) > 3


# End to end on POSIX only: Windows reports a closed pipe as EINVAL, which the predicate test checks.
UNIX_PIPES = pytest.mark.skipif(sys.platform == "win32", reason="closed pipes are EINVAL on Windows: see the predicate test")


@UNIX_PIPES
def test_a_reader_that_stops_reading_ends_the_command_quietly(demo_db):
    # `grid risk --json | head`: the pipe is closed before grid writes; grid ends with 0 and says nothing
    # (it used to end with exit 3, "cannot read or write a file (Broken pipe)").
    import os
    import subprocess
    import sys

    from conftest import Run

    # buffered (what sits in stdout's buffer at the end meets the closed pipe too) and unbuffered
    for args, unbuffered in ((["risk", "--json"], "1"), (["household", "list"], "1"), (["risk"], ""), (["due"], ""),
                             (["risk", "--list", "--limit", "3"], ""), (["household", "list"], "")):
        proc = subprocess.Popen([sys.executable, "-m", "grid_cli", "--ledger", str(demo_db), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": unbuffered})
        proc.stdout.close()
        error = proc.stderr.read()
        assert proc.wait(timeout=60) == 0 and error == b"", (args, error)
    assert Run(demo_db)("risk").exit_code == 1  # a whole run still says findings are there


def test_a_closed_pipe_is_known_by_the_error_windows_gives_too(monkeypatch):
    # Windows reports a write to a pipe whose reader stopped as EINVAL (CPython 79935), not EPIPE; the same
    # errors on a file or a console, or another error on a pipe, stay errors (exit 3, one line).
    import errno

    from grid_cli import cli

    einval = OSError(errno.EINVAL, "Invalid argument")
    monkeypatch.setattr(cli, "_stdout_is_pipe", lambda: True)
    assert cli._reader_gone(BrokenPipeError(errno.EPIPE, "Broken pipe"), "linux")
    assert cli._reader_gone(einval, "win32") and not cli._reader_gone(einval, "linux")
    assert not cli._reader_gone(OSError(errno.ENOSPC, "No space left on device"), "win32")
    monkeypatch.setattr(cli, "_stdout_is_pipe", lambda: False)
    assert not cli._reader_gone(einval, "win32") and not cli._reader_gone(BrokenPipeError(errno.EPIPE, "x"), "linux")


@UNIX_PIPES
def test_full_id_numbers_are_audited_even_when_the_reader_stops_midway(demo_db):
    import os
    import subprocess
    import sys

    from conftest import rows_of

    household = rows_of(demo_db, "SELECT hh_no FROM households LIMIT 1")[0]["hh_no"]
    proc = subprocess.Popen([sys.executable, "-m", "grid_cli", "--ledger", str(demo_db), "household", "show", household,
                             "--unmasked"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0 and proc.stderr.read() == b""
    assert rows_of(demo_db, "SELECT 1 FROM audit WHERE action = 'unmasked'")
