"""The release file survives real life: malformed files, crashes, full disks, read-only folders and
concurrent commands never lose or corrupt it (lambda_constructs/releases/storage.py, parsing.py).

The CLI runs as real subprocesses (``python -m lambda_constructs``, ~0.4 s each: it does not import
aws_cdk). Full-disk and read-only cases use a real tmpfs in a private mount namespace
(``unshare -m``) when the machine allows it, and are otherwise skipped; a second, always-run variant
simulates ENOSPC by making ``os.write``/``os.fsync`` raise in-process (said so in its name).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from lambda_constructs.__main__ import main
from lambda_constructs.releases import storage
from lambda_constructs.releases.parsing import load_record
from lambda_constructs.releases.record import ReleaseRecord

FP = "sha256:" + "a" * 64
FP2 = "sha256:" + "b" * 64


def rel(label: str, fp: str = FP, *, published: bool = True) -> dict[str, Any]:
    return {"label": label, "fingerprint": fp, "parts": {}, "published": published}


def entry(n_releases: int = 2) -> dict[str, Any]:
    releases = [rel(f"v{i}", "sha256:" + f"{i:064x}") for i in range(1, n_releases + 1)]
    return {
        "releases": releases,
        "aliases": {
            "Dev": {"follows": "$LATEST"},
            "Stage": {"release": "v1", "history": []},
            "Prod": {"release": "v1", "history": []},
        },
    }


def write(path: Path, functions: dict[str, Any]) -> bytes:
    path.write_text(json.dumps({"format": 1, "functions": functions}, indent=2) + "\n")
    return path.read_bytes()


def cli(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lambda_constructs", *argv], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# ------------------------------------------------------------------------------ malformed files

FUNCTION = "Svc/Orders"
GOOD = {FUNCTION: entry()}


def _text(functions: Any) -> str:
    return json.dumps({"format": 1, "functions": functions})


MALFORMED: dict[str, tuple[bytes, str]] = {
    "duplicate function key (bad merge)": (
        (
            '{"format": 1, "functions": {"Svc/Orders": '
            + json.dumps(entry(2))
            + ', "Svc/Orders": {"releases": [], "aliases": {}}}}'
        ).encode(),
        "a key appears twice",
    ),
    "duplicate alias key": (
        b'{"functions": {"Svc/Orders": {"releases": [], "aliases": {"Dev": {"follows": "$LATEST"}, '
        b'"Dev": {"follows": "$LATEST"}}}}}',
        "a key appears twice",
    ),
    "duplicate key inside a release": (
        b'{"functions": {"Svc/Orders": {"releases": [{"label": "v1", "label": "v2", "fingerprint": "sha256:0"}]}}}',
        "a key appears twice",
    ),
    "published as a string": (
        _text({FUNCTION: {**entry(), "releases": [{**rel("v1"), "published": "false"}]}}).encode(),
        "published: must be true or false",
    ),
    "alarms as a string": (
        _text(
            {
                FUNCTION: {
                    **entry(),
                    "aliases": {"Prod": {"release": "v1", "deployment": "AllAtOnce", "alarms": "false"}},
                }
            }
        ).encode(),
        "alarms: must be true or false",
    ),
    "history as a string": (
        _text({FUNCTION: {**entry(), "aliases": {"Prod": {"release": "v1", "history": "v1"}}}}).encode(),
        "history: must be a list of release labels",
    ),
    "recorded_at not a timestamp": (
        _text({FUNCTION: {**entry(), "releases": [{**rel("v1"), "recorded_at": "yesterday"}]}}).encode(),
        "recorded_at: must be an ISO timestamp string (got 'yesterday')",
    ),
    "a recorded part of the wrong type": (
        _text({FUNCTION: {**entry(), "releases": [{**rel("v1"), "parts": {"memory": "512"}}]}}).encode(),
        "parts.memory: must be a whole number (got '512')",
    ),
    "an unknown recorded part": (
        _text({FUNCTION: {**entry(), "releases": [{**rel("v1"), "parts": {"memroy": 512}}]}}).encode(),
        "parts: unknown keys",
    ),
    "keep_releases as a bool": (_text({FUNCTION: {**entry(), "keep_releases": True}}).encode(), "a whole number"),
    "weight as a string": (
        _text({FUNCTION: {**entry(), "aliases": {"Prod": {"release": "v1", "weights": {"v2": "0.1"}}}}}).encode(),
        "must be a number between 0 and 1",
    ),
    "unknown key in an alias": (
        _text({FUNCTION: {**entry(), "aliases": {"Prod": {"release": "v1", "wieghts": {}}}}}).encode(),
        "unknown keys",
    ),
    "unknown key in a release": (
        _text({FUNCTION: {**entry(), "releases": [{**rel("v1"), "publshed": True}]}}).encode(),
        "unknown keys",
    ),
    "label with a trailing newline": (
        _text({FUNCTION: {**entry(), "releases": [rel("v1\n")], "aliases": {}}}).encode(),
        "labels are 1–64",
    ),
    "alias name with a trailing newline": (
        _text({FUNCTION: {**entry(), "aliases": {"Prod\n": {"release": "v1"}}}}).encode(),
        "alias names match",
    ),
    "function key with a newline": (_text({"Svc/Orders\n": entry()}).encode(), "construct path"),
    "whitespace-only file": (b"  \n\t\n", "the file is empty"),
    "empty file": (b"", "the file is empty"),
    "latin-1 bytes": ('{"functions": {"Svc/Ördérs": {}}}'.encode("latin-1"), "not UTF-8 text"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "format as true": (b'{"format": true, "functions": {}}', "unsupported format"),
    "empty object (no format)": (b"{}", "top level: no 'format' field"),
    "no format": (b'{"functions": {}}', "top level: no 'format' field"),
    "target named default": (
        _text({FUNCTION: {**entry(), "targets": {"default": {"published": ["v1"], "aliases": {}}}}}).encode(),
        "target names",
    ),
    "target alias on a release it cannot have": (
        _text(
            {
                FUNCTION: {
                    **entry(3),
                    "targets": {"prod": {"published": ["v2"], "aliases": {"Prod": {"release": "v1"}}}},
                }
            }
        ).encode(),
        "release v1 has no version in this target",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_is_a_one_line_error_exit_2_and_unchanged(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command refuses with one line, exit 2, and leaves the bytes as they were (in-process;
    ``test_malformed_file_in_a_real_process`` checks the process's exit code and stderr)."""
    data, expected = MALFORMED[case]
    file = tmp_path / "releases.json"
    file.write_bytes(data)
    for argv in (
        ["status", "--assembly", str(tmp_path / "none")],
        ["promote", FUNCTION, "Stage", "v2"],
        ["mark-published", FUNCTION],
    ):
        assert main([*argv, "--file", str(file)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and expected in err[0], (argv, err)
        assert file.read_bytes() == data


@pytest.mark.parametrize("case", ["latin-1 bytes", "deep nesting", "duplicate function key (bad merge)"])
def test_malformed_file_in_a_real_process(case: str, tmp_path: Path) -> None:
    data, expected = MALFORMED[case]
    file = tmp_path / "releases.json"
    file.write_bytes(data)
    line = one_line_error(cli("promote", FUNCTION, "Stage", "v2", "--file", str(file)))
    assert expected in line and str(file) in line, line
    assert file.read_bytes() == data


def test_duplicate_key_error_names_the_line(tmp_path: Path) -> None:
    file = tmp_path / "releases.json"
    file.write_bytes(MALFORMED["duplicate function key (bad merge)"][0].replace(b', "Svc/Orders"', b',\n"Svc/Orders"'))
    with pytest.raises(ValueError, match=r"line 2: a key appears twice .* \(got 'Svc/Orders'\)"):
        load_record(file)


def test_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    line = one_line_error(cli("promote", FUNCTION, "Stage", "v2", "--file", str(tmp_path / "nope.json")))
    assert "cannot read the release file: No such file or directory" in line


# --------------------------------------------------------------------------------- atomic writes


def test_save_keeps_permissions_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    file = tmp_path / "releases.json"
    write(file, GOOD)
    file.chmod(0o664)
    result = cli("promote", FUNCTION, "Stage", "v2", "--file", str(file))
    assert result.returncode == 0, result.stderr
    assert json.loads(file.read_text())["functions"][FUNCTION]["aliases"]["Stage"] == {
        "release": "v2",
        "history": ["v1"],
    }
    assert file.stat().st_mode & 0o777 == 0o664
    assert sorted(p.name for p in tmp_path.iterdir()) == [".releases.json.lock", "releases.json"]


def _fail_on(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage.os, name, boom)


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_simulated_enospc_leaves_file_byte_for_byte_unchanged(
    failing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIMULATED full disk: os.write / os.fsync / os.replace raise ENOSPC in this process."""
    file = tmp_path / "releases.json"
    before = write(file, GOOD)
    record = load_record(file)
    record.functions[FUNCTION].aliases["Stage"].release = "v2"
    _fail_on(monkeypatch, failing)
    with pytest.raises(
        ValueError, match=r"cannot write the release file: No space left on device; the file is unchanged"
    ):
        record.save(file)
    monkeypatch.undo()
    assert file.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["releases.json"]  # the temporary file was removed


def _namespace_available() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


NAMESPACE = pytest.mark.skipif(not _namespace_available(), reason="needs root and `unshare -m` to mount a tmpfs")


def _in_tmpfs(tmp_path: Path, setup: str, size: str, *argv: str) -> tuple[subprocess.CompletedProcess[str], bytes]:
    """Run the CLI on ``releases.json`` inside a tmpfs of ``size`` mounted in a private namespace.

    ``setup`` is shell run after the file was copied in (e.g. fill the disk, remount read-only); the
    file's bytes afterwards are copied out to ``tmp_path/after``.
    """
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    source = tmp_path / "releases.json"
    command = " ".join([sys.executable, "-m", "lambda_constructs", *argv, "--file", f"{mnt}/releases.json"])
    script = textwrap.dedent(f"""\
        set -e
        mount -t tmpfs -o size={size} tmpfs {mnt}
        cp {source} {mnt}/releases.json
        {setup}
        set +e
        {command} 2>{tmp_path}/err >{tmp_path}/out
        echo $? > {tmp_path}/rc
        cp {mnt}/releases.json {tmp_path}/after
        ls -a {mnt} > {tmp_path}/listing
        """)
    run = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = subprocess.CompletedProcess(
        argv, int((tmp_path / "rc").read_text()), (tmp_path / "out").read_text(), (tmp_path / "err").read_text()
    )
    return result, (tmp_path / "after").read_bytes()


@NAMESPACE
def test_real_full_disk_leaves_file_unchanged(tmp_path: Path) -> None:
    """A real tmpfs of 1 MiB holding a ~0.6 MiB release file, then filled up: the rewrite cannot fit."""
    functions = {f"Svc/Fn{i}": entry(3) for i in range(600)}
    before = write(tmp_path / "releases.json", functions)
    assert len(before) > 500_000
    fill = f"dd if=/dev/zero of={tmp_path}/mnt/filler bs=4k count=1000 2>/dev/null || true"
    result, after = _in_tmpfs(tmp_path, fill, "1m", "promote", "Svc/Fn7", "Stage", "v2")
    line = one_line_error(result)
    assert "No space left on device" in line and "the file is unchanged" in line
    assert after == before
    assert ".releases.json." not in (tmp_path / "listing").read_text().replace(".releases.json.lock", "")


@NAMESPACE
def test_real_read_only_folder_leaves_file_unchanged(tmp_path: Path) -> None:
    before = write(tmp_path / "releases.json", GOOD)
    result, after = _in_tmpfs(tmp_path, f"mount -o remount,ro {tmp_path}/mnt", "1m", "promote", FUNCTION, "Stage", "v2")
    line = one_line_error(result)
    assert "Read-only file system" in line
    assert after == before


@NAMESPACE
def test_status_reads_a_read_only_folder(tmp_path: Path) -> None:
    write(tmp_path / "releases.json", GOOD)
    result, _ = _in_tmpfs(tmp_path, f"mount -o remount,ro {tmp_path}/mnt", "1m", "status")
    assert result.returncode == 0, result.stderr
    assert "Svc/Orders" in result.stdout


# ------------------------------------------------------------------------------------ kill -9

WRITER = """
import sys
from pathlib import Path
from lambda_constructs.releases.storage import atomic_write
path = Path(sys.argv[1]); a = Path(sys.argv[2]).read_bytes(); b = Path(sys.argv[3]).read_bytes()
print("ready", flush=True)
while True:
    atomic_write(path, b)
    atomic_write(path, a)
"""


@pytest.mark.slow
def test_kill_9_mid_write_leaves_old_or_new_content(tmp_path: Path) -> None:
    """A subprocess rewrites a ~3.5 MB file in a loop; SIGKILL at 8 moments: the file is always A or B,
    and at least one kill provably landed mid-write (its temporary file is left behind, and the next
    command removes it)."""
    file = tmp_path / "releases.json"
    a = write(tmp_path / "a.json", {f"Svc/Fn{i}": entry(3) for i in range(4000)})
    b = write(tmp_path / "b.json", {f"Svc/Fn{i}": entry(4) for i in range(4000)})
    assert len(a) > 3_000_000 and len(b) > len(a)
    file.write_bytes(a)
    interrupted = 0
    for attempt in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(file), str(tmp_path / "a.json"), str(tmp_path / "b.json")],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(0.03 + 0.029 * attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        data = file.read_bytes()
        assert data in (a, b), f"attempt {attempt}: {len(data)} bytes, neither old nor new"
        # A writer killed between creating its temporary file and os.replace (writing or fsync-ing)
        # leaves that file behind; the release file itself is untouched.
        interrupted += len(list(tmp_path.glob(".releases.json.*.tmp")))
    assert interrupted >= 1
    # The next command (holding the lock) removes what killed writers left behind.
    assert main(["promote", "Svc/Fn0", "Prod", "v2", "--file", str(file)]) == 0
    assert not list(tmp_path.glob(".releases.json.*.tmp"))
    assert json.loads(file.read_text())["functions"]["Svc/Fn0"]["aliases"]["Prod"]["release"] == "v2"


# -------------------------------------------------------------------------------- concurrency


@pytest.mark.slow
def test_twenty_concurrent_commands_keep_every_change(tmp_path: Path) -> None:
    """20 CLI processes at once on one file: 10 promote their own function, 10 mark-published theirs.
    Every change is kept (the lock serialises them; none is lost)."""
    file = tmp_path / "releases.json"
    functions = {f"Svc/P{i}": entry(2) for i in range(10)}
    for i in range(10):
        functions[f"Svc/M{i}"] = {**entry(2), "releases": [rel("v1"), rel("v2", FP2, published=False)]}
    write(file, functions)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "lambda_constructs", *argv, "--file", str(file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(10)
        for argv in (["promote", f"Svc/P{i}", "Prod", "v2"], ["mark-published", f"Svc/M{i}"])
    ]
    results = [
        (p.wait(timeout=120), p.stdout.read() if p.stdout else "", p.stderr.read() if p.stderr else "") for p in procs
    ]
    assert all(rc == 0 for rc, _, _ in results), results
    data = json.loads(file.read_text())["functions"]
    assert all(data[f"Svc/P{i}"]["aliases"]["Prod"] == {"release": "v2", "history": ["v1"]} for i in range(10))
    assert all(data[f"Svc/M{i}"]["releases"][1]["published"] is True for i in range(10))


def _promote_in_fork(file: str, queue: Any) -> None:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["promote", FUNCTION, "Prod", "v2", "--file", file])
    queue.put((code, err.getvalue()))


def test_twenty_concurrent_conflicting_promotes_one_wins_the_rest_refused(tmp_path: Path) -> None:
    """20 forked processes run the CLI's `promote` of the same alias at once (fork: no interpreter
    start-up; each opens its own lock, as separate commands do): exactly one succeeds, 19 are refused
    with "already points to v2"; history records one move."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    file = tmp_path / "releases.json"
    write(file, GOOD)
    procs = [context.Process(target=_promote_in_fork, args=(str(file), queue)) for _ in range(20)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    assert sorted(rc for rc, _ in results) == [0] + [2] * 19
    assert all("already points to v2" in err and err.count("\n") == 1 for rc, err in results if rc == 2)
    assert json.loads(file.read_text())["functions"][FUNCTION]["aliases"]["Prod"] == {
        "release": "v2",
        "history": ["v1"],
    }


def test_edit_without_the_lock_is_detected_before_replacing(tmp_path: Path) -> None:
    """A change made behind the lock's back (an editor) between read and write is not overwritten."""
    file = tmp_path / "releases.json"
    write(file, GOOD)
    record = load_record(file)
    assert record.digest is not None
    edited = write(file, {**GOOD, "Svc/Other": entry(1)})
    with pytest.raises(ValueError, match="changed while this command ran"):
        storage.replace_checked(file, record.digest, ReleaseRecord(source=str(file)).dumps().encode())
    assert file.read_bytes() == edited


def test_lock_timeout_refuses_clearly(tmp_path: Path) -> None:
    file = tmp_path / "releases.json"
    write(file, GOOD)
    with (
        storage.locked(file),
        pytest.raises(ValueError, match="another command has held the lock"),
        storage.locked(file, timeout_s=0.2),
    ):
        pass
