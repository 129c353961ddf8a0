"""The subcommands besides ``list``: ``config`` (and, as they land, ``export`` and ``cache``).

Each is a ``(parser, handler)`` pair that :mod:`paper_tui.cli` dispatches to.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TextIO

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", help="keep the library, config and cache in DIR")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")


def config_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paper-tui config", description="Where paper-tui keeps its files.")
    parser.add_argument("--path", action="store_true", help="print the config file's path")
    _common(parser)
    return parser


def cmd_config(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from paper_tui import paths

    if args.path:
        out.write(f"{paths.config_path()}\n")
        return 0
    out.write(f"config:  {paths.config_path()}\n")
    out.write(f"library: {paths.library_path()}\n")
    out.write(f"state:   {paths.state_path()}\n")
    out.write(f"cache:   {paths.cache_dir()}\n")
    return 0


def _export() -> tuple[argparse.ArgumentParser, Handler]:
    from paper_tui.export_cli import cmd_export, export_parser

    return export_parser(), cmd_export


def _cache() -> tuple[argparse.ArgumentParser, Handler]:
    from paper_tui.cache_command import cache_parser, cmd_cache

    return cache_parser(), cmd_cache


SUBCOMMANDS: dict[str, Callable[[], tuple[argparse.ArgumentParser, Handler]]] = {
    "config": lambda: (config_parser(), cmd_config),
    "export": _export,
    "cache": _cache,
}


def subcommand(name: str) -> tuple[argparse.ArgumentParser, Handler]:
    """The parser and handler of subcommand ``name``."""
    factory = SUBCOMMANDS.get(name)
    if factory is None:
        parser = argparse.ArgumentParser(prog=f"paper-tui {name}")
        parser.error(f"the {name!r} command is not available in this version")
    return factory()
