"""`tf.train.Checkpoint`, `tf.train.CheckpointManager` and `tf.train.CheckpointOptions`: object-based
checkpoints in graph mode.

A Checkpoint names the objects it is given (`Checkpoint(model=model, optimizer=opt, step=v)`) and saves the
variables reachable from them under their paths, 'model/layer_with_weights-0/kernel/.ATTRIBUTES/
VARIABLE_VALUE', with the '_CHECKPOINTABLE_OBJECT_GRAPH' proto describing the objects, exactly as
TensorFlow's Checkpoint does (the writer and reader are those of numflow's Keras TF-format weights,
keras/saving/tf_format.py), so TensorFlow's tf.train.Checkpoint restores what numflow writes and numflow
restores TensorFlow's checkpoints of the same objects. Trackable here: tf.Variable, Keras models and
layers, tf.train.Optimizer (its non-slot variables such as Adam's 'beta1_power' by name, its slots per
tracked variable), and nested Checkpoints. Values are read and assigned with a Session (`session=`, else
the default one); restoring matches the objects that exist when `restore` is called (TensorFlow also
restores variables created later, which numflow does not).
"""
import os
import time

import numpy as np

from ..framework import dtypes, errors
from ..io import bundle
from . import checkpoint_utils

__all__ = ["Checkpoint", "CheckpointManager", "CheckpointOptions"]


def _tf_format():
    # Loaded on first use: the Keras package is heavy and tracking plain variables does not need it.
    from ..keras.saving import tf_format
    return tf_format


def _session(session):
    from ..client.session import get_default_session
    session = session or get_default_session()
    if session is None:
        raise ValueError("Unable to save or restore in graph mode without a session: pass `session=` or call "
                         "inside a `with tf.Session():` block.")
    return session


def _is_variable(value):
    from ..variables import Variable
    return isinstance(value, Variable)


def _is_keras_layer(value):
    try:
        from ..keras.engine.base_layer import Layer
    except ImportError:
        return False
    return isinstance(value, Layer)


def _is_trackable(value):
    from .optimizer import Optimizer
    return _is_variable(value) or _is_keras_layer(value) or isinstance(value, (Optimizer, Checkpoint))


class CheckpointOptions:
    """`tf.train.CheckpointOptions(experimental_io_device=None, experimental_enable_async_checkpoint=False)`:
    options of a save or restore. numflow writes in-process and synchronously, so the options are recorded
    and otherwise without effect."""

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False, experimental_sharding_callback=None,
                 experimental_skip_slot_variables=False):
        self.experimental_io_device = experimental_io_device
        self.experimental_enable_async_checkpoint = experimental_enable_async_checkpoint or enable_async
        self.experimental_skip_slot_variables = experimental_skip_slot_variables


class _TreeBuilder:
    """Builds the object graph of a Checkpoint's children (each object and variable one node)."""

    def __init__(self):
        self.memo = {}
        self.optimizers = []

    def node(self, value):
        tf_format = _tf_format() if _is_keras_layer(value) else None
        if id(value) in self.memo:
            return self.memo[id(value)]
        if _is_variable(value):
            node = self.memo[id(value)] = _node_class()(value)
            return node
        if tf_format is not None:
            from ..keras.saving import saving_utils
            if saving_utils.is_graph_network(value) or hasattr(value, "optimizer"):
                node = tf_format._model_tree(value)
                self._absorb(value, node)
                return node
            return tf_format._object_tree(value, self.memo)
        if isinstance(value, Checkpoint):
            node = self.memo[id(value)] = _node_class()()
            for name, child in value._children():
                node.children.append((name, self.node(child)))
            return node
        node = self.memo[id(value)] = _node_class()()         # an Optimizer: its slots are linked later
        self.optimizers.append((value, node))
        return node

    def _absorb(self, model, root):
        """Registers the variables of a Keras model's tree so other children share their nodes."""
        self.memo[id(model)] = root
        stack = [root]
        seen = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.variable is not None:
                self.memo.setdefault(id(node.variable), node)
            stack.extend(child for _, child in node.children)

    def link_optimizers(self):
        """An optimizer's children: its non-slot variables by name; its slots per variable in the tree."""
        graph_of = {}
        for optimizer, node in self.optimizers:
            for (name, graph), variable in sorted(optimizer._non_slot_dict.items(), key=lambda item: item[0][0]):
                graph_of[id(variable)] = graph
                node.children.append((name, self.node(variable)))
            for slot_name, by_variable in sorted(optimizer._slots.items()):
                for variable, slot in by_variable.items():
                    original = self.memo.get(id(variable))
                    if original is not None:
                        node.slots.append((original, slot_name, _node_class()(slot)))


