"""The library never loses a decision: broken files, failed writes, a held lock, newer schemas."""

from __future__ import annotations

import errno
import fcntl
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from paper_tui.library import Library, store
from paper_tui.library import files as library_files
from paper_tui.model import Paper, Source, make_paper


def paper(n: int) -> Paper:
    return make_paper(title=f"Paper number {n}", arxiv_id=f"2401.{n:05d}", source=Source("t", n))


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "library.toml"
    path.parent.mkdir()
    return path


def broken_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob("library.toml.broken-*"))


def temp_files(path: Path) -> list[Path]:
    return [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


# -- broken files ----------------------------------------------------------------------


def test_corrupt_file_is_moved_aside_and_the_backup_used(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1)])
    lib.toggle_bookmark([paper(2)])  # the backup now holds paper 1 only
    garbage = b'schema = 1\n[papers."arxiv:2401.00001"\nstate = "read\n\x00\xff'
    lib_path.write_bytes(garbage)

    again = Library.open(lib_path)
    (aside,) = broken_copies(lib_path)
    assert aside.read_bytes() == garbage  # kept byte for byte
    (notice,) = again.notices
    assert str(aside) in notice and "backup" in notice
    assert again.is_bookmarked(paper(1).id) and not again.is_bookmarked(paper(2).id)
    # The library file is whole again (written from the backup), never over the broken one.
    assert tomllib.loads(lib_path.read_text())["papers"].keys() == {paper(1).id}


def test_corrupt_file_without_backup_starts_empty(lib_path: Path) -> None:
    lib_path.write_text("this is [not toml")
    lib = Library.open(lib_path)
    assert len(lib) == 0
    (aside,) = broken_copies(lib_path)
    assert aside.read_text() == "this is [not toml"
    assert "started empty" in lib.notices[0] and str(aside) in lib.notices[0]
    assert not lib_path.exists()
    lib.toggle_bookmark([paper(1)])
    assert Library.open(lib_path).is_bookmarked(paper(1).id)
    assert aside.read_text() == "this is [not toml"


def test_read_only_open_leaves_a_corrupt_file_where_it_is(lib_path: Path) -> None:
    lib_path.write_text("[[[")
    lib = Library.open(lib_path, read_only=True)
    assert broken_copies(lib_path) == []
    assert lib_path.read_text() == "[[["
    assert "left as it is" in lib.notices[0]


def test_file_broken_while_running_is_moved_aside_on_the_next_save(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1)])
    lib_path.write_text("oops = ")  # a hand edit gone wrong while the app runs
    lib.toggle_bookmark([paper(2)])
    (aside,) = broken_copies(lib_path)
    assert aside.read_text() == "oops = "
    assert any(str(aside) in n for n in lib.notices)
    again = Library.open(lib_path)
    assert again.is_bookmarked(paper(1).id) and again.is_bookmarked(paper(2).id)


def test_bad_fields_are_reported_and_the_original_copied_aside(lib_path: Path) -> None:
    text = (
        "schema = 1\n"
        '[papers."a"]\nstate = "done"\nbookmarked = true\n'
        '[papers."b"]\nstate = "read"\ntags = "not-a-list"\nnote = "kept"\n'
    )
    lib_path.write_text(text)
    lib = Library.open(lib_path)
    (aside,) = broken_copies(lib_path)
    assert aside.read_text() == text
    assert "state = 'done'" in lib.notices[0]
    assert lib.is_bookmarked("a") and lib.state("a") == "unread"
    assert lib.state("b") == "read" and lib.note("b") == "kept"
    assert Library.open(lib_path).notices == []  # the readable part was written back


def test_unknown_fields_are_kept(lib_path: Path) -> None:
    lib_path.write_text('schema = 1\ntheme = "dark"\n[papers."a"]\nbookmarked = true\nrating = 5\n')
    lib = Library.open(lib_path)
    lib.set_state([make_paper(title="A", source=Source("t"))], "read")
    data = tomllib.loads(lib_path.read_text())
    assert data["theme"] == "dark" and data["papers"]["a"]["rating"] == 5


