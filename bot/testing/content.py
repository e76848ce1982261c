"""Role documents read once per test process.

Every bot a test builds reads and parses the whole content folder (about 0.1 s each time, a
thousand times in the suite). `remember_role_documents()` makes the composition root's reader
remember what it read, keyed by the folder and every file's name, size and modification time: a
test that writes its own folder, or changes a file, still gets what is on disk. The documents are
frozen values, so sharing them between tests shares nothing a test can change.
"""

from __future__ import annotations

import threading
from pathlib import Path

import bot.composition
from bot.content.loader import LoadResult, load_directory

_lock = threading.Lock()
_read: dict[tuple, LoadResult] = {}


def _fingerprint(directory: Path) -> tuple:
    try:
        files = sorted(directory.iterdir())
    except OSError:
        return (str(directory), None)
    return (str(directory.resolve()), tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.is_file()))


def read_once(directory: Path) -> LoadResult:
    """`load_directory`, remembered while the folder's files stay as they were."""
    directory = Path(directory)
    key = _fingerprint(directory)
    with _lock:
        found = _read.get(key)
    if found is None:
        found = load_directory(directory)
        with _lock:
            _read[key] = found
    return found


def remember_role_documents() -> None:
    """From now on, bots built in this process read each content folder once."""
    bot.composition.load_directory = read_once
