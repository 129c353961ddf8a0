"""Helpers for the hardening tests: run ``paper-tui`` in a child process and measure it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

#: Runs the CLI in process after a warm-up load (so imports are not counted), then
#: reports the exit status, stderr and how much the peak resident memory grew.
_PROBE = r"""
import io, json, resource, sys
from paper_tui.cli import main
from paper_tui.paths import sample_path

def read_bytes():
    with open("/proc/self/io") as handle:
        return int(dict(line.split(": ") for line in handle.read().splitlines())["rchar"])

main(["list", str(sample_path())], out=io.StringIO(), err=io.StringIO())
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
read_before = read_bytes()
out, err = io.StringIO(), io.StringIO()
status = main(sys.argv[1:], out=out, err=err)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # parallel parse workers
print(json.dumps({"status": status, "err": err.getvalue(), "out_lines": out.getvalue().count("\n"),
                  "out_head": out.getvalue()[:2000], "growth_mb": max(peak - base, children) / 1024,
                  "read_mb": (read_bytes() - read_before) / 2**20}))
"""


@dataclass
class Probe:
    status: int
    err: str
    out_lines: int
    out_head: str
    #: Peak resident memory above the warmed-up interpreter's (or a worker's peak).
    growth_mb: float
    #: Bytes read through system calls while running, in MiB.
    read_mb: float


def probe(*argv: str, timeout: float = 120) -> Probe:
    """``paper-tui ARGV`` in a fresh interpreter; a hang fails the test through ``timeout``
    (generous: the machine is slow and shared, the point is "never hangs")."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Probe(**data)


def one_line_error(err: str, name: str) -> str:
    """Check ``err`` is one line naming the file, without a traceback; return it."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert name in lines[0], err
    assert "Traceback" not in err
    return lines[0]