def test_newer_schema_is_shown_but_never_overwritten(lib_path: Path) -> None:
    text = 'schema = 99\n[papers."arxiv:2401.00001"]\nbookmarked = true\nfancy = { x = 1 }\n'
    lib_path.write_text(text)
    lib = Library.open(lib_path)
    assert lib.is_bookmarked(paper(1).id)
    assert "newer" in lib.notices[0]
    said = lib.toggle_bookmark([paper(2)])
    assert "NOT SAVED" in said and lib.pending
    assert lib_path.read_text() == text
    assert broken_copies(lib_path) == []


# -- failed writes -----------------------------------------------------------------------


def fail_with(code: int) -> Any:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


def test_full_disk_keeps_the_change_pending_and_retries(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1)])
    before = lib_path.read_bytes()

    with monkeypatch.context() as patch:
        patch.setattr(library_files.os, "replace", fail_with(errno.ENOSPC))
        said = lib.toggle_bookmark([paper(2)])
        assert "NOT SAVED" in said and "No space left on device" in said
        assert lib.pending
        assert lib.is_bookmarked(paper(2).id)  # still there in memory
        assert any("could not save" in n and "1 change kept in memory" in n for n in lib.notices)
        assert lib_path.read_bytes() == before
        assert temp_files(lib_path) == []
        said = lib.set_note(paper(3), "also pending")
        assert "NOT SAVED" in said
        assert lib.retry() is False
        assert sum("could not save" in n for n in lib.notices) == 1  # told once, not at every retry

    assert lib.retry() is True
    assert not lib.pending
    assert "saved again" in lib.notices[-1]
    again = Library.open(lib_path)
    assert again.is_bookmarked(paper(1).id) and again.is_bookmarked(paper(2).id)
    assert again.note(paper(3).id) == "also pending"


