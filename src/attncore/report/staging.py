"""All-or-nothing output files for ``attncore report``.

Every output (``--json``, ``--csv``, ``--plots``) is first written to a
temporary file or directory *in its target's own directory* (so the final
rename stays on one file system and is atomic), and renamed into place only
after the whole run succeeded.  On any error every temporary is removed:
nothing new is left behind, and an existing file at a target path keeps its
old contents.

Targets are checked before the run starts (the directory exists, the path is
not a directory for a file target), so a typo in ``--csv`` does not cost a
whole sweep.
"""
import os
import pathlib
import shutil
import tempfile


class StagingError(Exception):
    """An output path that cannot be written (a usage error for the CLI)."""


class Staged:
    """Temporary paths for the outputs of one run.

    Use as a context manager: :meth:`path` gives where to write each output,
    :meth:`commit` renames them all into place; leaving the ``with`` block
    without a commit (an exception) removes every temporary.

    Parameters
    ----------
    files : dict of str to path-like or None
        Option name (for messages, e.g. ``"--json"``) to target file.
    dirs : dict of str to path-like or None
        Option name to target directory (created at commit if missing;
        files already in it that the run does not write are kept).
    """

    def __init__(self, files=None, dirs=None):
        self._files = {k: pathlib.Path(v) for k, v in (files or {}).items() if v is not None}
        self._dirs = {k: pathlib.Path(v) for k, v in (dirs or {}).items() if v is not None}
        for option, target in self._files.items():
            self._check_parent(option, target)
            if target.is_dir():
                raise StagingError(f"{option} {target}: is a directory")
        for option, target in self._dirs.items():
            self._check_parent(option, target)
            if target.exists() and not target.is_dir():
                raise StagingError(f"{option} {target}: exists and is not a directory")
        self._temps = {}

    @staticmethod
    def _check_parent(option, target):
        parent = target.parent
        if not parent.is_dir():
            raise StagingError(f"{option} {target}: directory {parent} does not exist")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise StagingError(f"{option} {target}: directory {parent} is not writable")

    def __enter__(self):
        try:
            for option, target in self._files.items():
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                            dir=target.parent)
                os.close(fd)
                self._temps[option] = pathlib.Path(name)
            for option, target in self._dirs.items():
                self._temps[option] = pathlib.Path(tempfile.mkdtemp(
                    prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        except BaseException:
            self._discard()
            raise
        return self

    def path(self, option):
        """Where to write the output of ``option`` (a temporary path)."""
        return self._temps[option]

    def target(self, option):
        """The final path of ``option``'s output."""
        return {**self._files, **self._dirs}[option]

    def commit(self):
        """Rename every temporary into place; returns the final paths.

        Files are renamed with ``os.replace`` (atomic); a directory's files
        are moved one by one into the target directory (created if
        missing).  A failure here (a full disk between checks and commit,
        a target removed meanwhile) removes what this call created.
        """
        created, done = [], []
        try:
            for option, target in self._dirs.items():
                if not target.exists():
                    target.mkdir()
                    created.append(target)
                for item in sorted(self._temps[option].iterdir()):
                    os.replace(item, target / item.name)
                    done.append(target / item.name)
            for option, target in self._files.items():
                os.replace(self._temps[option], target)
                done.append(target)
        except BaseException:
            for path in created:
                shutil.rmtree(path, ignore_errors=True)
            raise
        finally:
            self._discard()
        return done

    def _discard(self):
        for temp in self._temps.values():
            if temp.is_dir():
                shutil.rmtree(temp, ignore_errors=True)
            else:
                temp.unlink(missing_ok=True)
        self._temps = {}

    def __exit__(self, *exc):
        self._discard()
        return False
