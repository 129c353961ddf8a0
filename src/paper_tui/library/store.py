"""The library: the user's decisions per paper id, saved as TOML at every change.

Safety, in the order things can go wrong:

* every change is written at once: temporary file, fsync, rename, fsync of the
  directory; the file it replaces is kept as ``library.toml.bak``;
* two instances: the write holds ``library.lock`` (flock) while it re-reads the file,
  merges (a paper only the other instance changed takes the other's record; for a
  paper both changed, each decision comes from the one that changed it since this
  instance last read the file, and the newer record's where both did) and writes;
* a file that is not a library (broken TOML) is never overwritten: it is moved to
  ``library.toml.broken-<time>``, the user is told, and the backup (if good) or an empty
  library is used; a readable file with bad fields is copied aside and the rest kept;
* a failed write (read-only directory, full disk, lock held too long) keeps the change
  in memory (``pending``), says so in :attr:`Library.notices`, and is retried on the
  next change or by :meth:`Library.retry`;
* a file of an older schema is read and upgraded (the old file kept as
  ``library.toml.schema<N>``); a newer schema is read but never written over.
"""

from __future__ import annotations

import atexit
import errno
import os
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from paper_tui import paths
from paper_tui.library import snapshot
from paper_tui.library.disk import Disk, merge, read_disk
from paper_tui.library.entry import (
    STATES,
    Decisions,
    Entry,
    normalize_note,
    normalize_tags,
    now_stamp,
    with_added_tags,
)
from paper_tui.library.files import (
    atomic_write,
    file_signature,
    keep_backup,
    locked,
    quarantine_name,
    stale_temps,
)
from paper_tui.library.history import History, Step
from paper_tui.library.schema import SCHEMA, Encoder
from paper_tui.model import Paper, Source


class WriteRefused(OSError):
    """Writing would destroy something: a file this version cannot read safely."""


def _close_at_exit(ref: weakref.ReferenceType[Library]) -> None:
    library = ref()
    if library is not None:
        library.close()


def _count(n: int, word: str = "paper") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _unique(papers: Iterable[Paper]) -> list[Paper]:
    seen: dict[str, Paper] = {}
    for paper in papers:
        seen.setdefault(paper.id, paper)
    return list(seen.values())


