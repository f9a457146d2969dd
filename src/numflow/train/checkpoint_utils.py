"""Checkpoint files: the 'checkpoint' state file, finding the latest checkpoint, and reading checkpoints.

`tf.train.latest_checkpoint`, `get_checkpoint_state`, `update_checkpoint_state`, `checkpoint_exists`,
`get_checkpoint_mtimes`, `remove_checkpoint`, `list_variables`, `load_variable`, `load_checkpoint`,
`NewCheckpointReader`, `init_from_checkpoint`, `summary_iterator`. Checkpoints are TensorFlow's V2 tensor
bundles (see `numflow.io.bundle`), so files written by TensorFlow and by numflow are interchangeable.
The state file is the text protocol buffer TensorFlow writes:

    model_checkpoint_path: "model.ckpt-7"
    all_model_checkpoint_paths: "model.ckpt-5"
    all_model_checkpoint_paths: "model.ckpt-7"
"""
import glob
import logging
import os
import re

from ..io import bundle as _bundle
from ..io.events import summary_iterator

__all__ = ["latest_checkpoint", "get_checkpoint_state", "update_checkpoint_state", "checkpoint_exists",
           "get_checkpoint_mtimes", "remove_checkpoint", "generate_checkpoint_state_proto", "CheckpointState",
           "list_variables", "load_variable", "load_checkpoint", "NewCheckpointReader", "CheckpointReader",
           "init_from_checkpoint", "summary_iterator"]

_log = logging.getLogger("numflow")


# --- the state file ------------------------------------------------------------------------------
class CheckpointState:
    """The contents of a 'checkpoint' file (TF's CheckpointState proto)."""

    def __init__(self, model_checkpoint_path="", all_model_checkpoint_paths=None,
                 all_model_checkpoint_timestamps=None, last_preserved_timestamp=None):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths or [])
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps or [])
        self.last_preserved_timestamp = last_preserved_timestamp

    def __eq__(self, other):
        return isinstance(other, CheckpointState) and str(self) == str(other)

    def __str__(self):
        lines = []
        if self.model_checkpoint_path:
            lines.append('model_checkpoint_path: "%s"' % _escape(self.model_checkpoint_path))
        for path in self.all_model_checkpoint_paths:
            lines.append('all_model_checkpoint_paths: "%s"' % _escape(path))
        for stamp in self.all_model_checkpoint_timestamps:
            lines.append("all_model_checkpoint_timestamps: %r" % float(stamp))
        if self.last_preserved_timestamp is not None:
            lines.append("last_preserved_timestamp: %r" % float(self.last_preserved_timestamp))
        return "".join(line + "\n" for line in lines)

    __repr__ = __str__


def _escape(text):
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char == "'":
            out.append("\\'")
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append("\\%03o" % byte)
    return "".join(out)


class _ParseError(ValueError):
    pass


_SIMPLE_ESCAPES = {"n": 10, "r": 13, "t": 9, '"': 34, "'": 39, "\\": 92, "a": 7, "b": 8, "f": 12, "v": 11,
                   "?": 63}


def _unescape(body):
    out = bytearray()
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out += char.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(body):
            raise _ParseError("dangling backslash")
        nxt = body[i + 1]
        if nxt in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[nxt])
            i += 2
        elif nxt in "01234567":
            match = re.match(r"[0-7]{1,3}", body[i + 1:])
            out.append(int(match.group(0), 8) & 0xFF)
            i += 1 + len(match.group(0))
        elif nxt in "xX":
            match = re.match(r"[0-9a-fA-F]{1,2}", body[i + 2:])
            if not match:
                raise _ParseError("bad \\x escape")
            out.append(int(match.group(0), 16))
            i += 2 + len(match.group(0))
        else:
            raise _ParseError("unknown escape \\%s" % nxt)
    return out.decode("utf-8", errors="surrogateescape")


_LINE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'|'
                   r'([-+0-9.eEinfINFaA]+))\s*(?:#.*)?$')


