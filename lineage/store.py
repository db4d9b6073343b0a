"""Where a run's per-document arrays live: in memory, or in memory-mapped files.

The tokens and shingles of every document (:class:`lineage.fingerprint.Prepared`: word
hashes, offsets, masks, shingle hashes and positions; about 38 bytes a word, 1.8 GB at
100k news articles) are what a large run holds for longest. Past a budget
(``Config.memory``) the fingerprint workers write each batch's arrays to a file in a
temporary folder of the system's temp directory, and send back only its name; every
stage then reads views of the memory-mapped file. A mapped page costs the processes
memory only while they have touched it: :meth:`ArrayStore.release` (after each stage,
and in alignment workers after each chunk of pairs) drops the touched pages from the
process, and the page cache keeps them, clean, for the operating system to evict
under pressure instead of the run growing. The folder is deleted when the store is
closed (at the end of the analysis). The arrays are the same values either way (a
test compares them), so the outputs are too.
"""

from __future__ import annotations

import mmap
import os
import shutil
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ArrayStore", "Stored", "estimate_mb"]

_ALIGN = 64  # each array of a file starts on a multiple of this many bytes

# Bytes of per-document arrays a character of text costs (measured on the bench corpora:
# about 38 bytes a word, a word about 6 characters with its space)
_BYTES_PER_CHAR = 6.5


def estimate_mb(chars: int) -> float:
    """The per-document arrays' size, in MB, for ``chars`` characters of text."""
    return chars * _BYTES_PER_CHAR / 2**20


@dataclass(frozen=True)
class Stored:
    """What a worker sends back for arrays it wrote: the file, and each array's name,
    dtype, length and byte offset in it."""

    path: str
    arrays: tuple[tuple[str, str, int, int], ...]


class ArrayStore:
    """Per-document arrays kept in memory (``folder`` None), or in files in ``folder``,
    memory-mapped. Made by the stage that owns the run (:func:`ArrayStore.for_run`) and
    passed to the stages that read it: no global."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self._maps: list[mmap.mmap] = []

    @classmethod
    def for_run(cls, chars: int, budget_mb: int) -> ArrayStore:
        """In memory when the arrays of ``chars`` characters of text fit in
        ``budget_mb``, else mapped from a new folder of the system's temp directory
        (``budget_mb`` 0: always mapped)."""
        if estimate_mb(chars) <= budget_mb:
            return cls()
        return cls(tempfile.mkdtemp(prefix="lineage-arrays-"))

    @property
    def mapped(self) -> bool:
        return self.folder is not None

    def keep(self, obj: Any, name: str) -> Any:
        """``obj`` (a dataclass whose fields are 1-d numpy arrays) as it is in memory,
        or, mapped, written to a file named ``name`` in the folder: its :class:`Stored`
        record. Called where the arrays are made (a worker)."""
        if self.folder is None:
            return obj
        path = self.folder / f"{name}.bin"
        table = []
        at = 0
        with open(path, "wb") as f:
            for fd in fields(obj):
                arr = np.ascontiguousarray(getattr(obj, fd.name))
                pad = -at % _ALIGN
                f.write(b"\0" * pad)
                at += pad
                table.append((fd.name, arr.dtype.str, len(arr), at))
                f.write(arr.view(np.uint8).data)
                at += arr.nbytes
        return type(obj), Stored(str(path), tuple(table))

    def open(self, kept: Any) -> Any:
        """What :meth:`keep` returned, as the object with its arrays: in memory as it
        was, or read-only views of the mapped file (here, in the reading process)."""
        if self.folder is None:
            return kept
        cls, stored = kept
        size = os.path.getsize(stored.path)
        if size == 0:  # nothing to map: every array is empty
            return cls(**{n: np.empty(0, dtype=np.dtype(dt)) for n, dt, _, _ in stored.arrays})
        with open(stored.path, "rb") as f:
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self._maps.append(mm)
        return cls(
            **{
                n: np.frombuffer(mm, dtype=np.dtype(dt), count=k, offset=at)
                for n, dt, k, at in stored.arrays
            }
        )

    def release(self) -> None:
        """Drop the mapped pages this process has touched (the page cache keeps them;
        the next read maps them again). Nothing to do in memory."""
        if not hasattr(mmap, "MADV_DONTNEED"):
            return
        for mm in self._maps:
            mm.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        """Delete the folder. Views still alive keep reading their mappings (POSIX:
        an unlinked file stays readable while mapped)."""
        self._maps = []
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
