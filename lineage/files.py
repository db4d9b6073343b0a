"""Writing outputs safely: atomic replacement and file names made from untrusted ids.

A report folder must always hold either the previous report or the new one, never a
half-written page, so every output goes to a temporary file in the same folder and is
renamed into place (``os.replace`` is atomic on POSIX and Windows).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

__all__ = ["safe_name", "write_bytes_atomic", "write_text_atomic"]

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


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
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
