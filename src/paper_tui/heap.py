"""Keep freed memory in the process for reuse instead of handing it back at once.

Typing a query over a million papers makes and drops numpy arrays of megabytes
to tens of megabytes per keystroke (walk positions, spelled-out letter offsets,
masks).  glibc's ``malloc`` hands a freed block back to the kernel once the free
space at the top of its heap passes a trim threshold, and serves big blocks with
their own ``mmap``; the next keystroke's arrays then fault in fresh pages.  On a
virtual machine (the 2-core machine the benchmarks run on is one) first touches
are dear: a fresh 22 MB array measured 5-160 ms of page faults, a reused one 2 ms.

:func:`keep_freed_memory` raises both thresholds so that the working set of a
search stays with the process (its peak resident size is unchanged: freed memory
is reused, not added to).  It is a no-op where ``mallopt`` does not exist (macOS,
Windows, musl).
"""

from __future__ import annotations

import ctypes
import functools
import sys

#: ``mallopt`` parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap (glibc's ceiling for the setting).
MMAP_THRESHOLD = 32 << 20
#: Free memory kept at the top of the heap before any is handed back.
TRIM_THRESHOLD = 1 << 30


@functools.cache
def keep_freed_memory() -> bool:
    """Ask ``malloc`` to keep freed memory for reuse (once per process); True if it took."""
    return _mallopt()


def _mallopt() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