def _parse_state(text):
    state = CheckpointState()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise _ParseError("line %d: cannot parse %r" % (number, line))
        key, dq, sq, num = match.groups()
        string = dq if dq is not None else sq
        if key in ("model_checkpoint_path", "all_model_checkpoint_paths"):
            if string is None:
                raise _ParseError("line %d: %s needs a string" % (number, key))
            value = _unescape(string)
            if key == "model_checkpoint_path":
                state.model_checkpoint_path = value
            else:
                state.all_model_checkpoint_paths.append(value)
        elif key in ("all_model_checkpoint_timestamps", "last_preserved_timestamp"):
            if num is None:
                raise _ParseError("line %d: %s needs a number" % (number, key))
            try:
                value = float(num)
            except ValueError:
                raise _ParseError("line %d: bad number %r" % (number, num)) from None
            if key == "last_preserved_timestamp":
                state.last_preserved_timestamp = value
            else:
                state.all_model_checkpoint_timestamps.append(value)
        else:
            raise _ParseError("line %d: unknown field %r" % (number, key))
    return state


def _state_filename(checkpoint_dir, latest_filename):
    return os.path.join(checkpoint_dir, latest_filename or "checkpoint")


def generate_checkpoint_state_proto(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                                    all_model_checkpoint_timestamps=None, last_preserved_timestamp=None):
    """A CheckpointState whose paths are relative to `save_dir` when `save_dir` is relative (as TF)."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [os.path.relpath(p, save_dir) if not os.path.isabs(p) else p for p in paths]
    return CheckpointState(model_checkpoint_path, paths, all_model_checkpoint_timestamps,
                           last_preserved_timestamp)


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None, save_relative_paths=False):
    """Writes the 'checkpoint' state file in `save_dir` atomically (temporary file, fsync, rename)."""
    save_dir = os.fspath(save_dir) or "."
    if save_relative_paths:
        if os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        all_model_checkpoint_paths = [os.path.relpath(p, save_dir) if os.path.isabs(p) else p
                                      for p in (all_model_checkpoint_paths or [])]
    state = generate_checkpoint_state_proto(save_dir, model_checkpoint_path, all_model_checkpoint_paths,
                                            all_model_checkpoint_timestamps, last_preserved_timestamp)
    filename = _state_filename(save_dir, latest_filename)
    if filename == _bundle.index_filename(state.model_checkpoint_path) or \
            filename == os.path.join(save_dir, state.model_checkpoint_path):
        raise RuntimeError("Save path '%s' conflicts with path used for checkpoint state.  Please use a "
                           "different save path." % model_checkpoint_path)
    _bundle.atomic_write(filename, [str(state).encode("utf-8")])


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The CheckpointState in `checkpoint_dir`, with relative paths joined to it; None when there is no
    (readable) state file. Paths outside `checkpoint_dir` ('../elsewhere/model', absolute paths elsewhere,
    symbolic links out of it) are dropped with a warning; when the newest one is, the state is ignored."""
    filename = _state_filename(checkpoint_dir, latest_filename)
    try:
        with open(filename, "rb") as handle:
            text = handle.read().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        _log.warning("%s: %s: Checkpoint ignored", filename, exc)
        return None
    try:
        state = _parse_state(text)
    except _ParseError as exc:
        _log.warning("%s: %s", type(exc).__name__, exc)
        _log.warning("%s: Checkpoint ignored", filename)
        return None
    if not state.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from " + checkpoint_dir)
    state.model_checkpoint_path = _in_folder(checkpoint_dir, state.model_checkpoint_path)
    paths = [_in_folder(checkpoint_dir, p) for p in state.all_model_checkpoint_paths]
    outside = [p for p, full in zip(state.all_model_checkpoint_paths, paths) if full is None]
    if outside:
        _log.warning("%s names checkpoints outside %s, which are ignored (a state file may only name "
                     "checkpoints in its own folder; pass such a path to restore() explicitly): %s",
                     filename, checkpoint_dir, ", ".join(outside))
        if len(state.all_model_checkpoint_timestamps) == len(paths):
            state.all_model_checkpoint_timestamps = [
                t for t, full in zip(state.all_model_checkpoint_timestamps, paths) if full is not None]
    state.all_model_checkpoint_paths = [p for p in paths if p is not None]
    if state.model_checkpoint_path is None:
        _log.warning("%s: its model_checkpoint_path lies outside %s: Checkpoint ignored", filename,
                     checkpoint_dir)
        return None
    return state