def _node_class():
    return _tf_format()._ObjectNode


class _RestoreStatus:
    """What `Checkpoint.restore` returns: the matches between the checkpoint and the program's objects, applied
    by `run_restore_ops(session)` (or `initialize_or_restore(session)`), checked by the assert_* methods."""

    def __init__(self, checkpoint, matches, unmatched_keys, save_path):
        self._checkpoint = checkpoint
        self._matches = matches                    # [(variable, checkpoint key)]
        self._unmatched_keys = unmatched_keys      # checkpointed values no object took
        self._save_path = save_path
        self._reader = bundle.BundleReader(save_path) if save_path is not None else None

    def assert_consumed(self):
        """Raises AssertionError unless every checkpointed value matched an object and every tracked
        variable has a value in the checkpoint."""
        if self._save_path is None:
            raise AssertionError("No checkpoint specified (save_path=None); nothing is being restored.")
        if self._unmatched_keys:
            raise AssertionError("Unresolved object in checkpoint: values %s of %s matched no Python object."
                                 % (sorted(self._unmatched_keys), self._save_path))
        self.assert_existing_objects_matched()
        return self

    def assert_existing_objects_matched(self):
        """Raises AssertionError unless every variable reachable from the Checkpoint has a checkpointed value."""
        if self._save_path is None:
            raise AssertionError("No checkpoint specified (save_path=None); nothing is being restored.")
        matched = {id(v) for v, _ in self._matches}
        missing = [v.op.name for v in self._checkpoint._variables() if id(v) not in matched]
        if missing:
            raise AssertionError("Unresolved object in checkpoint %s: no value for the variables %s."
                                 % (self._save_path, sorted(missing)))
        return self

    def assert_nontrivial_match(self):
        """Raises AssertionError unless at least one variable matched a checkpointed value."""
        if self._save_path is None or not self._matches:
            raise AssertionError("Nothing except the root object matched a checkpointed value. Typically this "
                                 "means that the checkpoint does not match the Python program.")
        return self

    def expect_partial(self):
        """Silences warnings about unused values (numflow gives none); returns self."""
        return self

    def run_restore_ops(self, session=None):
        """Assigns the matched variables their checkpointed values, checking each shape first."""
        if self._save_path is None:
            return
        session = _session(session)
        pairs = []
        for variable, key in self._matches:
            entry = self._reader.entry(key)
            expected = tuple(variable.shape.as_list())
            if tuple(entry.shape) != expected:
                raise ValueError("The checkpoint value %r has shape %s, but the variable %s has shape %s."
                                 % (key, tuple(entry.shape), variable.name, expected))
            pairs.append((variable, self._reader.read(key).astype(variable.dtype.base_dtype.as_numpy_dtype)))
        for variable, value in pairs:
            variable.load(value, session)

    def initialize_or_restore(self, session=None):
        """Restores the matched variables and initializes the tracked variables the checkpoint lacks (all of
        them when restoring from None)."""
        session = _session(session)
        matched = {id(v) for v, _ in self._matches}
        unmatched = [v for v in self._checkpoint._variables() if id(v) not in matched]
        if unmatched:
            session.run([v.initializer for v in unmatched])
        self.run_restore_ops(session)


