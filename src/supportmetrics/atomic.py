"""Files written whole or not at all: the one temp-and-rename writer.

``with atomic_write(path) as tmp:`` gives a temporary path next to ``path`` (same folder, so the
rename stays on one file system); the block writes it. When the block ends without an error the
file is flushed to disk and renamed over ``path`` in one step, so a reader sees the old file or
the new one, never half of one. When the block fails (a full disk, an interrupt) the temporary
file is removed and the error goes on to the caller; ``path`` is left as it was.

Used by backups (each copied file), rejects files and reports.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def temporary_name(path: Path) -> Path:
    """The temporary file next to ``path`` that :func:`atomic_write` writes first: hidden, and
    named for the process, so two writers of one path do not share it."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextmanager
def atomic_write(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it is synced to disk and renamed to ``path``."""
    tmp = temporary_name(path)
    try:
        yield tmp
        descriptor = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
