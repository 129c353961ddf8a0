"""The abstract word index on disk, kept beside the parse cache and memory-mapped back.

Building the word index takes minutes at a million papers; reading it back takes
a fraction of a second, and mapping it costs the process only the pages a search
touches (the page cache holds the rest).  A :class:`WordStore` names one file and
the key its content must carry: the key covers everything the corpus was made of
(see :func:`paper_tui.cache.word_store`), so a changed source, another set or order
of sources, or another index layout never reuses a stale index.

File layout (integers little-endian)::

    b"PTWORDS1"
    section*          the index's arrays, each at a 64-byte boundary
    meta              JSON: layout version, key, papers, and per section its
                      offset, length, dtype, shape and CRC-32
    trailer           u64 meta offset, u64 meta length, b"PTWEND01"

Written to a temporary name and renamed into place; a file that fails any check
(truncated, damaged, another key) is ignored, so the index is built again.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from paper_tui.cache import remove_orphans
from paper_tui.search.index import Vocabulary, WordIndex

#: Bump when the layout or what the index holds for a text changes.
WORDS_FORMAT = 1
MAGIC = b"PTWORDS1"
END = b"PTWEND01"
TRAILER = struct.Struct("<QQ8s")
ALIGN = 64
#: Bytes read at a time while checking the CRCs (read, not mapped: pages read to
#: check them would otherwise count as the process's memory).
CHECK_CHUNK = 4 << 20


class StoredCorrupt(Exception):
    """A stored index that failed a check."""


@dataclass(frozen=True)
class WordStore:
    """Where the word index of one corpus is kept, and the key it must carry."""

    path: Path
    key: str
    #: Papers in the corpus the key describes (an index of another size is not its).
    size: int
    #: The sources' stamps (``path``, ``size``, ``mtime_ns``), for the cache report.
    sources: tuple[dict[str, Any], ...] = ()

    def load(self) -> WordIndex | None:
        """The stored index, memory-mapped, or ``None`` when there is no valid one."""
        return load_words(self.path, self.key, self.size)

    def save(self, words: WordIndex) -> bool:
        """Keep ``words`` (built for this corpus); False if it could not be written."""
        if words.size != self.size:
            return False
        return save_words(words, self.path, self.key, self.sources)


def _sections(words: WordIndex) -> dict[str, np.ndarray[Any, Any]]:
    vocab = words.vocab
    return {
        "present": np.frombuffer(words.present, np.uint8),
        "vocab_text": np.frombuffer(vocab.text, np.uint8),
        "vocab_starts": vocab.starts,
        "offsets": words.offsets,
        "postings": words.postings,
        "posting_starts": words.posting_starts,
        "dense_before": words.dense_before,
        "bitmaps": words.bitmaps,
    }


def save_words(words: WordIndex, path: Path, key: str, sources: tuple[dict[str, Any], ...] = ()) -> bool:
    """Write ``words`` to ``path`` atomically; False (and no file) on an OS error."""
    temp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident():x}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_orphans(path)
        with open(temp, "wb") as handle:
            handle.write(MAGIC)
            position = len(MAGIC)
            table: dict[str, list[Any]] = {}
            for name, array in _sections(words).items():
                padding = -position % ALIGN
                handle.write(b"\0" * padding)
                position += padding
                data = np.ascontiguousarray(array).reshape(-1).view(np.uint8).data
                handle.write(data)
                table[name] = [position, len(data), array.dtype.str, list(array.shape), zlib.crc32(data)]
                position += len(data)
            meta = json.dumps(
                {
                    "format": WORDS_FORMAT,
                    "key": key,
                    "size": words.size,
                    "sources": list(sources),
                    "sections": table,
                },
                separators=(",", ":"),
            ).encode()
            handle.write(meta)
            handle.write(TRAILER.pack(position, len(meta), END))
        # No fsync, as for the parse cache: a crash leaves a short or damaged file,
        # which the trailer and the CRCs reject.
        os.replace(temp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
        return False


def load_words(path: Path, key: str, size: int) -> WordIndex | None:
    """The index stored at ``path`` if it carries ``key`` and covers ``size`` papers
    and passes every check; ``None`` otherwise (never raises for a bad file)."""
    try:
        with open(path, "rb") as handle:
            meta = _meta(handle)
            if meta.get("format") != WORDS_FORMAT or meta.get("key") != key or meta.get("size") != size:
                return None  # stale: another corpus or layout
            sections = _checked_sections(handle, meta)
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return _index(mapped, sections, size)
    except (OSError, ValueError, TypeError, KeyError, IndexError, struct.error, StoredCorrupt):
        return None


def _meta(handle: Any) -> dict[str, Any]:
    length = os.fstat(handle.fileno()).st_size
    if length < len(MAGIC) + TRAILER.size or handle.read(len(MAGIC)) != MAGIC:
        raise StoredCorrupt("not a stored word index")
    handle.seek(length - TRAILER.size)
    meta_offset, meta_length, end = TRAILER.unpack(handle.read(TRAILER.size))
    if end != END or meta_offset + meta_length + TRAILER.size != length:
        raise StoredCorrupt("truncated")
    handle.seek(meta_offset)
    meta = json.loads(handle.read(meta_length))
    if not isinstance(meta, dict):
        raise StoredCorrupt("meta")
    meta["_end"] = meta_offset
    return meta


def _checked_sections(handle: Any, meta: dict[str, Any]) -> dict[str, tuple[int, int, str, list[int]]]:
    """Each section's place and shape, after checking its bounds and CRC-32."""
    found: dict[str, tuple[int, int, str, list[int]]] = {}
    buffer = bytearray(CHECK_CHUNK)
    for name, (offset, length, dtype, shape, crc) in meta["sections"].items():
        offset, length = int(offset), int(length)
        if not len(MAGIC) <= offset <= offset + length <= meta["_end"]:
            raise StoredCorrupt("section out of bounds")
        if np.dtype(dtype).itemsize * int(np.prod(shape, dtype=np.int64)) != length:
            raise StoredCorrupt("section shape")
        handle.seek(offset)
        check, left = 0, length
        view = memoryview(buffer)
        while left:
            got = handle.readinto(view[: min(left, CHECK_CHUNK)])
            if not got:
                raise StoredCorrupt("short read")
            check = zlib.crc32(view[:got], check)
            left -= got
        if check != crc:
            raise StoredCorrupt("checksum")
        found[str(name)] = (offset, length, str(dtype), [int(n) for n in shape])
    return found


