"""Writing files safely: one atomic writer for every file graphneg writes.

:func:`atomic_write` writes to a temporary name in the target's own folder
(``.NAME.XXXXXXXX.tmp``), flushes and fsyncs it, then renames it onto the target
with :func:`os.replace` (atomic on POSIX and Windows). So

* a reader sees the old file or the new one, never a torn or empty one (a full
  disk fails the write before the rename; the temporary file is removed);
* a symbolic link at the target is *replaced* by the new file, never written
  through: a link planted in an output folder cannot redirect a write elsewhere;
* a kill during the write leaves at most a ``.NAME.*.tmp`` file, which
  :func:`remove_stale_temporaries` deletes on the next run.

:mod:`graphneg.analysis.report` (study folders), checkpoints
(:mod:`graphneg.training.loop`), ``graphneg generate`` and the embedding cache
all write through it.
"""
from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from pathlib import Path
from typing import Callable, IO, Union

__all__ = ["atomic_write", "remove_stale_temporaries"]


def atomic_write(path: Union[str, os.PathLike], write: Callable[[IO], object], *,
                 binary: bool = False) -> Path:
    """Call ``write(fh)`` on a temporary file beside ``path``, then rename it onto ``path``.

    Parameters
    ----------
    path : str or path
        The target; its folder is created if missing. A symbolic link there is
        replaced, not followed.
    write : callable
        ``write(fh)`` writes the content to the open file ``fh``.
    binary : bool
        Open ``fh`` in binary mode (else text, UTF-8, no newline translation).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        When the folder cannot be made or written (read-only, full, a file in
        the way); nothing is left behind.

    Examples
    --------
    >>> import tempfile
    >>> p = atomic_write(os.path.join(tempfile.mkdtemp(), "a.txt"), lambda fh: fh.write("hi"))
    >>> p.read_text()
    'hi'
    """
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(21, "Is a directory (cannot write a file over it)", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8",
                                                                           "newline": ""})) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, path)          # renames onto a symlink's own name: never follows it
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def remove_stale_temporaries(folder: Union[str, os.PathLike], name: str = "*") -> int:
    """Delete the ``.NAME.*.tmp`` files a killed :func:`atomic_write` left in ``folder``.

    Parameters
    ----------
    folder : str or path
        Missing folders are fine (nothing to do).
    name : str
        The target's file name (a glob pattern; ``"*"``: every target).

    Returns
    -------
    int
        How many files were removed.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = open(os.path.join(d, ".report.md.x1y2.tmp"), "w").close()
    >>> remove_stale_temporaries(d), os.listdir(d)
    (1, [])
    """
    removed = 0
    for tmp in glob.glob(os.path.join(glob.escape(os.fspath(folder)), f".{name}.*.tmp")):
        with contextlib.suppress(OSError):
            os.remove(tmp)
            removed += 1
    return removed
