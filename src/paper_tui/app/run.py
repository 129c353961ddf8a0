"""Start the app from parsed command-line arguments."""

from __future__ import annotations

import argparse


def run_app(args: argparse.Namespace) -> int:
    """Load the files, run the app, return the exit status."""
    import sys

    from paper_tui.app.app import PaperApp
    from paper_tui.cli import load_corpus

    corpus, _ = load_corpus(args.files, args.input_format, sys.stderr)
    app = PaperApp(corpus, query=args.query or "")
    app.run()
    return int(app.return_code or 0)