def _in_folder(checkpoint_dir, path):
    """`path` (joined to `checkpoint_dir` when relative) if it lies in that folder or below, symbolic links
    resolved; else the checkpoint of the same name in the folder if there is one (the folder was moved or
    copied: its state file still holds the old absolute paths); else None. State files can come from
    anywhere, and their paths are used to restore and, through max_to_keep, to delete files, so they are
    confined to their folder (TF trusts them)."""
    full = path if os.path.isabs(path) else os.path.join(checkpoint_dir, path)
    folder = os.path.realpath(checkpoint_dir)
    try:
        if os.path.commonpath([folder, os.path.realpath(full)]) == folder:
            return full
    except ValueError:          # different drives on Windows
        pass
    local = os.path.join(checkpoint_dir, os.path.basename(full))
    if os.path.basename(full) and os.path.exists(_bundle.index_filename(local)) and \
            os.path.realpath(os.path.dirname(local)) == folder:
        _log.info("Checkpoint %s named by the state file in %s is read from that folder as %s", path,
                  checkpoint_dir, local)
        return local
    return None


def checkpoint_exists(checkpoint_prefix):
    """True when a V2 checkpoint (PREFIX.index) or a V1 file matching the pattern exists (completing a
    save to it that was interrupted after it committed, see `numflow.io.bundle`)."""
    _bundle.recover_interrupted_save(checkpoint_prefix)
    if os.path.exists(_bundle.index_filename(checkpoint_prefix)):
        return True
    return bool(glob.glob(checkpoint_prefix)) and not os.path.isdir(checkpoint_prefix)


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """`tf.train.latest_checkpoint(dir)`: the prefix of the newest checkpoint named by the state file, or
    None when there is none (or its files are gone)."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if checkpoint_exists(state.model_checkpoint_path):
            return state.model_checkpoint_path
        _log.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


def get_checkpoint_mtimes(checkpoint_prefixes):
    """Modification times of the checkpoints' index files (missing ones are skipped)."""
    times = []
    for prefix in checkpoint_prefixes:
        try:
            times.append(os.path.getmtime(_bundle.index_filename(prefix)))
        except OSError:
            try:
                times.append(os.path.getmtime(prefix))
            except OSError:
                pass
    return times


def remove_checkpoint(checkpoint_prefix, checkpoint_format_version=2, meta_graph_suffix="meta"):
    """Deletes a checkpoint's index, data and .meta files (missing files are ignored)."""
    paths = [_bundle.index_filename(checkpoint_prefix), checkpoint_prefix + "." + meta_graph_suffix]
    paths += glob.glob(glob.escape(checkpoint_prefix) + ".data-?????-of-?????")
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            _log.warning("Ignoring: failed to delete %s: %s", path, exc)


# --- reading -------------------------------------------------------------------------------------
class CheckpointReader:
    """`tf.train.NewCheckpointReader(prefix)`: reads the tensors of one checkpoint."""

    def __init__(self, filepattern):
        if not isinstance(filepattern, (str, os.PathLike)):
            raise TypeError("NewCheckpointReader expects a checkpoint prefix string, got %r" % (filepattern,))
        self._prefix = os.fspath(filepattern)
        self._reader = _bundle.BundleReader(self._prefix)

    @property
    def prefix(self):
        return self._prefix

    def has_tensor(self, tensor_str):
        return self._reader.has_tensor(tensor_str)

    def get_tensor(self, tensor_str):
        """The tensor's value as a NumPy array (a NumPy scalar for 0-d tensors, bytes for 0-d strings)."""
        value = self._reader.read(tensor_str)
        return value[()] if value.ndim == 0 else value

    def get_variable_to_shape_map(self):
        return {name: list(entry.shape) for name, entry in self._reader.entries.items()}

    def get_variable_to_dtype_map(self):
        from ..framework import dtypes
        out = {}
        for name, entry in self._reader.entries.items():
            try:
                out[name] = dtypes.as_dtype(int(entry.dtype_enum))
            except TypeError:
                out[name] = _bundle.dtype_name(entry.dtype_enum)
        return out

    def debug_string(self):
        lines = []
        for name in sorted(self._reader.entries):
            entry = self._reader.entries[name]
            lines.append("%s (%s) %s" % (name, _bundle.dtype_name(entry.dtype_enum), list(entry.shape)))
        return ("\n".join(lines) + "\n").encode("utf-8")

    def _entry(self, name):
        return self._reader.entry(name)