class Checkpoint:
    """`tf.train.Checkpoint(**kwargs)`: groups trackable objects (variables, Keras models and layers,
    optimizers, other Checkpoints) under the given names for object-based saving and restoring.

    `save(file_prefix, session=None)` writes '<file_prefix>-<save_counter>' and records it in the folder's
    'checkpoint' file; `write(file_prefix, session=None)` writes exactly at `file_prefix`; `restore(save_path)`
    / `read(save_path)` return a status whose `run_restore_ops(session)` assigns the values."""

    def __init__(self, **kwargs):
        from ..variables import Variable
        if "save_counter" in kwargs:
            raise ValueError("'save_counter' is reserved: the Checkpoint's own count of saves.")
        for name, value in kwargs.items():
            if not _is_trackable(value):
                raise ValueError("`Checkpoint` was expecting a trackable object (an object derived from "
                                 "`TrackableBase`), got %r for %r. If you believe this object should be "
                                 "trackable (i.e. it is part of the TensorFlow Python API and manages state), "
                                 "please open an issue." % (value, name))
        self._kwargs = dict(kwargs)
        from ..framework.graph import control_dependencies
        with control_dependencies(None):
            self._save_counter = Variable(0, dtype=dtypes.int64, trainable=False, name="save_counter")
            self._increment = self._save_counter.assign_add(1)
            from ..ops.state import is_variable_initialized
            self._counter_ready = is_variable_initialized(self._save_counter._ref)
        for name, value in kwargs.items():
            setattr(self, name, value)

    def _children(self):
        return list(self._kwargs.items()) + [("save_counter", self._save_counter)]

    def _tree(self):
        builder = _TreeBuilder()
        root = _node_class()()
        for name, value in self._children():
            root.children.append((name, builder.node(value)))
        builder.link_optimizers()
        return root

    def _variables(self):
        order = _tf_format()._breadth_first(self._tree())
        return [node.variable for node, _ in order if node.variable is not None]

    @property
    def save_counter(self):
        """The int64 variable counting `save` calls (it numbers the saved files)."""
        return self._save_counter

    def _ensure_counter(self, session):
        if not session.run(self._counter_ready):
            session.run(self._save_counter.initializer)

    def write(self, file_prefix, session=None, options=None):
        """Writes the tracked variables at `file_prefix` (no counter, no 'checkpoint' file); returns it."""
        tf_format = _tf_format()
        session = _session(session)
        self._ensure_counter(session)
        order = tf_format._breadth_first(self._tree())
        variables = [(node, path) for node, path in order if node.variable is not None]
        values = session.run([node.variable for node, _ in variables])
        tensors = {tf_format._value_key(path): (np.asarray(value), node.variable.dtype.base_dtype)
                   for (node, path), value in zip(variables, values)}
        tensors[tf_format.OBJECT_GRAPH_KEY] = (np.array(tf_format._serialize_object_graph(order), dtype=object),
                                               dtypes.string)
        file_prefix = os.fspath(file_prefix)
        bundle.write_bundle(file_prefix, tensors)
        return file_prefix

    def save(self, file_prefix, session=None, options=None):
        """Increments `save_counter`, writes '<file_prefix>-<count>' and makes it the folder's latest
        checkpoint; returns the path."""
        session = _session(session)
        self._ensure_counter(session)
        number = int(session.run(self._increment))
        path = self.write("%s-%d" % (os.fspath(file_prefix), number), session)
        folder = os.path.dirname(path) or "."
        checkpoint_utils.update_checkpoint_state(folder, path, [path], save_relative_paths=True)
        return path

    def read(self, save_path, options=None):
        """Matches the checkpoint at `save_path` to the tracked objects; returns the restore status."""
        return self.restore(save_path, options)

    def restore(self, save_path, options=None):
        """The restore status for `save_path` (None: nothing to restore, `initialize_or_restore` then
        initializes). Object-based checkpoints are matched along the object graph; a name-based one
        (tf.train.Saver) by the variables' names."""
        if save_path is None:
            return _RestoreStatus(self, [], set(), None)
        tf_format = _tf_format()
        save_path = os.fspath(save_path)
        reader = bundle.BundleReader(save_path)
        root = self._tree()
        if reader.has_tensor(tf_format.OBJECT_GRAPH_KEY):
            nodes = tf_format._parse_object_graph(bytes(reader.read(tf_format.OBJECT_GRAPH_KEY).reshape(-1)[0]),
                                                  reader.index_file)
            matches = tf_format._match_object_graph(root, nodes)
            saved_keys = {key for _, attributes, _ in nodes for key in attributes.values()}
        else:
            matches = [(v, v.op.name) for v in self._variables() if reader.has_tensor(v.op.name)]
            saved_keys = set(reader.entries)
        matches = [(v, key) for v, key in matches if reader.has_tensor(key)]
        unmatched = saved_keys - {key for _, key in matches} - {tf_format.OBJECT_GRAPH_KEY}
        return _RestoreStatus(self, matches, unmatched, save_path)


