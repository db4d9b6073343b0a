"""Writing outputs safely: the output folder, atomic replacement, and file names made
from untrusted ids.

A report folder must always hold either the previous report or the new one, never a
half-written page, so every output goes to a temporary file in the same folder and is
renamed into place (``os.replace`` is atomic on POSIX and Windows). Durability needs no
fsync per file: one fsync of each folder written to, at the end of the run, makes the
renames durable (an fsync per file made writing 10,000 pages slow).

:class:`OutputDir` is the folder of one run:

* a lock (``.lineage.lock``, an ``flock`` released by the kernel even when the run is
  killed) refuses a second run into the same folder while one is writing;
* hidden temporaries (``.x.html.1a2b3c4d.tmp``) that an interrupted run left are removed
  when a run starts and when it is interrupted;
* every file written is first named in a journal (``.lineage-journal``), so even a run
  killed by SIGKILL leaves a record of its files;
* at the end the manifest (``.lineage-manifest.json``) lists this run's files, and the
  files a previous run's manifest (or journal) listed that this run did not write are
  removed. Nothing else is ever removed: not a file the user put there, not anything
  outside the folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import signal
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import IO, Any

__all__ = [
    "MANIFEST",
    "Interrupted",
    "OutputBusy",
    "OutputDir",
    "interrupts",
    "open_atomic",
    "output_dir",
    "safe_name",
    "write_bytes_atomic",
    "write_text_atomic",
]

MANIFEST = ".lineage-manifest.json"
_LOCK = ".lineage.lock"
_JOURNAL = ".lineage-journal"
_RESERVED_FILES = {MANIFEST, _LOCK, _JOURNAL}
# tempfile.mkstemp's names as write_bytes_atomic asks for them: ".<name>.<8 chars>.tmp"
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")

# Names Windows refuses whatever the extension; refusing them everywhere keeps a report
# folder portable.
_RESERVED = {
    "con", "prn", "aux", "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}  # fmt: skip
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 80


def safe_name(doc_id: str) -> str:
    """A file-name stem for ``doc_id``: portable, bounded, never a path, and unique.

    Ids that are already safe come back unchanged, so seeds keep readable names.
    Anything else is folded to ASCII, stripped of separators and control characters,
    cut to a bounded length, and suffixed with a short hash of the original id so two
    different ids never share a file.

    >>> safe_name("001_45bac6543a8ee06d")
    '001_45bac6543a8ee06d'
    >>> safe_name("../../x").startswith("x-")
    True
    >>> safe_name("con.txt").startswith("_con.txt-")
    True
    """
    stem = _UNSAFE.sub("-", unicodedata.normalize("NFKD", doc_id)).strip(".-_")
    if stem == doc_id and len(stem) <= _MAX_STEM and stem.lower().split(".")[0] not in _RESERVED:
        return stem
    digest = hashlib.sha1(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    name = f"{stem[:_MAX_STEM] or 'doc'}-{digest}"
    # Windows reads "con.txt-1a2b" as CON plus an extension: the part before the first
    # dot must not be a reserved name either.
    if name.lower().split(".")[0] in _RESERVED:
        name = f"_{name}"
    return name


# How write_bytes_atomic opens a temporary: as tempfile.mkstemp does (a new file only,
# never through a symlink, readable by its owner alone until it is complete)
_TEMP_FLAGS = (
    os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)
_TEMP_COUNT = itertools.count()
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _temporary(folder: str, name: str) -> tuple[int, str]:
    """A new hidden temporary in ``folder`` for ``name``, open: ``.<name>.<8 chars>.tmp``
    as mkstemp names them, the 8 characters from the process id and a
    counter instead of a random draw; mkstemp's own name when that one is taken. The
    folder is made when it does not exist.

    Note: mkstemp, and a ``mkdir(exist_ok=True)`` before it (a failed system call and an
    exception for every page), were a third of the CPU of writing a small file."""
    k = (os.getpid() << 24 | next(_TEMP_COUNT) & 0xFFFFFF) % 36**8
    tag = "".join(_BASE36[k // 36**i % 36] for i in range(7, -1, -1))
    tmp = os.path.join(folder, f".{name}.{tag}.tmp")
    try:
        return os.open(tmp, _TEMP_FLAGS, 0o600), tmp
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    except FileExistsError:
        pass
    return tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Not fsynced: :meth:`OutputDir.close` syncs each folder once, at the end."""
    target = Path(path)
    folder, name = os.path.split(os.fspath(target))
    fd, tmp = _temporary(folder or ".", name)
    try:
        with os.fdopen(fd, "wb", buffering=0) as fh:
            view = memoryview(data)
            while view:
                view = view[fh.write(view) :]
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), 0o644)
        if not hasattr(os, "fchmod"):
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        # Interrupted (Ctrl-C included): leave the previous file, remove our temporary one.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