def NewCheckpointReader(filepattern):  # noqa: N802 - TF's name
    """`tf.train.NewCheckpointReader(prefix)`; NotFoundError when there is no such checkpoint."""
    return CheckpointReader(filepattern)


def _get_checkpoint_filename(ckpt_dir_or_file):
    ckpt_dir_or_file = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(ckpt_dir_or_file):
        found = latest_checkpoint(ckpt_dir_or_file)
        if found is None:
            raise ValueError("Couldn't find 'checkpoint' file or checkpoints in given directory %s"
                             % ckpt_dir_or_file)
        return found
    return ckpt_dir_or_file


def load_checkpoint(ckpt_dir_or_file):
    """A CheckpointReader for a checkpoint prefix, or for the latest checkpoint of a directory."""
    return NewCheckpointReader(_get_checkpoint_filename(ckpt_dir_or_file))


def load_variable(ckpt_dir_or_file, name):
    """`tf.train.load_variable(ckpt, name)`: one tensor's value (a ':0' suffix is ignored)."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file):
    """`tf.train.list_variables(ckpt)`: sorted [(name, shape list)]."""
    reader = load_checkpoint(ckpt_dir_or_file)
    shapes = reader.get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


# --- init_from_checkpoint ------------------------------------------------------------------------
def _set_initializer(variable, value):
    from ..ops.constant import constant
    from ..ops.state import assign
    from ..framework.graph import control_dependencies
    graph = variable.graph
    with graph.as_default(), control_dependencies(None), graph.name_scope(variable.op.name + "/"):
        init = assign(variable._ref, constant(value, dtype=variable.dtype, name="checkpoint_initializer_value"),
                      name="checkpoint_initializer")
    variable._initializer_op = init.op
    variable._initial_value = init.op.inputs[1]


def init_from_checkpoint(ckpt_dir_or_file, assignment_map):
    """`tf.train.init_from_checkpoint(ckpt, {'ckpt_scope/': 'scope/', 'ckpt_name': 'var_name' or var})`:
    makes the variables' initializers load values from the checkpoint (read now, when this is called)."""
    from ..framework.graph import get_default_graph
    from ..framework.graph import GraphKeys
    from ..variables import Variable
    reader = load_checkpoint(ckpt_dir_or_file)
    variable_map = reader.get_variable_to_shape_map()
    store = {}
    for v in get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES) + \
            get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES):
        store.setdefault(v.op.name, v)

    def assign_from(variable, tensor_name):
        value = reader.get_tensor(tensor_name)
        shape = tuple(getattr(value, "shape", ()))
        if not variable.shape.is_compatible_with(shape):
            raise ValueError("Shape of variable %s (%s) doesn't match with shape of tensor %s (%s) from "
                             "checkpoint reader." % (variable.name, variable.shape, tensor_name, list(shape)))
        if reader._entry(tensor_name).dtype is not variable.dtype:
            raise ValueError("Dtype of variable %s (%s) doesn't match with dtype of tensor %s (%s) from "
                             "checkpoint reader." % (variable.name, variable.dtype.name, tensor_name,
                                                     _bundle.dtype_name(reader._entry(tensor_name).dtype_enum)))
        _set_initializer(variable, value)

    for tensor_name, current in sorted(assignment_map.items(), key=lambda kv: kv[0]):
        variable = current if isinstance(current, Variable) else store.get(current)
        if variable is not None:
            if tensor_name not in variable_map:
                raise ValueError("Tensor %s is not found in %s checkpoint %s"
                                 % (tensor_name, ckpt_dir_or_file, variable_map))
            assign_from(variable, tensor_name)
            continue
        scopes = current[:current.rindex("/")] if "/" in current else ""
        if not tensor_name.endswith("/"):
            raise ValueError("Assignment map with scope only name {} should map to scope only {}. Should be "
                             "'scope/': 'other_scope/'.".format(scopes, tensor_name))
        for var_name in sorted(store):
            if scopes and not var_name.startswith(scopes + "/"):
                continue
            full = var_name[len(scopes):]
            if current != "/":
                full = full[1:]
            if tensor_name != "/":
                full = tensor_name + full
            if full.endswith("/"):
                full = full[:-1]
            if full not in variable_map:
                raise ValueError("Tensor %s (%s in %s) is not found in %s checkpoint"
                                 % (full, var_name[len(scopes) + 1:], tensor_name, ckpt_dir_or_file))
            assign_from(store[var_name], full)