def test_pending_change_is_retried_by_the_next_change(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library.open(lib_path)
    with monkeypatch.context() as patch:
        patch.setattr(library_files.os, "fsync", fail_with(errno.EIO))
        lib.toggle_bookmark([paper(1)])
        assert lib.pending and not lib_path.exists()
    assert lib.toggle_bookmark([paper(2)]) == "bookmarked 1 paper"
    again = Library.open(lib_path)
    assert again.is_bookmarked(paper(1).id) and again.is_bookmarked(paper(2).id)


def test_read_only_directory(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, where chmod does not stop writes: inject what a read-only dir does.
    lib = Library.open(lib_path)
    with monkeypatch.context() as patch:
        patch.setattr(library_files.os, "open", fail_with(errno.EROFS))
        said = lib.set_state([paper(1)], "read")
    assert "Read-only file system" in said and lib.pending
    lib.undo()  # undo while pending is kept too; and then everything is written
    assert not lib.pending
    assert Library.open(lib_path).state(paper(1).id) == "unread"


class _HalfWriter:
    """A file whose write stores half of the bytes, then fails like a full disk."""

    def __init__(self, path: Path) -> None:
        self._stream = open(path, "wb")  # noqa: SIM115 - closed in __exit__

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()

    def write(self, data: bytes) -> int:
        self._stream.write(data[: len(data) // 2])
        self._stream.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_write_failing_half_way_leaves_the_library_intact(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library.open(lib_path)
    lib.set_note(paper(1), "x" * 5000)
    good = lib_path.read_bytes()
    with monkeypatch.context() as patch:
        patch.setattr(library_files, "open", lambda path, mode: _HalfWriter(path), raising=False)
        lib.set_note(paper(2), "y" * 5000)
        assert lib.pending
    assert lib_path.read_bytes() == good
    assert temp_files(lib_path) == []
    assert Library.open(lib_path).note(paper(1).id) == "x" * 5000
    lib.retry()
    assert Library.open(lib_path).note(paper(2).id) == "y" * 5000


def test_lock_held_by_another_instance(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = Library.open(lib_path)
    monkeypatch.setattr(lib, "lock_timeout", 0.05)
    fd = os.open(lib_path.with_name("library.lock"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        said = lib.toggle_bookmark([paper(1)])
        assert "another paper-tui holds library.lock" in said and lib.pending
    finally:
        os.close(fd)
    assert lib.retry()
    assert Library.open(lib_path).is_bookmarked(paper(1).id)


# -- the files around the library -------------------------------------------------------


def test_backup_is_the_previous_good_file(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1)])
    first = lib_path.read_bytes()
    lib.toggle_bookmark([paper(2)])
    assert lib_path.with_name("library.toml.bak").read_bytes() == first


def test_stale_temporary_files_are_cleaned_under_the_lock(lib_path: Path) -> None:
    stale = lib_path.with_name(".library.toml.12345.999.tmp")
    stale.write_text("half a libr")
    Library.open(lib_path).toggle_bookmark([paper(1)])
    assert not stale.exists()


def test_unreadable_file_is_never_overwritten(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1)])
    good = lib_path.read_bytes()
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == lib_path:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    other = Library.open(lib_path)
    assert "cannot be read" in other.notices[0]
    said = other.toggle_bookmark([paper(2)])
    assert "NOT SAVED" in said
    monkeypatch.undo()
    assert lib_path.read_bytes() == good
    # Readable again: the kept change is merged with what the file holds.
    assert other.retry()
    again = Library.open(lib_path)
    assert again.is_bookmarked(paper(1).id) and again.is_bookmarked(paper(2).id)


def test_broken_file_not_movable_aside_waits(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib_path.write_text("[[[ broken")
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", fail_with(errno.EROFS))
        lib = Library.open(lib_path)
        assert "could not be moved aside" in lib.notices[0]
        assert "NOT SAVED" in lib.toggle_bookmark([paper(1)])
        assert lib_path.read_text() == "[[[ broken"
    assert lib.retry()
    (aside,) = broken_copies(lib_path)
    assert aside.read_text() == "[[[ broken"
    assert Library.open(lib_path).is_bookmarked(paper(1).id)


def test_a_file_repaired_by_another_instance_is_not_moved_aside(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This instance read the file while broken; by the time it takes the lock another
    # instance has moved it aside and written a good one, which must not be taken for broken.
    Library.open(lib_path).toggle_bookmark([paper(1)])
    real_read = store.read_disk
    calls = []

    def read_disk(path: Path) -> store.Disk:
        calls.append(path)
        if len(calls) == 1:
            return store.Disk(raw=b"[[", status="broken", error="not valid TOML")
        return real_read(path)

    monkeypatch.setattr(store, "read_disk", read_disk)
    lib = Library.open(lib_path)
    assert broken_copies(lib_path) == [] and lib.notices == []
    assert lib.is_bookmarked(paper(1).id)


def test_a_symlinked_library_stays_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "library.toml"
    target.parent.mkdir()
    Library.open(target).toggle_bookmark([paper(1)])
    link = tmp_path / "data" / "library.toml"
    link.parent.mkdir()
    link.symlink_to(target)
    Library.open(link).toggle_bookmark([paper(2)])
    assert link.is_symlink()
    again = Library.open(target)
    assert again.is_bookmarked(paper(1).id) and again.is_bookmarked(paper(2).id)


def test_file_permissions_are_kept(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1)])
    lib_path.chmod(0o600)
    lib.toggle_bookmark([paper(2)])
    assert lib_path.stat().st_mode & 0o777 == 0o600


def test_backup_that_already_is_the_library_leaves_no_link_behind(lib_path: Path) -> None:
    # A writer killed between linking the backup and renaming the new file leaves
    # library.toml.bak and library.toml as one file; the next save must not leave a link.
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1)])
    backup = lib_path.with_name("library.toml.bak")
    backup.unlink(missing_ok=True)
    os.link(lib_path, backup)
    lib.toggle_bookmark([paper(2)])
    assert temp_files(lib_path) == []
    assert "arxiv:2401.00002" not in backup.read_text() and "arxiv:2401.00001" in backup.read_text()


def test_library_removed_while_open_is_written_again(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1), paper(2)])
    lib_path.unlink()
    assert lib.disk_changed()
    assert lib.reload() is False and lib.is_bookmarked(paper(1).id)
    assert "was removed" in lib.notices[-1]
    lib.toggle_bookmark([paper(3)])
    again = Library.open(lib_path)
    assert all(again.is_bookmarked(paper(n).id) for n in (1, 2, 3))


def test_library_removed_between_saves_is_written_again(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1)])
    lib_path.unlink()
    lib.set_note(paper(2), "still here")
    again = Library.open(lib_path)
    assert again.is_bookmarked(paper(1).id) and again.note(paper(2).id) == "still here"
    assert "written again from memory" in lib.notices[-1]
