"""What the app remembers between launches, in ``state.toml`` (no Textual here).

Per opened file set: the paper under the cursor and the query.  Globally: the
theme picked from the palette.  Written atomically (temporary file, fsync,
rename) so a crash leaves the old file or the new one, never half of one.

```toml
[ui]
theme = "nord"
config_theme = ""          # the config's theme when this choice was made
[sessions."/home/me/a.jsonl"]
paper = "arxiv:2401.01234"
query = "llm !speech"
seen = 1764110000.0
```
"""

from __future__ import annotations

import os
import tempfile
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Sessions kept; the least recently seen are dropped beyond this.
MAX_SESSIONS = 200

SAMPLE_KEY = "(sample)"
LIBRARY_KEY = "(library)"


def session_key(files: Sequence[str], *, library: bool = False) -> str:
    """A stable name for an opened file set: absolute paths, sorted, joined."""
    if library:
        return LIBRARY_KEY
    if not files:
        return SAMPLE_KEY
    names = sorted({f if f == "-" else str(Path(f).expanduser().absolute()) for f in files})
    return " + ".join(names)


@dataclass(frozen=True)
class Session:
    """Where the user was in one file set."""

    paper: str = ""
    query: str = ""


class StateStore:
    """``state.toml``: sessions and the chosen theme.  Every write re-reads the file
    first, so two instances only overwrite each other's entry for the same files."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from paper_tui.paths import state_path

            path = state_path()
        self.path = path
        self._notices: list[str] = []
        #: Set when a damaged file could not be moved aside: it is then never written over.
        self._stuck = False

    def read(self) -> dict[str, Any]:
        """The whole file; empty when missing or unreadable (state is a convenience,
        never a reason to fail).  A damaged file (not TOML, not UTF-8) is moved aside
        to ``state.toml.broken-<UTC time>`` and reported (:meth:`take_notices`), never
        written over."""
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except OSError:
            return {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            self._set_aside(error)
            return {}
        return data

    def take_notices(self) -> list[str]:
        """What went wrong with the file since last asked (for the screen)."""
        notices, self._notices = self._notices, []
        return notices

    def _set_aside(self, error: Exception) -> None:
        from paper_tui.library.files import quarantine_name

        reason = "not UTF-8" if isinstance(error, UnicodeDecodeError) else f"not TOML: {error}"
        aside = quarantine_name(self.path)
        try:
            os.replace(self.path, aside)
        except OSError as move_error:
            self._stuck = True
            self._notices.append(
                f"{self.path} is damaged ({reason}) and could not be moved aside "
                f"({move_error.strerror or move_error}); it is left as it is, and sessions "
                "and the theme are not remembered this time"
            )
            return
        self._notices.append(
            f"{self.path} was damaged ({reason}); it is kept as {aside.name}, and the "
            "remembered sessions and theme start afresh"
        )

    def session(self, key: str) -> Session:
        entry = self.read().get("sessions", {}).get(key, {})
        if not isinstance(entry, dict):
            return Session()
        paper, query = entry.get("paper", ""), entry.get("query", "")
        return Session(
            paper=paper if isinstance(paper, str) else "", query=query if isinstance(query, str) else ""
        )

    def save_session(self, key: str, session: Session) -> None:
        data = self.read()
        found = data.get("sessions")
        sessions: dict[str, Any] = found if isinstance(found, dict) else {}
        sessions[key] = {"paper": session.paper, "query": session.query, "seen": time.time()}
        if len(sessions) > MAX_SESSIONS:
            by_age = sorted(sessions, key=lambda k: _seen(sessions[k]), reverse=True)
            sessions = {k: sessions[k] for k in by_age[:MAX_SESSIONS]}
        data["sessions"] = sessions
        self._write(data)

    def theme(self, config_theme: str | None) -> str | None:
        """The theme to start with: the palette's last choice, unless the config's
        theme changed since that choice (then the config wins)."""
        ui = self.read().get("ui", {})
        if not isinstance(ui, dict):
            return config_theme
        chosen = ui.get("theme")
        if isinstance(chosen, str) and chosen and ui.get("config_theme", "") == (config_theme or ""):
            return chosen
        return config_theme

    def save_theme(self, theme: str, config_theme: str | None) -> None:
        data = self.read()
        data["ui"] = {"theme": theme, "config_theme": config_theme or ""}
        self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        if self._stuck:
            return  # a damaged file still there: never written over
        import tomli_w

        from paper_tui.paths import ensure_dir

        ensure_dir(self.path.parent)
        text = tomli_w.dumps(data)
        fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _seen(entry: object) -> float:
    value = entry.get("seen", 0.0) if isinstance(entry, dict) else 0.0
    return float(value) if isinstance(value, int | float) else 0.0
