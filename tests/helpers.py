"""Small helpers shared by tests."""

from __future__ import annotations

import io

from paper_tui.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run ``paper-tui ARGV`` in process; return (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()
