"""File ops: `tf.read_file`, `tf.write_file` and `tf.matching_files` (also `tf.io.*`).

Filenames and contents are string tensors (NumPy object arrays of `bytes`). The ops are stateful: they
touch the file system, so a plan never folds, merges or reorders them, and each run reads the file anew.
"""
import glob
import os

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op, make_tensor

__all__ = ["read_file", "write_file", "matching_files"]


def scalar_bytes(value):
    """A fed or computed scalar string value as `bytes` (str is UTF-8 encoded)."""
    value = np.asarray(value, dtype=object)
    if value.ndim != 0:
        raise ValueError("expected a scalar string, got shape %s" % (list(value.shape),))
    item = value[()]
    return item.encode("utf-8") if isinstance(item, str) else bytes(item)


def string_scalar(data):
    """`data` as the 0-d object array a scalar string kernel returns."""
    out = np.empty((), dtype=object)
    out[()] = bytes(data)
    return out


def check_scalar_string(tensor, what, op_type):
    """TypeError/ValueError unless `tensor` is a (possibly unknown-shape) scalar string."""
    if tensor.dtype is not dtypes.string:
        raise TypeError("Input '%s' of '%s' Op has type %s that does not match expected type of string."
                        % (what, op_type, tensor.dtype.name))
    if tensor.shape.ndims not in (None, 0):
        raise ValueError("Shape must be rank 0 but is rank %d for '%s' of '%s'"
                         % (tensor.shape.ndims, what, op_type))


def _os_error(op, error, filename):
    """The tf.errors class TF raises for an OSError on `filename`, with the file named."""
    name = os.fsdecode(filename)
    if isinstance(error, FileNotFoundError):
        return errors.NotFoundError(None, op, "%s; No such file or directory" % name)
    if isinstance(error, PermissionError):
        return errors.PermissionDeniedError(None, op, "%s; Permission denied" % name)
    if isinstance(error, IsADirectoryError):
        return errors.FailedPreconditionError(None, op, "%s; Is a directory" % name)
    return errors.UnknownError(None, op, "%s; %s" % (name, error.strerror or error))


@register
class ReadFile(OpDef):
    """The whole contents of the file named by a scalar string."""

    stateful = True
    differentiable = False
    foldable = False

    def infer(self, op):
        check_scalar_string(op.inputs[0], "filename", self.type)
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        def read(filename):
            filename = scalar_bytes(filename)
            try:
                with open(filename, "rb") as handle:
                    return string_scalar(handle.read())
            except OSError as error:
                raise _os_error(op, error, filename) from None
        return read


def read_file(filename, name=None):
    """`tf.read_file(filename)` (`tf.io.read_file`): a scalar string holding the entire contents of the
    file `filename`; NotFoundError naming it when it does not exist."""
    filename = convert_to_tensor(filename, dtype=dtypes.string, name="filename")
    return make_tensor("ReadFile", [filename], name=name or "ReadFile")


@register
class WriteFile(OpDef):
    """Writes a scalar string to the named file (replacing it), creating missing parent directories."""

    stateful = True
    differentiable = False
    foldable = False

    def infer(self, op):
        check_scalar_string(op.inputs[0], "filename", self.type)
        check_scalar_string(op.inputs[1], "contents", self.type)
        return []

    def kernel(self, op, ctx):
        def write(filename, contents):
            filename = scalar_bytes(filename)
            try:
                directory = os.path.dirname(filename)
                if directory:
                    os.makedirs(directory, exist_ok=True)
                with open(filename, "wb") as handle:
                    handle.write(scalar_bytes(contents))
            except OSError as error:
                raise _os_error(op, error, filename) from None

        return write


def write_file(filename, contents, name=None):
    """`tf.write_file(filename, contents)` (`tf.io.write_file`): an op that writes the scalar string
    `contents` to the file `filename`, creating its directory if needed."""
    filename = convert_to_tensor(filename, dtype=dtypes.string, name="filename")
    contents = convert_to_tensor(contents, dtype=dtypes.string, name="contents")
    return make_op("WriteFile", [filename, contents], name=name or "WriteFile")


@register
class MatchingFiles(OpDef):
    """The sorted names of the files matching a glob pattern (or any of a vector of patterns)."""

    stateful = True
    differentiable = False
    foldable = False

    def infer(self, op):
        pattern = op.inputs[0]
        if pattern.dtype is not dtypes.string:
            raise TypeError("Input 'pattern' of 'MatchingFiles' Op has type %s that does not match "
                            "expected type of string." % pattern.dtype.name)
        if pattern.shape.ndims not in (None, 0, 1):
            raise ValueError("Shape must be at most rank 1 but is rank %d for 'pattern' of 'MatchingFiles'"
                             % pattern.shape.ndims)
        return [(dtypes.string, TensorShape([None]))]

    def kernel(self, op, ctx):
        def match(pattern):
            patterns = np.asarray(pattern, dtype=object).reshape(-1)
            names = sorted(set(name for p in patterns for name in glob.glob(scalar_bytes(p))))
            out = np.empty(len(names), dtype=object)
            out[:] = names
            return out
        return match


def matching_files(pattern, name=None):
    """`tf.matching_files(pattern)` (`tf.io.matching_files`): the sorted 1-D string tensor of the file
    names matching the glob `pattern` (a scalar or a vector of patterns); empty when none match."""
    pattern = convert_to_tensor(pattern, dtype=dtypes.string, name="pattern")
    return make_tensor("MatchingFiles", [pattern], name=name or "MatchingFiles")
