"""The user's config file, ``config.toml``: read, checked, never fatal.

Plain Python (no Textual) so it is testable alone.  A broken file gives the
defaults plus messages the app shows at start; a wrong setting is reported by
name and the rest of the file still applies.

```toml
theme = "nord"                  # any Textual theme; the palette's choice persists over it
files = ["~/papers/daily.json"] # opened when paper-tui is run without FILE
open_marks_read = true          # o / p mark the paper read
[keys]                          # binding id = key(s); see the help screen (?) for ids
"list.down" = "j,down,ctrl+n"
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Config:
    """Settings from ``config.toml``; the defaults when there is none."""

    #: A Textual theme name, or None for the app's default.
    theme: str | None = None
    #: Binding id -> comma-separated keys, handed to ``App.set_keymap``.
    keys: dict[str, str] = field(default_factory=dict)
    #: Files opened when none are given on the command line.
    files: tuple[str, ...] = ()
    #: Whether opening a paper's page or PDF marks it read in the library.
    open_marks_read: bool = True


_SWITCHES = ("open_marks_read",)
_KNOWN = {"theme", "keys", "files", *_SWITCHES}


def load_config(path: Path | None = None) -> tuple[Config, list[str]]:
    """Read the config at ``path`` (default: :func:`paper_tui.paths.config_path`).

    Returns the config and the problems found, each one line naming the file.
    A missing file is no problem.
    """
    if path is None:
        from paper_tui.paths import config_path

        path = config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(), []
    except OSError as error:
        return Config(), [f"{path}: cannot read the config ({error.strerror}); using defaults"]
    try:
        data = tomllib.loads(raw.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError as error:
        return Config(), [f"{path}: not valid TOML ({error}); using defaults"]
    return parse_config(data, str(path))


def parse_config(data: dict[str, Any], where: str = "config.toml") -> tuple[Config, list[str]]:
    """Check the settings in ``data``; wrong ones are reported and skipped."""
    problems: list[str] = []
    for name in sorted(set(data) - _KNOWN):
        problems.append(f"{where}: unknown setting {name!r} (ignored)")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        problems.append(f'{where}: theme must be a string, like "nord" (ignored)')
        theme = None
    files: tuple[str, ...] = ()
    raw_files = data.get("files", [])
    if isinstance(raw_files, str):
        raw_files = [raw_files]
    if isinstance(raw_files, list) and all(isinstance(f, str) for f in raw_files):
        files = tuple(str(Path(f).expanduser()) for f in raw_files)
    else:
        problems.append(f"{where}: files must be a list of paths (ignored)")
    keys: dict[str, str] = {}
    raw_keys = data.get("keys", {})
    if isinstance(raw_keys, dict):
        for binding_id, key in raw_keys.items():
            if isinstance(key, list) and all(isinstance(k, str) for k in key):
                key = ",".join(key)
            if isinstance(key, str) and key.strip():
                keys[binding_id] = ",".join(k.strip() for k in key.split(",") if k.strip())
            else:
                problems.append(f'{where}: [keys] {binding_id} must be a key like "ctrl+n" (ignored)')
    else:
        problems.append(f"{where}: [keys] must be a table of binding id = key (ignored)")
    switches: dict[str, bool] = {}
    for name in _SWITCHES:
        if name in data:
            if isinstance(data[name], bool):
                switches[name] = data[name]
            else:
                problems.append(f"{where}: {name} must be true or false (ignored)")
    config = Config(theme=theme or None, keys=keys, files=files, **switches)
    return config, problems
