"""`tf.gfile` and `tf.io.gfile`: TF1's file API, for the local filesystem.

Both spellings are here: TF1's `Exists`, `GFile`, `MakeDirs`, ... and `tf.io.gfile`'s `exists`, `GFile`,
`makedirs`, .... Failures raise the `tf.errors` classes TF raises (`NotFoundError`, `AlreadyExistsError`,
`PermissionDeniedError`, `FailedPreconditionError`); each also derives from the matching built-in `OSError`
subclass, so `except FileNotFoundError` works as well. Paths may be `str`, `bytes` or path-like; URLs with
a scheme (`gs://`, `hdfs://`) are not supported.
"""
import errno as _errno
import glob as _glob
import os as _os
import shutil as _shutil
import stat as _stat

from ..framework import errors as _errors

__all__ = ["GFile", "Open", "FastGFile", "Exists", "IsDirectory", "ListDirectory", "MakeDirs", "MkDir",
           "Remove", "Rename", "Copy", "Glob", "DeleteRecursively", "Stat", "Walk", "exists", "isdir",
           "listdir", "makedirs", "mkdir", "remove", "rename", "copy", "glob", "rmtree", "stat", "walk"]


class _NotFoundError(_errors.NotFoundError, FileNotFoundError):
    """`tf.errors.NotFoundError` that is also a `FileNotFoundError`."""


class _AlreadyExistsError(_errors.AlreadyExistsError, FileExistsError):
    """`tf.errors.AlreadyExistsError` that is also a `FileExistsError`."""


class _PermissionDeniedError(_errors.PermissionDeniedError, PermissionError):
    """`tf.errors.PermissionDeniedError` that is also a `PermissionError`."""


class _FailedPreconditionError(_errors.FailedPreconditionError, OSError):
    """`tf.errors.FailedPreconditionError` that is also an `OSError` (a folder where a file was expected...)."""


class _UnknownError(_errors.UnknownError, OSError):
    """Any other filesystem failure: `tf.errors.UnknownError` and `OSError`."""


def _path(path):
    path = _os.fspath(path)
    if isinstance(path, bytes):
        path = path.decode("utf-8")
    if "://" in path and not path.startswith("file://"):
        raise _errors.UnimplementedError(None, None, "File system scheme '%s' not implemented (numflow's gfile "
                                         "reads the local filesystem only; file: %s)"
                                         % (path.split("://", 1)[0], path))
    return path[len("file://"):] if path.startswith("file://") else path


def _translate(e, path):
    """The tf.errors exception for OSError `e` on `path`."""
    message = "%s; %s" % (path, e.strerror or e)
    if isinstance(e, FileNotFoundError):
        return _NotFoundError(None, None, message)
    if isinstance(e, FileExistsError):
        return _AlreadyExistsError(None, None, message)
    if isinstance(e, PermissionError):
        return _PermissionDeniedError(None, None, message)
    if isinstance(e, (IsADirectoryError, NotADirectoryError)) or e.errno in (_errno.ENOTEMPTY,):
        return _FailedPreconditionError(None, None, message)
    return _UnknownError(None, None, message)