class Library:
    """The user's decisions about papers.  Open with :meth:`open`; every change is saved.

    Reads (:meth:`entry`, :meth:`state` ...) are cheap dictionary look-ups.  Changes take
    papers (bulk ones too) and return a short description for a status line; each is one
    undo step.  Safe to call from several threads.
    """

    #: Seconds a write waits for another instance's lock before giving up (and retrying later).
    lock_timeout = 10.0

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        #: Things to tell the user (file moved aside, upgraded, a write failing ...), oldest first.
        self.notices: list[str] = []
        #: Grows on every change, from this instance or merged from another.
        self.version = 0
        #: A change is kept only in memory because the last write failed.
        self.pending = False
        self.history = History()
        self._entries: dict[str, Entry] = {}
        self._dirty: set[str] = set()
        self._other: dict[str, Any] = {}
        self._signature: tuple[int, int, int] | None = None
        # The file's bytes as this instance last read or wrote them, and its records then:
        # while the file still holds these bytes, a save need not parse it again.
        self._synced: bytes | None = None
        self._base: dict[str, Entry] = {}
        #: Whether ``_base`` is what the file held when this instance last read or wrote
        #: it (an absent file holds nothing): then a merge is decision by decision.
        self._base_known = False
        self._encoder = Encoder()
        self._snapshotted: bytes | None = None  # the bytes whose parse is cached
        # Fixed now: at exit the environment (PAPER_TUI_DATA_DIR in tests) may differ.
        self._snapshot_file = snapshot.snapshot_path(path)
        atexit.register(_close_at_exit, weakref.ref(self))
        self._refusal = ""  # why this file must never be written (a newer schema)
        self._failure = ""  # the reason of the last failed write, while pending
        self._kept_aside: set[bytes] = set()
        self._mutex = threading.RLock()
        #: Held for a whole write.  Saving at each change: the mutex itself (one lock, so
        #: no order to get wrong); background saves: a lock of its own, taken before the mutex.
        self._write_lock: threading.RLock | Any = self._mutex
        self._writer: _Writer | None = None
        self._written_callback: Callable[[], object] | None = None
        #: The :attr:`version` the last successful write included: every change made up to
        #: it is on disk (with background saves, the changes after it may not be yet).
        self.saved_version = 0

    # -- opening -------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None, *, read_only: bool = False) -> Library:
        """The library at ``path`` (default :func:`paper_tui.paths.library_path`).

        Never raises on a broken, unreadable or newer file: what happened is in
        :attr:`notices`.  ``read_only`` (for commands such as ``export``) never writes,
        not even to move a broken file aside.
        """
        where = Path(path) if path is not None else paths.library_path()
        if where.is_symlink():  # a library kept elsewhere (dotfiles, a synced folder): write there
            where = where.resolve()
        library = cls(where, read_only=read_only)
        with library._mutex:
            library._load()
        return library

    @property
    def backup_path(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".lock")

    def _load(self) -> None:
        if self._load_snapshot():
            return
        disk = read_disk(self.path)
        self._signature = file_signature(self.path)
        if disk.status == "missing":
            self._base_known = True  # nothing recorded yet
            return
        if disk.status == "unreadable":
            # Saves keep failing (and changes stay in memory) until it can be read and merged.
            source = self._start_from_backup()
            self._notice(
                f"the library file {self.path} cannot be read ({disk.error}); {source}; "
                "changes are kept in memory until it can be read"
            )
            return
        if disk.status == "newer":
            self._refusal = f"{self.path} was {disk.error}"
            self._notice(f"{self._refusal}; it is shown but not changed: changes are kept in memory only")
            self._entries, self._other = disk.entries, disk.other
            return
        if disk.status == "broken":
            self._recover_broken(disk)
            return
        self._entries, self._other = disk.entries, disk.other
        self._remember(disk)
        self._save_snapshot()
        if disk.problems:
            self._dirty = set(self._entries)  # write the readable part back at once
            try:
                self._keep_aside_copy(disk)
            except OSError as error:
                self._write_failed(error)
            else:
                self._save()
        elif disk.schema < SCHEMA:
            self._upgrade(disk)

    def _load_snapshot(self) -> bool:
        """Open from the cached parse of the file's exact bytes, if there is one."""
        try:
            raw = self.path.read_bytes()
        except OSError:
            return False
        cached = snapshot.load(self._snapshot_file, raw)
        if cached is None:
            return False
        self._entries, self._other = cached, {}
        self._synced, self._base, self._snapshotted = raw, dict(cached), raw
        self._base_known = True
        self._signature = file_signature(self.path)
        return True

    def _save_snapshot(self) -> None:
        if self.read_only or self._synced is None or self._synced is self._snapshotted:
            return
        if snapshot.cacheable(self._base, self._other):
            snapshot.save(self._snapshot_file, self._synced, self._base)
            self._snapshotted = self._synced

    def close(self) -> None:
        """Write what a background save has not yet, and cache the parsed library for a
        fast next start (also done at exit)."""
        if self._writer is not None:
            self.stop_background_saves()
        with self._mutex:
            self._save_snapshot()

    def _recover_broken(self, disk: Disk) -> None:
        what = f"the library file {self.path} is broken ({disk.error})"
        if self.read_only:
            self._notice(f"{what}; it was left as it is")
            self._start_from_backup()
            return
        try:
            # Under the lock, and only if the file still holds the broken bytes: another
            # instance may have moved it aside and written a good one since it was read.
            with locked(self.lock_path, self.lock_timeout):
                again = read_disk(self.path)
                if again.status == "ok":
                    self._entries, self._other = again.entries, again.other
                    self._remember(again)
                    self._signature = file_signature(self.path)
                    return
                aside = None
                if again.status == "broken" and again.raw == disk.raw:
                    aside = quarantine_name(self.path)
                    os.replace(self.path, aside)
        except OSError as error:
            # Saves try again to move it aside, and keep changes in memory until they can.
            source = self._start_from_backup()
            self._notice(
                f"{what} and could not be moved aside ({error.strerror or error}); {source}; "
                "changes are kept in memory until it can be"
            )
            return
        if aside is None:  # changed again meanwhile (missing, or broken differently): start over
            self._load()
            return
        source = self._start_from_backup()
        self._notice(f"{what}; it was moved to {aside}, and {source}")
        self._signature = None
        if self._entries:
            self._dirty = set(self._entries)
            self._save()

    def _start_from_backup(self) -> str:
        """Use the backup's records if it is good; say which start was made."""
        backup = read_disk(self.backup_path)
        if backup.status == "ok" and backup.entries:
            self._entries, self._other = backup.entries, backup.other
            return (
                f"the library was started from the backup {self.backup_path} ({_count(len(backup.entries))})"
            )
        return "the library was started empty (no good backup)"

    def _keep_aside_copy(self, disk: Disk) -> None:
        """Copy a readable file with bad fields aside (once per content) before it is
        rewritten; raises OSError when the copy cannot be made (then nothing is rewritten)."""
        if disk.raw is None or disk.raw in self._kept_aside or self.read_only:
            return
        aside = quarantine_name(self.path)
        shown = "; ".join(disk.problems[:3]) + (" ..." if len(disk.problems) > 3 else "")
        try:
            atomic_write(aside, disk.raw)
        except OSError as error:
            raise OSError(
                error.errno,
                f"{self.path} has bad fields ({shown}) and no copy of it could be kept ({error.strerror})",
            ) from None
        self._kept_aside.add(disk.raw)
        self._notice(
            f"the library file {self.path} had bad fields ({shown}); the original was copied to {aside}"
        )

    def _upgrade(self, disk: Disk) -> None:
        if self.read_only or disk.raw is None:
            return
        keep = self.path.with_name(f"{self.path.name}.schema{disk.schema}")
        if keep.exists():
            keep = quarantine_name(keep)
        try:
            atomic_write(keep, disk.raw)
        except OSError as error:
            self._notice(f"the library could not be upgraded from schema {disk.schema}: {error.strerror}")
            return
        self._dirty = set(self._entries)
        if self._save():
            self._notice(
                f"the library was upgraded from schema {disk.schema} to {SCHEMA}; the old file is {keep}"
            )

    # -- reading -------------------------------------------------------------------

    def entry(self, pid: str) -> Entry:
        """The record of paper ``pid`` (a default one if the user decided nothing)."""
        return self._entries.get(pid) or Entry(pid)

    def state(self, pid: str) -> str:
        entry = self._entries.get(pid)
        return entry.state if entry else STATES[0]

    def is_bookmarked(self, pid: str) -> bool:
        entry = self._entries.get(pid)
        return entry.bookmarked if entry else False

    def tags(self, pid: str) -> tuple[str, ...]:
        entry = self._entries.get(pid)
        return entry.tags if entry else ()

    def note(self, pid: str) -> str:
        entry = self._entries.get(pid)
        return entry.note if entry else ""

    def has_note(self, pid: str) -> bool:
        return bool(self.note(pid))

    def ids(self) -> list[str]:
        """Ids of the papers with a record (search asks only about these)."""
        return [pid for pid, e in self._entries.items() if not e.is_default]

    def entries(self) -> list[Entry]:
        """Every record with a decision, most recently changed first."""
        records = [e for e in self._entries.values() if not e.is_default]
        return sorted(records, key=lambda e: e.updated, reverse=True)

    def papers(self) -> list[Paper]:
        """The records as papers from their stored fields, most recently changed first
        (the reading list that ``paper-tui --library`` opens)."""
        source = Source(str(self.path))
        return [entry.to_paper(source) for entry in self.entries()]

    def all_tags(self) -> list[str]:
        """Tags in use, most used first (then alphabetically), for completion."""
        counts = Counter(tag for e in self._entries.values() if not e.is_default for tag in e.tags)
        return sorted(counts, key=lambda tag: (-counts[tag], tag.casefold()))

    def __bool__(self) -> bool:
        # An open library is always something, even when empty: `if library:` must not
        # count its records (len() below does, and would make such checks slow).
        return True

    def __len__(self) -> int:
        return sum(1 for e in self._entries.values() if not e.is_default)

    def __contains__(self, pid: object) -> bool:
        entry = self._entries.get(pid) if isinstance(pid, str) else None
        return entry is not None and not entry.is_default

    @property
    def can_undo(self) -> bool:
        return self.history.can_undo

    @property
    def can_redo(self) -> bool:
        return self.history.can_redo

    def take_notices(self) -> list[str]:
        """The notices not yet shown, emptying :attr:`notices`."""
        with self._mutex:
            taken, self.notices = self.notices, []
        return taken

    # -- changing ------------------------------------------------------------------

    def toggle_bookmark(self, papers: Sequence[Paper]) -> str:
        """Bookmark the papers, or remove their bookmarks when all of them have one."""
        papers = _unique(papers)
        on = not all(self.is_bookmarked(p.id) for p in papers)
        if on:
            return self._change(
                papers, lambda e: e.decide(bookmarked=True), lambda n: f"bookmarked {_count(n)}"
            )
        return self._change(
            papers,
            lambda e: e.decide(bookmarked=False),
            lambda n: f"removed the bookmark from {_count(n)}",
        )

    def set_bookmark(self, papers: Sequence[Paper], bookmarked: bool) -> str:
        verb = "bookmarked" if bookmarked else "removed the bookmark from"
        return self._change(
            papers, lambda e: e.decide(bookmarked=bookmarked), lambda n: f"{verb} {_count(n)}"
        )

    def set_state(self, papers: Sequence[Paper], state: str) -> str:
        """Set the triage state (one of :data:`STATES`) of every paper."""
        if state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}, not {state!r}")
        if state == "skipped":
            describe: Callable[[int], str] = lambda n: f"skipped {_count(n)}"  # noqa: E731
        else:
            describe = lambda n: f"marked {_count(n)} {state}"  # noqa: E731
        return self._change(papers, lambda e: e.decide(state=state), describe)

    def toggle_read(self, papers: Sequence[Paper]) -> str:
        """Mark the papers read, or unread when all of them are read already."""
        papers = _unique(papers)
        every_read = bool(papers) and all(self.state(p.id) == "read" for p in papers)
        return self.set_state(papers, "unread" if every_read else "read")

    def set_tags(self, papers: Sequence[Paper], tags: Sequence[str]) -> str:
        """Replace the tags of every paper (see :func:`~paper_tui.library.entry.normalize_tags`)."""
        clean = normalize_tags(tags)
        if clean:
            describe: Callable[[int], str] = lambda n: f"tagged {_count(n)}: {', '.join(clean)}"  # noqa: E731
        else:
            describe = lambda n: f"removed the tags of {_count(n)}"  # noqa: E731
        return self._change(papers, lambda e: e.decide(tags=clean), describe)

    def add_tags(self, papers: Sequence[Paper], tags: Sequence[str]) -> str:
        """Add tags to every paper, keeping the tags each already has."""
        clean = normalize_tags(tags)
        return self._change(
            papers,
            lambda e: e.decide(tags=with_added_tags(e.tags, clean)),
            lambda n: f"tagged {_count(n)}: {', '.join(clean)}",
        )

    def remove_tags(self, papers: Sequence[Paper], tags: Sequence[str]) -> str:
        """Remove tags (ignoring case) from every paper."""
        clean = normalize_tags(tags)
        gone = {t.casefold() for t in clean}
        return self._change(
            papers,
            lambda e: e.decide(tags=tuple(t for t in e.tags if t.casefold() not in gone)),
            lambda n: f"removed tag {', '.join(clean)} from {_count(n)}",
        )

    def set_note(self, paper: Paper, text: str) -> str:
        """Replace the paper's note; an empty text deletes it."""
        note = normalize_note(text)
        return self._change(
            [paper],
            lambda e: e.decide(note=note),
            lambda n: "saved the note" if note else "deleted the note",
        )

    def _change(
        self, papers: Sequence[Paper], decide: Callable[[Entry], Decisions], describe: Callable[[int], str]
    ) -> str:
        """Apply ``decide`` to each paper's record as one undo step, then save."""
        with self._mutex:
            before: dict[str, Entry] = {}
            after: dict[str, Entry] = {}
            stamp = now_stamp()
            for paper in _unique(papers):
                old = self.entry(paper.id)
                decisions = decide(old)
                if decisions == old.decisions:
                    continue
                before[paper.id] = old
                after[paper.id] = old.revised(decisions, stamp, paper)
            if not after:
                return "nothing to change" if papers else "no paper selected"
            description = describe(len(after))
            self.history.record(Step(description, before, after))
            self._put(after)
            return self._status(description)

    def undo(self) -> str | None:
        """Undo the last change (saved like any change); None when there is nothing to undo."""
        with self._mutex:
            step = self.history.take_undo()
            return None if step is None else self._restore(step, step.before, f"undid: {step.description}")

    def redo(self) -> str | None:
        """Redo the last undone change; None when there is nothing to redo."""
        with self._mutex:
            step = self.history.take_redo()
            return None if step is None else self._restore(step, step.after, f"redid: {step.description}")

    def _restore(self, step: Step, targets: Mapping[str, Entry], description: str) -> str:
        """Put the user's fields of ``targets`` back, as a new change (newest in a merge).

        A record that went back to default was dropped (an undo of a first bookmark, say),
        so the bibliographic fields come from the step: its ``after`` records were made
        from the papers themselves, and ``before`` holds what the record had then."""
        stamp = now_stamp()
        restored: dict[str, Entry] = {}
        for pid, target in targets.items():
            base = self._entries.get(pid) or target
            base = base.filled_from(step.after[pid]).filled_from(step.before[pid])
            restored[pid] = base.revised(target.decisions, stamp)
        self._put(restored)
        return self._status(description)

    def _put(self, changed: Mapping[str, Entry]) -> None:
        # A new dict, never one changed in place: search threads may be iterating the old one.
        self._entries = {**self._entries, **changed}
        self._dirty.update(changed)
        self.version += 1
        self._save()

    def _status(self, description: str) -> str:
        if self.pending:
            return f"{description} (NOT SAVED: {self._failure}; kept in memory, will retry)"
        return description

    # -- saving --------------------------------------------------------------------

    @property
    def unsaved(self) -> int:
        """How many papers' changes are only in memory (a failed write), for "quit anyway?"."""
        return len(self._dirty) if self.pending else 0

    @property
    def failure(self) -> str:
        """Why the last write failed, while :attr:`pending`."""
        return self._failure

    def rescue(self) -> Path | None:
        """Write the library as this instance knows it to ``library.toml.unsaved-<time>``
        beside the file, when changes are pending and nobody can be asked (the terminal
        was closed); the path written, or None (nothing pending, or that failed too)."""
        with self._mutex:
            if not self.pending:
                return None
            target = quarantine_name(self.path, "unsaved")
            records = {pid: e for pid, e in self._entries.items() if not e.is_default}
            try:
                atomic_write(target, Encoder().encode(records, self._other).encode("utf-8"))
            except OSError:
                return None
            return target

    def retry(self) -> bool:
        """Try again, now, to save changes kept in memory; True when nothing is pending any more."""
        return self.flush()

    def flush(self) -> bool:
        """Write every change made so far, now, on this thread (after a write the background
        writer is doing); True when they are all on disk, False when they are pending."""
        return bool(self._write())

    def save_in_background(self, written: Callable[[], object] | None = None) -> None:
        """From now on a change is made in memory at once and written by a thread of its own
        (the app's keys must not wait for the disk: at 10,000 records a write takes over
        100 ms).  Writes stay serialized, merged and atomic; :attr:`saved_version` says up to
        which :attr:`version` they reached the disk.  ``written`` is called (on whichever
        thread wrote) after each write, failed or not."""
        with self._mutex:
            if self._writer is None:
                self._written_callback = written
                self._write_lock = threading.RLock()
                self._writer = _Writer(self)
                self._writer.start()

    def stop_background_saves(self) -> bool:
        """Write what is left and go back to writing at each change; True when all is saved."""
        writer = self._writer
        if writer is not None:
            writer.stop()
        saved = self.flush()
        with self._mutex:
            self._writer = None
            self._written_callback = None
            self._write_lock = self._mutex
        return saved

    def _save(self) -> bool:
        """Save the changes: now, or (background saves) by waking the writer thread.
        False when the change is pending (kept in memory) after a failed write."""
        if not self._dirty:
            return True
        writer = self._writer
        if writer is not None:
            writer.wake()
            return not self.pending
        return self._write()

    def _write(self) -> bool:
        """Merge the changes with the file on disk under the lock and write; False (and
        pending) on failure.  With background saves the disk work runs without the mutex,
        so changes made meanwhile are not held up; they stay dirty for the next write."""
        with self._write_lock:
            with self._mutex:
                if not self._dirty:
                    self.pending = False
                    return True
                entries, dirty, version = self._entries, set(self._dirty), self.version
            try:
                disk, merged, data, signature = self._write_file(entries, dirty)
            except OSError as error:
                with self._mutex:
                    self._write_failed(error)
                self._after_write()
                return False
            with self._mutex:
                self._written(entries, merged, disk, data, signature, version)
            self._after_write()
            return True

    def _write_file(
        self, entries: Mapping[str, Entry], dirty: set[str]
    ) -> tuple[Disk, dict[str, Entry], bytes, tuple[int, int, int] | None]:
        """Under the file lock: re-read, merge ``dirty`` of ``entries`` in, write if different."""
        if self.read_only:
            raise WriteRefused(errno.EROFS, "the library was opened read-only")
        if self._refusal:
            raise WriteRefused(errno.EPERM, self._refusal)
        paths.ensure_dir(self.path.parent)
        with locked(self.lock_path, self.lock_timeout):
            for temp in stale_temps(self.path):  # a writer killed before its rename
                temp.unlink(missing_ok=True)
            base = self._base if self._base_known else None
            disk = self._read_for_merge(entries)
            merged, _ = merge(disk.entries, entries, dirty, base)
            data = self._encoder.encode(merged, disk.other or self._other).encode("utf-8")
            if data != disk.raw:
                if disk.raw is not None and disk.status == "ok" and not disk.problems:
                    keep_backup(self.path, self.backup_path, disk.raw)
                atomic_write(self.path, data)
            return disk, merged, data, file_signature(self.path)

    def _written(
        self,
        entries: Mapping[str, Entry],
        merged: dict[str, Entry],
        disk: Disk,
        data: bytes,
        signature: tuple[int, int, int] | None,
        version: int,
    ) -> None:
        """Take in a successful write of ``entries`` (as they were at ``version``)."""
        self._other = disk.other or self._other
        # Papers changed again while the write ran (background saves) keep their newer
        # record, still to be written; every other paper is now as on disk.
        still = {pid for pid in self._dirty if self._entries.get(pid) is not entries.get(pid)}
        on_disk = {pid: e for pid, e in merged.items() if not e.is_default}
        records = dict(on_disk)
        for pid in still:
            current = self._entries.get(pid)
            if current is not None:
                records[pid] = current
        self._dirty = still
        self._set_entries(records)
        self._signature = signature
        self._synced, self._base = data, on_disk
        self._base_known = True
        self.saved_version = max(self.saved_version, version)
        if self.pending:
            self.pending = False
            self._failure = ""
            self._notice(f"the library is saved again ({self.path})")

    def _after_write(self) -> None:
        callback = self._written_callback
        if callback is not None:
            callback()

    def _read_for_merge(self, entries: Mapping[str, Entry]) -> Disk:
        """The file on disk, for merging; a broken one is moved aside first (never overwritten)."""
        synced, base, other = self._synced, self._base, self._other
        if synced is not None:
            try:
                raw = self.path.read_bytes()
            except OSError:
                raw = None
            if raw == synced:  # nobody wrote since: its records are the ones remembered
                return Disk(dict(base), dict(other), raw, status="ok")
        disk = read_disk(self.path)
        if disk.status == "missing" and synced is not None:
            self._notice(f"the library file {self.path} had been removed; it was written again from memory")
            return Disk(entries=dict(entries), other=other)
        if disk.status == "unreadable":
            raise OSError(errno.EIO, f"cannot read {self.path} to merge ({disk.error})")
        if disk.status == "newer":
            self._refusal = f"{self.path} was {disk.error}"
            raise WriteRefused(errno.EPERM, self._refusal)
        if disk.status == "broken":
            aside = quarantine_name(self.path)
            os.replace(self.path, aside)
            self._notice(
                f"the library file {self.path} was broken ({disk.error}); it was moved to {aside} "
                "and the library as this instance knows it was written"
            )
            # Nothing on disk can be trusted: this instance's view stands for the disk's.
            return Disk(entries=dict(entries), other=other)
        if disk.problems:
            self._keep_aside_copy(disk)
        return disk

    def _write_failed(self, error: OSError) -> None:
        reason = error.strerror or str(error)
        first = not self.pending or reason != self._failure
        self.pending = True
        self._failure = reason
        if first:
            self._notice(
                f"could not save the library to {self.path}: {reason}. "
                f"{_count(len(self._dirty), 'change')} kept in memory; retried at the next change"
            )

    def _notice(self, text: str) -> None:
        with self._mutex:  # the background writer tells things too
            self.notices.append(text)

    # -- another instance ----------------------------------------------------------

    def disk_changed(self) -> bool:
        """True when the file changed since this instance last read or wrote it (cheap: a stat)."""
        return file_signature(self.path) != self._signature

    def reload(self) -> bool:
        """Merge what another instance wrote; True when any record changed here."""
        with self._mutex:
            signature = file_signature(self.path)
            if signature == self._signature:
                return False
            disk = read_disk(self.path)
            self._signature = signature
            if disk.status == "missing" and self._entries:
                # Removed while open (by hand, or a sync tool): nothing is dropped here; the
                # records are written again with the next change.
                self._notice(
                    f"the library file {self.path} was removed; this instance keeps its "
                    f"{_count(len(self))} and writes them again with the next change"
                )
                self._synced, self._base = None, {}
                self._base_known = False
                self._dirty = set(self._entries)
                return False
            if disk.status not in ("ok", "missing"):
                self._notice(
                    f"the library file changed on disk but cannot be read: {disk.error or disk.status}"
                )
                return False
            if disk.raw is not None and disk.raw == self._synced:
                return False
            base = self._base if self._base_known else None
            merged, kept = merge(disk.entries, self._entries, self._dirty, base)
            self._dirty = kept
            self._remember(disk)
            return self._set_entries(merged)

    def _remember(self, disk: Disk) -> None:
        """Note the file's bytes and records as read (only a clean, current one counts)."""
        if disk.status == "ok" and not disk.problems and disk.schema == SCHEMA:
            self._synced, self._base = disk.raw, dict(disk.entries)
            self._base_known = True
        else:
            self._synced, self._base = None, {}
            self._base_known = disk.status == "missing"

    def _set_entries(self, entries: dict[str, Entry]) -> bool:
        def visible(records: Mapping[str, Entry]) -> dict[str, Entry]:
            return {pid: e for pid, e in records.items() if not e.is_default}

        changed = visible(entries) != visible(self._entries)
        self._entries = entries
        if changed:
            self.version += 1
        return changed


class _Writer(threading.Thread):
    """The thread that writes a library's changes when background saves are on: woken by
    each change, it writes everything changed so far in one go (keys pressed during a slow
    write are written together by the next)."""

    def __init__(self, library: Library) -> None:
        super().__init__(name="library-writer", daemon=True)
        self._library = library
        self._wake = threading.Event()
        self._stopped = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopped:
                return
            library = self._library
            if library._dirty:  # a change after a failed write is also its retry
                library._write()