def _index(mapped: mmap.mmap, sections: dict[str, tuple[int, int, str, list[int]]], size: int) -> WordIndex:
    def array(name: str, dtype: type[Any]) -> np.ndarray[Any, Any]:
        offset, length, stored, shape = sections[name]
        if np.dtype(stored) != np.dtype(dtype):
            raise StoredCorrupt(f"{name}: dtype {stored}")
        count = length // np.dtype(dtype).itemsize
        return np.frombuffer(mapped, dtype, count, offset).reshape(shape)

    vocab_offset, vocab_length, _, _ = sections["vocab_text"]
    starts = array("vocab_starts", np.int64)
    offsets = array("offsets", np.int64)
    posting_starts = array("posting_starts", np.int64)
    dense_before = array("dense_before", np.int64)
    postings = array("postings", np.uint32)
    bitmaps = array("bitmaps", np.uint8)
    words = len(starts) - 1
    # The checks a search's slicing relies on (the CRCs vouch for the bytes, these
    # for a writer's mistakes): every array sized to the vocabulary, runs in order.
    if not (
        len(offsets) == len(posting_starts) == len(dense_before) == words + 1
        and bitmaps.ndim == 2
        and bitmaps.shape == (int(dense_before[-1]), (size + 7) // 8)
        and int(posting_starts[-1]) == len(postings)
        and int(starts[-1]) == vocab_length
        and bool(np.all(np.diff(starts) > 0) and np.all(np.diff(posting_starts) >= 0))
        and sections["present"][1] == size
    ):
        raise StoredCorrupt("inconsistent")
    present_offset = sections["present"][0]
    text = memoryview(mapped)[vocab_offset : vocab_offset + vocab_length]
    return WordIndex(
        Vocabulary(text, starts),
        offsets,
        postings,
        posting_starts,
        dense_before,
        bitmaps,
        size,
        bytes(mapped[present_offset : present_offset + size]),
        mapped=True,
    )