@contextlib.contextmanager
def open_atomic(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """A file to write ``path`` through piece by piece: a temporary file in the same
    folder, renamed over ``path`` when the block ends without an error and removed when
    it does not (the previous file stays). ``mode`` is ``"w"`` (UTF-8 text, newlines
    written as given) or ``"wb"``.

    Why: a big export written as one string costs the whole file in memory (at 100k
    documents lineage.json alone grew the process by gigabytes); written record by
    record it costs one record. Not fsynced, like :func:`write_bytes_atomic`.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        if mode == "w":
            fh: IO[Any] = os.fdopen(fd, "w", encoding="utf-8", newline="")
        else:
            fh = os.fdopen(fd, "wb")
        with fh:
            yield fh
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# -- the output folder of one run ---------------------------------------------------


class OutputBusy(RuntimeError):
    """Another run holds the output folder's lock."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: raised where the program was, so every ``with`` block
    on the way out cleans up (the worker pool, the output folder's temporaries)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


@contextlib.contextmanager
def interrupts() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` while the block runs (main thread
    only; elsewhere nothing changes). SIGTERM's default would end the process at once,
    leaving temporaries and orphaned workers behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    saved = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in saved.items():
            signal.signal(s, h)


class OutputDir:
    """The output folder of one run, used as a context manager.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with OutputDir(tmp) as out:
    ...         _ = out.write_text("index.html", "<p>hi</p>")
    ...     sorted(p.name for p in Path(tmp).iterdir())
    ['.lineage-manifest.json', 'index.html']

    ``prune``: remove the files the previous manifest lists that this run did not write
    (the command line does; a library call that writes only part of a report, such as
    :func:`lineage.export.write_exports` alone, keeps them and lists them on).
    """

    def __init__(self, path: str | os.PathLike[str], *, prune: bool = True) -> None:
        self.path = Path(path)
        self.prune = prune
        self.root = self.path  # resolved in __enter__, once the folder exists
        self._lock_fd: int | None = None
        self._journal_fd: int | None = None
        self._previous: set[str] = set()  # files earlier runs wrote
        self._in_manifest: set[str] = set()  # those of them the manifest lists
        self._journal_start = 0
        self._created = False
        self._empty = False  # set when a failed run created the folder and wrote nothing
        self._owner = os.getpid()

    # -- entering: lock, sweep, journal ---------------------------------------------
    def __enter__(self) -> OutputDir:
        self._created = not self.path.exists()
        self.path.mkdir(parents=True, exist_ok=True)
        self.root = self.path.resolve()
        self._lock()
        try:
            self._sweep_temporaries()
            self._previous = self._listed()
            self._journal_fd = os.open(
                self.root / _JOURNAL, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644
            )
            # a killed run's lines stay in it until this run's manifest holds them
            self._journal_start = os.fstat(self._journal_fd).st_size
        except BaseException:
            self._unlock()
            raise
        return self

    def _lock(self) -> None:
        lock = self.root / _LOCK
        while True:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                _try_lock(fd)
            except OSError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                raise OutputBusy(
                    f"another lineage run (process {holder}) is writing to {self.path}; "
                    "wait for it to finish or choose another --out"
                ) from None
            # the previous holder may have removed the file between our open and our
            # lock: then we hold a lock on a file nobody else can see; open it again
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(lock))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.root / _LOCK)  # before the unlock: no one can lock a stale file
        os.close(self._lock_fd)
        self._lock_fd = None

    def _sweep_temporaries(self) -> None:
        """Remove the hidden temporaries of interrupted runs. The lock is held, so no
        run of ours is writing any; symlinked folders are not entered."""
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
            for name in names:
                if _TEMPORARY.fullmatch(name):
                    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                        os.unlink(os.path.join(folder, name))

    def _listed(self) -> set[str]:
        """Files earlier runs wrote: their manifest, and the journal of a run that was
        killed before it could write one."""
        files: set[str] = set()
        try:
            data = json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
            files.update(f for f in data.get("files", []) if isinstance(f, str))
        except (OSError, ValueError, AttributeError):
            pass  # no manifest, or not one of ours: nothing is known to be ours
        self._in_manifest = set(files)
        files.update(self._journal())
        return {f for f in files if _relative(f) is not None}

    def _journal(self, start: int = 0) -> list[str]:
        try:
            with open(self.root / _JOURNAL, "rb") as f:
                f.seek(start)
                raw = f.read()
        except OSError:
            return []
        return [x for x in raw.decode("utf-8", "surrogateescape").split("\n") if x]

    # -- writing --------------------------------------------------------------------
    def target(self, rel: str) -> Path:
        """Where ``rel`` (a relative POSIX path such as ``pairs/a--b.html``) goes; refused
        when it would leave the folder, name one of the run's own files, or pass
        through a symlink inside the folder."""
        parts = _relative(rel)
        if parts is None or parts[-1] in _RESERVED_FILES:
            raise ValueError(f"refusing to write outside the report folder: {rel!r}")
        here = self.root
        for part in parts[:-1]:
            here = here / part
            if here.is_symlink():
                raise OSError(0, "a symlink inside the report folder is not followed", str(here))
        return here / parts[-1]

    def write_bytes(self, rel: str, data: bytes) -> Path:
        target = self.target(rel)
        if self._journal_fd is None:
            raise RuntimeError("OutputDir used outside its with block")
        # named before it exists: a run killed at any point has listed all of its files
        os.write(self._journal_fd, (rel + "\n").encode("utf-8", "surrogateescape"))
        return write_bytes_atomic(target, data)

    def write_text(self, rel: str, text: str) -> Path:
        return self.write_bytes(rel, text.encode("utf-8"))

    @contextlib.contextmanager
    def open_text(self, rel: str) -> Iterator[IO[str]]:
        """``rel`` opened to be written piece by piece (UTF-8, newlines as given), as
        :func:`open_atomic` does: journalled like :meth:`write_text`, and in place only
        once the block ends without an error.

        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     with OutputDir(tmp) as out:
        ...         with out.open_text("rows.jsonl") as fh:
        ...             _ = fh.write('{"a": 1}\\n')
        ...     sorted(p.name for p in Path(tmp).iterdir())
        ['.lineage-manifest.json', 'rows.jsonl']
        """
        with self._open(rel, "w") as fh:
            yield fh

    @contextlib.contextmanager
    def open_binary(self, rel: str) -> Iterator[IO[bytes]]:
        """As :meth:`open_text`, for bytes (a Parquet writer's sink)."""
        with self._open(rel, "wb") as fh:
            yield fh

    def _open(self, rel: str, mode: str) -> contextlib.AbstractContextManager[IO[Any]]:
        target = self.target(rel)
        if self._journal_fd is None:
            raise RuntimeError("OutputDir used outside its with block")
        os.write(self._journal_fd, (rel + "\n").encode("utf-8", "surrogateescape"))
        return open_atomic(target, mode)

    @property
    def written(self) -> list[str]:
        """This run's files so far (relative POSIX paths, sorted), from the journal, so
        the files forked workers wrote are included."""
        return sorted(set(self._journal(self._journal_start)))

    # -- leaving: prune, manifest, one sync per folder -------------------------------
    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if os.getpid() != self._owner:  # a forked worker leaving an inherited block
            return
        try:
            if exc_type is None:
                self._finish()
            else:
                self._abandon()
        finally:
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None
            self._unlock()
            if self._empty:
                with contextlib.suppress(OSError):
                    os.rmdir(self.root)  # nothing written: leave no empty folder behind

    def _finish(self) -> None:
        mine = set(self.written)
        removed = sorted(self._previous - mine) if self.prune else []
        for rel in removed:
            self._remove(rel)
        kept = set() if self.prune else {r for r in self._previous if self._exists(r)}
        self._manifest(sorted(mine | kept), complete=True)
        folders = {self.root} | {(self.root / r).parent for r in mine}
        for folder in sorted(folders):
            _sync(folder)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.root / _JOURNAL)
        _sync(self.root)

    def _abandon(self) -> None:
        """Interrupted or failed: no temporary stays, and the manifest lists every file
        of ours the folder now holds (the earlier runs' and this one's), so the next run
        can remove what it does not write again."""
        self._sweep_temporaries()
        ours = sorted(r for r in self._previous | set(self.written) if self._exists(r))
        if set(ours) != self._in_manifest:  # else the previous manifest says it all
            self._manifest(ours, complete=False)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.root / _JOURNAL)
        self._empty = self._created and not ours

    def _exists(self, rel: str) -> bool:
        parts = _relative(rel)
        return parts is not None and os.path.isfile(self.root.joinpath(*parts))

    def _remove(self, rel: str) -> None:
        """Remove one file a previous run wrote: a regular file, never through a
        symlink, never outside the folder; then its folders, if now empty."""
        parts = _relative(rel)
        if parts is None or parts[-1] in _RESERVED_FILES:
            return
        here = self.root
        for part in parts[:-1]:
            here = here / part
            if here.is_symlink() or not here.is_dir():
                return
        path = here / parts[-1]
        if path.is_symlink() or not path.is_file():
            return
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        folder = path.parent
        while folder != self.root:
            try:
                folder.rmdir()  # only when empty: a user's file in it keeps it
            except OSError:
                break
            folder = folder.parent

    def _manifest(self, files: list[str], *, complete: bool) -> None:
        from lineage import __version__

        data = {"generator": f"lineage {__version__}", "complete": complete, "files": files}
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        write_bytes_atomic(self.root / MANIFEST, text.encode("utf-8", "surrogateescape"))


def output_dir(
    out: str | os.PathLike[str] | OutputDir,
) -> contextlib.AbstractContextManager[OutputDir]:
    """``out`` itself when it is an open :class:`OutputDir` (the command line's), else a
    new one for a library call, which keeps files it does not write (``prune=False``)."""
    if isinstance(out, OutputDir):
        return contextlib.nullcontext(out)
    return OutputDir(out, prune=False)


def _relative(rel: str) -> tuple[str, ...] | None:
    """The parts of a relative POSIX path inside the folder, or None."""
    if not rel or "\\" in rel or "\0" in rel:
        return None
    p = PurePosixPath(rel)
    if p.is_absolute() or any(x in ("", ".", "..") for x in p.parts):
        return None
    return p.parts


def _try_lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: a byte-range lock on the file's first byte
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _sync(folder: Path) -> None:
    """fsync a folder, so the renames into it are durable (not possible on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
