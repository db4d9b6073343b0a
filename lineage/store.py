"""Where a run's per-document arrays live: in memory, or in files read on demand.

The tokens and shingles of every document (:class:`lineage.fingerprint.Prepared`: word
hashes, offsets, masks, shingle hashes and positions; about 38 bytes a word, 1.8 GB at
100k news articles) are what a large run holds for longest. Past a budget
(``Config.memory``) the fingerprint workers write each batch's arrays to a file in a
temporary folder of the system's temp directory, and send back only its name; every
stage then reads the slices it needs (:class:`FileArray`: ``os.pread`` into a fresh
array), and a process holds what it read only while it uses it. The file's pages stay
in the page cache, clean, for the operating system to evict under pressure, counted in
no process's memory. The folder is deleted when the store is closed (at the end of the
analysis). The arrays are the same values either way (a test compares them), so the
outputs are too.

Note: the files used to be memory-mapped, and each stage's touched pages dropped after
it (``MADV_DONTNEED``). But a read of one page of a mapped file maps the page cache's
whole folio around it (on this machine's kernel, 6.18, a file written with large writes
is cached in large folios: one byte read every 256 KB of a 200 MB file mapped all of
it). An alignment worker reading one chunk of pairs, a few KB of each document, had a
GB of the files mapped, and each candidates and duplicates stage about as much
(docs/BENCHMARKS.md, round s23mem).
"""

from __future__ import annotations

import operator
import os
import shutil
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ArrayStore", "FileArray", "Stored", "estimate_mb"]

_ALIGN = 64  # each array of a file starts on a multiple of this many bytes
_READ_MAX = 1 << 30  # bytes asked of one pread (Linux returns at most about 2 GB)

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


class _File:
    """An open file, closed when the last array reading it is gone (a process forked
    while it is open reads it too: ``pread`` has no shared position)."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDONLY)

    def __del__(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass

    def read(self, offset: int, nbytes: int) -> bytes:
        parts = []
        while nbytes > 0:
            got = os.pread(self.fd, min(nbytes, _READ_MAX), offset)
            if not got:
                raise OSError(f"short read of a store file at byte {offset}")
            parts.append(got)
            offset += len(got)
            nbytes -= len(got)
        return parts[0] if len(parts) == 1 else b"".join(parts)


class FileArray:
    """A read-only 1-d array in a file, read a slice at a time: ``a[i:j]`` is a fresh
    read-only numpy array of those values, ``a[i]`` one value, ``np.asarray(a)`` all of
    them. What the stages do with a batch's arrays is slice them per document, or scan
    them a block at a time, so they read only what they use."""

    __slots__ = ("_at", "_file", "_n", "dtype")

    def __init__(self, file: _File, dtype: np.dtype, n: int, at: int) -> None:
        self._file, self.dtype, self._n, self._at = file, dtype, n, at

    def __len__(self) -> int:
        return self._n

    @property
    def shape(self) -> tuple[int]:
        return (self._n,)

    @property
    def size(self) -> int:
        return self._n

    @property
    def nbytes(self) -> int:
        return self._n * self.dtype.itemsize

    def _read(self, start: int, stop: int) -> np.ndarray:
        n = max(0, stop - start)
        if not n:
            return np.empty(0, dtype=self.dtype)
        size = self.dtype.itemsize
        return np.frombuffer(self._file.read(self._at + start * size, n * size), self.dtype)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            start, stop, step = key.indices(self._n)
            if step == 1:
                return self._read(start, stop)
            return self._read(0, self._n)[key]
        k = operator.index(key)
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError(key)
        return self._read(k, k + 1)[0]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = self._read(0, self._n)
        return whole if dtype is None else whole.astype(dtype)

    def tolist(self) -> list[Any]:
        return self._read(0, self._n).tolist()


class ArrayStore:
    """Per-document arrays kept in memory (``folder`` None), or in files in ``folder``,
    read on demand. Made by the stage that owns the run (:func:`ArrayStore.for_run`) and
    passed to the stages that read it: no global."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None

    @classmethod
    def for_run(cls, chars: int, budget_mb: int) -> ArrayStore:
        """In memory when the arrays of ``chars`` characters of text fit in
        ``budget_mb``, else in files of a new folder of the system's temp directory
        (``budget_mb`` 0: always in files)."""
        if estimate_mb(chars) <= budget_mb:
            return cls()
        return cls(tempfile.mkdtemp(prefix="lineage-arrays-"))

    @property
    def mapped(self) -> bool:
        """Whether the arrays are in files (the name is older than the reading by
        ``pread``)."""
        return self.folder is not None

    def keep(self, obj: Any, name: str) -> Any:
        """``obj`` (a dataclass whose fields are 1-d numpy arrays) as it is in memory,
        or written to a file named ``name`` in the folder: its :class:`Stored` record.
        Called where the arrays are made (a worker)."""
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

    def open(self, kept: Any, whole: Collection[str] = ()) -> Any:
        """What :meth:`keep` returned, as the object with its arrays: in memory as it
        was, or :class:`FileArray` readers of the file, but for the arrays named in
        ``whole``, read into memory now (small ones read value by value: a batch's
        document bounds)."""
        if self.folder is None:
            return kept
        cls, stored = kept
        file = _File(stored.path)
        out: dict[str, Any] = {}
        for n, dt, k, at in stored.arrays:
            arr = FileArray(file, np.dtype(dt), k, at)
            out[n] = arr[:] if n in whole else arr
        return cls(**out)

    def close(self) -> None:
        """Delete the folder. Arrays still alive keep reading their files (POSIX: an
        unlinked file stays readable while open)."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