class _Translating:
    def __init__(self, path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and isinstance(exc, OSError) and not isinstance(exc, _errors.OpError):
            raise _translate(exc, self.path) from exc
        return False


class GFile:
    """`tf.gfile.GFile(name, mode='r')`: a file object; text modes read and write `str`, 'b' modes `bytes`.

    Text is UTF-8 and line endings are left as they are (no newline translation), as in TF.
    """

    def __init__(self, name, mode="r"):
        self._name = name
        self._mode = mode
        path = _path(name)
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with _Translating(path):
            self._file = open(path, mode, **kwargs)  # noqa: SIM115 - closed by close() / __exit__

    @property
    def name(self):
        return self._name

    @property
    def mode(self):
        return self._mode

    @property
    def closed(self):
        return self._file.closed

    def _call(self, method, *args):
        with _Translating(_path(self._name)):
            return getattr(self._file, method)(*args)

    def read(self, n=-1):
        """Read `n` bytes or characters (all that is left when n is -1)."""
        return self._call("read", n)

    def readline(self):
        return self._call("readline")

    def readlines(self):
        return self._call("readlines")

    def write(self, file_content):
        """Write `file_content`; bytes written to a text-mode file are decoded as UTF-8 and vice versa."""
        if "b" in self._mode and isinstance(file_content, str):
            file_content = file_content.encode("utf-8")
        elif "b" not in self._mode and isinstance(file_content, (bytes, bytearray)):
            file_content = bytes(file_content).decode("utf-8")
        return self._call("write", file_content)

    def flush(self):
        self._call("flush")

    def seek(self, offset=None, whence=0, position=None):
        """Move to `offset` (TF1's older `position=` keyword is accepted too) relative to `whence`."""
        if position is not None:
            offset = position
        return self._call("seek", offset or 0, whence)

    def tell(self):
        return self._call("tell")

    def size(self):
        """The file's size in bytes."""
        if self._file.writable():
            self.flush()
        with _Translating(_path(self._name)):
            return _os.fstat(self._file.fileno()).st_size

    def seekable(self):
        return True

    def close(self):
        self._file.close()

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def __repr__(self):
        return "<numflow GFile %r mode %r>" % (self._name, self._mode)


Open = GFile
FastGFile = GFile


def Exists(filename):
    """True when `filename` (a file or a folder) exists."""
    return _os.path.exists(_path(filename))


def IsDirectory(dirname):
    """True when `dirname` is a folder."""
    return _os.path.isdir(_path(dirname))


def ListDirectory(dirname):
    """The names (not paths) of the entries in folder `dirname`, sorted; NotFoundError when it is missing."""
    path = _path(dirname)
    if not _os.path.isdir(path):
        raise _NotFoundError(None, None, "Could not find directory %s" % path)
    with _Translating(path):
        return sorted(_os.listdir(path))


def MakeDirs(dirname):
    """Create folder `dirname` and any missing parents; no error when it already exists."""
    path = _path(dirname)
    with _Translating(path):
        _os.makedirs(path, exist_ok=True)


def MkDir(dirname):
    """Create folder `dirname`, whose parent must exist; AlreadyExistsError when it exists."""
    path = _path(dirname)
    with _Translating(path):
        _os.mkdir(path)


def Remove(filename):
    """Delete file `filename`; NotFoundError when it is missing."""
    path = _path(filename)
    with _Translating(path):
        _os.remove(path)


def Rename(oldname, newname, overwrite=False):
    """Rename `oldname` to `newname`; AlreadyExistsError when `newname` exists and not `overwrite`."""
    old, new = _path(oldname), _path(newname)
    if not overwrite and _os.path.exists(new):
        raise _AlreadyExistsError(None, None, "file already exists: %s" % new)
    with _Translating(old):
        _os.replace(old, new)


def Copy(oldpath, newpath, overwrite=False):
    """Copy file `oldpath` to `newpath`; AlreadyExistsError when `newpath` exists and not `overwrite`."""
    old, new = _path(oldpath), _path(newpath)
    if not overwrite and _os.path.exists(new):
        raise _AlreadyExistsError(None, None, "file already exists: %s" % new)
    with _Translating(old):
        _shutil.copyfile(old, new)


def Glob(filename):
    """The sorted paths matching the wildcard pattern `filename` (or any of a list of patterns)."""
    patterns = [filename] if isinstance(filename, (str, bytes, _os.PathLike)) else list(filename)
    matches = set()
    for pattern in patterns:
        matches.update(_glob.glob(_path(pattern)))
    return sorted(matches)


def DeleteRecursively(dirname):
    """Delete folder `dirname` with everything in it (or `dirname` itself if it is a file)."""
    path = _path(dirname)
    if not _os.path.lexists(path):
        raise _NotFoundError(None, None, "%s; No such file or directory" % path)
    with _Translating(path):
        if _os.path.isdir(path) and not _os.path.islink(path):
            _shutil.rmtree(path)
        else:
            _os.remove(path)


class FileStatistics:
    """What `Stat` returns: `length` (bytes), `mtime_nsec` and `is_directory`."""

    def __init__(self, length, mtime_nsec, is_directory):
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory

    def __repr__(self):
        return "FileStatistics(length=%d, mtime_nsec=%d, is_directory=%s)" % (
            self.length, self.mtime_nsec, self.is_directory)


def Stat(filename):
    """`FileStatistics` for `filename`; NotFoundError when it is missing."""
    path = _path(filename)
    with _Translating(path):
        st = _os.stat(path)
    return FileStatistics(st.st_size, st.st_mtime_ns, _stat.S_ISDIR(st.st_mode))


def Walk(top, in_order=True):
    """Yield (folder, subfolder names, file names) for `top` and every folder below it.

    `in_order=True` lists a folder before its subfolders; nothing is yielded when `top` does not exist.
    """
    for dirpath, dirnames, filenames in _os.walk(_path(top), topdown=in_order):
        yield dirpath, dirnames, filenames


# tf.io.gfile's spellings
exists = Exists
isdir = IsDirectory
listdir = ListDirectory
makedirs = MakeDirs
mkdir = MkDir
remove = Remove
rename = Rename
glob = Glob
rmtree = DeleteRecursively
stat = Stat


def copy(src, dst, overwrite=False):
    """`tf.io.gfile.copy(src, dst, overwrite=False)`."""
    Copy(src, dst, overwrite)


def walk(top, topdown=True, onerror=None):
    """`tf.io.gfile.walk(top, topdown=True, onerror=None)`."""
    for entry in _os.walk(_path(top), topdown=topdown, onerror=onerror):
        yield entry
