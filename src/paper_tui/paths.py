"""Where user data, config and cache live.

platformdirs by default; ``PAPER_TUI_DATA_DIR`` (or ``--data-dir``, which sets it)
puts all three under one folder: ``data/``'s files at its top, ``config.toml``
beside them, and the cache in ``cache/``.  Directories are created on first
write (:func:`ensure_dir`), never by a read-only command.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "paper-tui"
ENV_DATA_DIR = "PAPER_TUI_DATA_DIR"


def _override() -> Path | None:
    value = os.environ.get(ENV_DATA_DIR, "").strip()
    return Path(value).expanduser() if value else None


def set_data_dir(path: str | os.PathLike[str]) -> None:
    """The ``--data-dir`` option: everything lives under ``path`` from now on."""
    os.environ[ENV_DATA_DIR] = str(Path(path).expanduser().absolute())


def data_dir() -> Path:
    """The user's library and per-file state."""
    override = _override()
    if override is not None:
        return override
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    override = _override()
    if override is not None:
        return override
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    override = _override()
    if override is not None:
        return override / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def library_path() -> Path:
    return data_dir() / "library.toml"


def state_path() -> Path:
    """Per-file positions and queries, remembered between launches."""
    return data_dir() / "state.toml"


def config_path() -> Path:
    return config_dir() / "config.toml"


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing; return it."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def sample_path() -> Path:
    """The bundled sample, a saved Hugging Face papers page."""
    return Path(__file__).parent / "data" / "sample_hf_papers.txt"
