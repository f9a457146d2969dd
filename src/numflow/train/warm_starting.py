"""`tf.train.warm_start` and `tf.train.VocabInfo`: initialise a new model's variables from another model's
checkpoint, selected by regular expression or list, renamed where the names changed, and with embedding or
output-layer rows remapped when the vocabulary changed.

As `init_from_checkpoint`, warm-starting replaces the variables' initializers, so the values are loaded
when the variables are initialised (`tf.global_variables_initializer()` or a Scaffold). The checkpoint is
read when `warm_start` is called.
"""
import collections

import numpy as np

from ..framework.graph import GraphKeys, control_dependencies, get_default_graph
from . import checkpoint_utils

__all__ = ["VocabInfo", "warm_start"]


class VocabInfo(collections.namedtuple("VocabInfo", ["new_vocab", "new_vocab_size", "num_oov_buckets", "old_vocab",
                                                     "old_vocab_size", "backup_initializer", "axis"])):
    """`tf.train.VocabInfo(new_vocab, new_vocab_size, num_oov_buckets, old_vocab, old_vocab_size=-1,
    backup_initializer=None, axis=0)`: how to warm-start a variable whose rows (axis 0, an embedding) or
    columns (axis 1, an output layer) follow a vocabulary file. Each entry of the first `new_vocab_size` lines
    of `new_vocab` takes the slice of its entry in the first `old_vocab_size` lines (-1: all) of `old_vocab`;
    entries new to the vocabulary and the `num_oov_buckets` trailing slices take `backup_initializer`'s
    values (zeros when None)."""

    def __new__(cls, new_vocab, new_vocab_size, num_oov_buckets, old_vocab, old_vocab_size=-1,
                backup_initializer=None, axis=0):
        if axis not in (0, 1):
            raise ValueError("The only supported values for the axis argument are 0 and 1.  Provided axis: %s"
                             % (axis,))
        if new_vocab_size is None or new_vocab_size < 1:
            raise ValueError("new_vocab_size must be a positive integer, got %r" % (new_vocab_size,))
        if num_oov_buckets is None or num_oov_buckets < 0:
            raise ValueError("num_oov_buckets must be a non-negative integer, got %r" % (num_oov_buckets,))
        return super().__new__(cls, new_vocab, int(new_vocab_size), int(num_oov_buckets), old_vocab,
                               int(old_vocab_size), backup_initializer, axis)


def _vocabulary(path, size, what):
    """The first `size` entries (all when size is -1) of the vocabulary file `path`, one per line."""
    try:
        with open(path, "rb") as handle:
            lines = handle.read().split(b"\n")
    except OSError as error:
        raise ValueError("Cannot read the %s vocabulary %s: %s" % (what, path, error)) from None
    if lines and lines[-1] == b"":
        lines = lines[:-1]
    lines = [line.rstrip(b"\r") for line in lines]
    if size != -1 and size > len(lines):
        raise ValueError("The %s vocabulary %s has %d entries, fewer than its size %d." % (what, path, len(lines),
                                                                                          size))
    return lines if size == -1 else lines[:size]


def _selected_variables(vars_to_warm_start):
    from ..variables import Variable
    graph = get_default_graph()
    if vars_to_warm_start is None:
        return []
    if isinstance(vars_to_warm_start, str):
        return graph.get_collection(GraphKeys.TRAINABLE_VARIABLES, scope=vars_to_warm_start)
    items = list(vars_to_warm_start)
    if all(isinstance(item, str) for item in items):
        found = []
        for scope in items:
            found.extend(v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=scope) if v not in found)
        return found
    if all(isinstance(item, Variable) for item in items):
        return items
    raise ValueError("vars_to_warm_start must be a regular expression, a list of them, a list of Variables or "
                     "None; got %r" % (vars_to_warm_start,))


def _set_initial_value(variable, value):
    """Makes `variable`'s initializer assign the tensor `value`."""
    from ..ops.state import assign
    graph = variable.graph
    with graph.as_default(), control_dependencies(None), graph.name_scope(variable.op.name + "/"):
        init = assign(variable._ref, value(), name="warm_start_initializer")
    variable._initializer_op = init.op
    variable._initial_value = init.op.inputs[1]