class CheckpointManager:
    """`tf.train.CheckpointManager(checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
    checkpoint_name='ckpt')`: saves `checkpoint` as '<directory>/<checkpoint_name>-<n>', keeping the newest
    `max_to_keep` (None: all) plus one every `keep_checkpoint_every_n_hours`, and maintains the directory's
    'checkpoint' file. It resumes the list an earlier manager left in that file."""

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt"):
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError("CheckpointManager expects a tf.train.Checkpoint, got %r" % (checkpoint,))
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError("Expected a positive integer or `None` for `max_to_keep`, got %d." % max_to_keep)
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_every_seconds = (keep_checkpoint_every_n_hours * 3600.0
                                    if keep_checkpoint_every_n_hours else None)
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._maybe_delete = []              # [(path, timestamp)] candidates for deletion, oldest first
        self._last_preserved = time.time()
        state = checkpoint_utils.get_checkpoint_state(self._directory)
        self._latest_checkpoint = None
        if state is not None:
            self._latest_checkpoint = state.model_checkpoint_path
            stamps = list(getattr(state, "all_model_checkpoint_timestamps", []) or [])
            paths = list(state.all_model_checkpoint_paths)
            for index, path in enumerate(paths):
                stamp = stamps[index] if len(stamps) == len(paths) else time.time()
                self._maybe_delete.append((path, stamp))
            preserved = getattr(state, "last_preserved_timestamp", None)
            if preserved:
                self._last_preserved = preserved

    @property
    def directory(self):
        """The folder the checkpoints are written to."""
        return self._directory

    @property
    def checkpoint(self):
        """The managed Checkpoint."""
        return self._checkpoint

    @property
    def latest_checkpoint(self):
        """The prefix of the newest checkpoint, or None before the first save."""
        return self._latest_checkpoint

    @property
    def checkpoints(self):
        """The managed checkpoints still kept, oldest first."""
        return [path for path, _ in self._maybe_delete]

    def _sweep(self):
        if self._max_to_keep is None:
            return
        while len(self._maybe_delete) > self._max_to_keep:
            path, stamp = self._maybe_delete.pop(0)
            if self._keep_every_seconds is not None and stamp - self._keep_every_seconds >= self._last_preserved:
                self._last_preserved = stamp        # kept for good: leaves the managed list
                continue
            checkpoint_utils.remove_checkpoint(path)

    def save(self, checkpoint_number=None, session=None, check_interval=True, options=None):
        """Saves a checkpoint numbered `checkpoint_number` (default: the incremented save_counter), deletes the
        ones beyond `max_to_keep`, updates the 'checkpoint' file; returns the path."""
        session = _session(session)
        checkpoint = self._checkpoint
        checkpoint._ensure_counter(session)
        counted = int(session.run(checkpoint._increment))
        number = counted if checkpoint_number is None else int(session.run(checkpoint_number)
                                                              if hasattr(checkpoint_number, "op")
                                                              else checkpoint_number)
        path = checkpoint.write("%s-%d" % (self._prefix, number), session)
        now = time.time()
        self._maybe_delete = [(p, s) for p, s in self._maybe_delete if p != path] + [(path, now)]
        self._latest_checkpoint = path
        self._sweep()
        checkpoint_utils.update_checkpoint_state(
            self._directory, path, self.checkpoints,
            all_model_checkpoint_timestamps=[s for _, s in self._maybe_delete],
            last_preserved_timestamp=self._last_preserved, save_relative_paths=True)
        return path