def _warm_start_with_vocabulary(variable, reader, previous_name, info):
    from ..ops import math as math_ops
    from ..ops.constant import constant
    old = reader.get_tensor(previous_name)
    shape = variable.shape.as_list()
    axis = info.axis
    if len(shape) != old.ndim or (axis == 0 and shape[1:] != list(old.shape[1:])) or \
            (axis == 1 and (shape[0] != old.shape[0] or shape[2:] != list(old.shape[2:]))):
        raise ValueError("Variable %s has shape %s, which does not fit the checkpoint's %s %s outside the vocabulary "
                         "axis %d." % (variable.op.name, shape, previous_name, list(old.shape), axis))
    if shape[axis] != info.new_vocab_size + info.num_oov_buckets:
        raise ValueError("Variable %s has %d entries along axis %d, but VocabInfo describes %d (new_vocab_size %d + "
                         "num_oov_buckets %d)." % (variable.op.name, shape[axis], axis,
                                                  info.new_vocab_size + info.num_oov_buckets, info.new_vocab_size,
                                                  info.num_oov_buckets))
    new_entries = _vocabulary(info.new_vocab, info.new_vocab_size, "new")
    old_entries = _vocabulary(info.old_vocab, info.old_vocab_size, "old")
    if len(old_entries) > old.shape[axis]:
        raise ValueError("The old vocabulary %s has %d entries, but %s has only %d along axis %d."
                         % (info.old_vocab, len(old_entries), previous_name, old.shape[axis], axis))
    old_index = {}
    for position, entry in enumerate(old_entries):
        old_index.setdefault(entry, position)
    sources = np.array([old_index.get(entry, -1) for entry in new_entries] + [-1] * info.num_oov_buckets)
    found = sources >= 0
    remapped = np.zeros(shape, dtype=variable.dtype.np)
    taken = np.take(old, sources[found], axis=axis)
    if axis == 0:
        remapped[found] = taken
    else:
        remapped[:, found] = taken
    mask_shape = [1] * len(shape)
    mask_shape[axis] = shape[axis]
    keep = found.reshape(mask_shape).astype(variable.dtype.np)

    def value():
        base = constant(remapped, dtype=variable.dtype, name="remapped_value")
        if info.backup_initializer is None or found.all():
            return base
        backup = info.backup_initializer(shape, dtype=variable.dtype)
        return math_ops.add(base, backup * constant(1 - keep, dtype=variable.dtype), name="with_backup")
    _set_initial_value(variable, value)


def warm_start(ckpt_to_initialize_from, vars_to_warm_start=".*", var_name_to_vocab_info=None,
               var_name_to_prev_var_name=None):
    """`tf.train.warm_start(ckpt_to_initialize_from, vars_to_warm_start='.*', var_name_to_vocab_info=None,
    var_name_to_prev_var_name=None)`: initialises the selected variables from the checkpoint (a file prefix or
    a folder). `vars_to_warm_start` is a regular expression over the trainable variables' names, a list of
    regular expressions over all global variables, a list of Variables, or None (none). A variable is read
    from the checkpoint under its own name unless `var_name_to_prev_var_name` renames it; one listed in
    `var_name_to_vocab_info` has its vocabulary axis remapped (see VocabInfo). Names in either map that no
    selected variable has are a ValueError."""
    vocab_infos = dict(var_name_to_vocab_info or {})
    previous_names = dict(var_name_to_prev_var_name or {})
    reader = checkpoint_utils.load_checkpoint(ckpt_to_initialize_from)
    used_vocab, used_previous = set(), set()
    for variable in _selected_variables(vars_to_warm_start):
        name = variable.op.name
        previous_name = previous_names.get(name, name)
        if name in previous_names:
            used_previous.add(name)
        if not reader.has_tensor(previous_name):
            raise ValueError("Tensor %s (for the variable %s) is not found in the checkpoint %s."
                             % (previous_name, name, ckpt_to_initialize_from))
        info = vocab_infos.get(name)
        if info is not None:
            used_vocab.add(name)
            _warm_start_with_vocabulary(variable, reader, previous_name, info)
        else:
            checkpoint_utils.init_from_checkpoint(ckpt_to_initialize_from, {previous_name: variable})
    unused_vocab = sorted(set(vocab_infos) - used_vocab)
    if unused_vocab:
        raise ValueError("You provided the following variables in var_name_to_vocab_info that did not get "
                         "warm-started: %s" % unused_vocab)
    unused_previous = sorted(set(previous_names) - used_previous)
    if unused_previous:
        raise ValueError("You provided the following variables in var_name_to_prev_var_name that did not get "
                         "warm-started: %s" % unused_previous)
