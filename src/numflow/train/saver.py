"""`tf.train.Saver`: saves and restores variables as TensorFlow V2 checkpoints, and `.meta` graphs.

Files of a checkpoint at prefix 'dir/model.ckpt-7': 'model.ckpt-7.index' and
'model.ckpt-7.data-00000-of-00001' (TensorFlow's tensor-bundle format: real TensorFlow restores them, and
numflow restores TensorFlow's), 'model.ckpt-7.meta' (TensorFlow's MetaGraphDef, with the save/restore
subgraph TF's Saver would have built, see `numflow.io.meta_graph`) and the 'checkpoint' state file.
Every file is written to a temporary file in the same folder (mode 0666 less the umask), fsynced and
renamed into place; the data file and the index are renamed under a commit journal, so a save killed at
any point, even one overwriting the same prefix, leaves the old or the new checkpoint complete (see
`numflow.io.bundle`), and the state file is replaced only once both are in place. The state file's paths
are confined to its folder when read (see `checkpoint_utils.get_checkpoint_state`).
"""
import os
import time
import warnings

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import GraphKeys, Tensor, get_default_graph
from ..io import bundle as _bundle
from ..io import meta_graph as _meta_graph
from ..io.meta_graph_proto import MetaGraphDef, SaverDef
from . import checkpoint_utils as _ckpt

__all__ = ["Saver", "SaverDef", "import_meta_graph", "export_meta_graph"]


def _is_variable(value):
    from ..variables import Variable
    return isinstance(value, Variable)


def _variable_op(value):
    """The VariableV2 op behind a Variable or a variable's ref tensor, else None."""
    if _is_variable(value):
        op = value.op
    elif isinstance(value, Tensor):
        op = value.op
    else:
        return None
    return op if op.type in ("VariableV2", "Variable", "VarHandleOp") else None


def _op_list_to_dict(var_list):
    """{checkpoint name: variable or tensor} from TF's accepted var_list forms."""
    if isinstance(var_list, dict):
        out = {}
        for name, value in var_list.items():
            if not isinstance(name, str):
                raise TypeError("Saver var_list keys must be names (strings), got %r" % (name,))
            if not (_is_variable(value) or isinstance(value, Tensor)):
                raise TypeError("Variable to save is not a Variable or Tensor: %r" % (value,))
            out[name] = value
        return out
    if isinstance(var_list, (set, frozenset)):
        var_list = sorted(var_list, key=lambda v: v.name)
    out = {}
    for value in var_list:
        if _is_variable(value) or (isinstance(value, Tensor) and _variable_op(value) is not None):
            name = value.op.name
        elif isinstance(value, (list, tuple)):
            raise TypeError("Partitioned variables are not supported by numflow's Saver: %r" % (value,))
        else:
            raise TypeError("Variable to save is not a Variable: %r" % (value,))
        if name in out:
            raise ValueError("At least two variables have the same name: %s" % name)
        out[name] = value
    return out


def _format_shape(shape):
    return "[%s]" % ",".join(str(d) for d in shape)


class Saver:
    """`tf.train.Saver(var_list=None, max_to_keep=5, keep_checkpoint_every_n_hours=10000.0, ...)`.

    var_list: None (all saveable global variables), a list of variables (saved under their op names,
    'dense/kernel'), or a dict {checkpoint name: variable}. `sharded` and `restore_sequentially` are
    accepted; numflow always writes one shard.
    """

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False, saver_def=None,
                 builder=None, defer_build=False, allow_empty=False, write_version=SaverDef.V2,
                 pad_step_number=False, save_relative_paths=False, filename=None):
        if defer_build and var_list:
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either set "
                             "defer_build=False or var_list=None.")
        if write_version != SaverDef.V2:
            warnings.warn("numflow writes only the V2 checkpoint format; write_version=%r is ignored"
                          % (write_version,), stacklevel=2)
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._allow_empty = allow_empty
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._filename = filename
        self.saver_def = saver_def if saver_def is not None else SaverDef(
            filename_tensor_name="save/Const:0", save_tensor_name="save/control_dependency:0",
            restore_op_name="save/restore_all", max_to_keep=max_to_keep or 0,
            keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours, sharded=sharded, version=SaverDef.V2)
        self._last_checkpoints = []
        self._checkpoints_to_be_deleted = []
        self._next_checkpoint_time = time.time() + keep_checkpoint_every_n_hours * 3600
        self._var_map = None
        self._graph = None
        self._is_empty = None
        if not defer_build:
            self.build()

    # --- building ------------------------------------------------------------------------------
    def build(self):
        """Resolves the variables to save (done at construction unless defer_build=True)."""
        if self._var_map is not None:
            return
        var_list = self._var_list
        graph = get_default_graph()
        if var_list is None:
            var_list = graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + \
                graph.get_collection("saveable_objects")
        var_map = _op_list_to_dict(var_list)
        if not var_map:
            if not self._allow_empty:
                raise ValueError("No variables to save")
            self._is_empty = True
        else:
            self._is_empty = False
            graphs = {v.graph for v in var_map.values()}
            if len(graphs) > 1:
                raise ValueError("The variables to save come from different graphs")
            graph = graphs.pop()
        self._var_map = var_map
        self._graph = graph

    def _build_eager(self, *args, **kwargs):
        self.build()

    @property
    def last_checkpoints(self):
        """The checkpoints this Saver keeps (oldest first), as prefixes."""
        return [path for path, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        if not isinstance(last_checkpoints, list):
            raise AssertionError("last_checkpoints must be a list")
        self._last_checkpoints = [(path, None) for path in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        if not isinstance(last_checkpoints_with_time, list):
            raise AssertionError("last_checkpoints_with_time must be a list")
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths):
        """Adopts existing checkpoints (e.g. after a restart) so max_to_keep can delete them later."""
        paths = [p for p in checkpoint_paths if _ckpt.checkpoint_exists(p)]
        times = _ckpt.get_checkpoint_mtimes(paths)
        self.set_last_checkpoints_with_time(list(zip(paths, times)))

    def as_saver_def(self):
        return self.saver_def

    def to_proto(self, export_scope=None):
        return self.saver_def

    # --- saving --------------------------------------------------------------------------------
    def _check_session(self, sess):
        from ..client.session import BaseSession
        if not isinstance(sess, BaseSession):
            raise TypeError("'sess' must be a Session; %s" % (sess,))
        if not self._is_empty and sess.graph is not self._graph:
            raise ValueError("The Session's graph is not the graph of the variables this Saver saves")

    def _values(self, sess):
        out = {}
        run_list = []
        for name, value in self._var_map.items():
            op = _variable_op(value)
            if op is not None and op.type == "VariableV2":
                stored = sess._state.variable_cell(op).host_value()
                if stored is None:
                    raise errors.FailedPreconditionError(
                        None, op, "Attempting to use uninitialized value %s\n\t [[node %s (saving checkpoint "
                        "entry '%s')]]" % (op.name, op.name, name))
                out[name] = (np.asarray(stored), value.dtype)
            else:
                run_list.append(name)
        if run_list:
            fetched = sess.run([self._var_map[n] for n in run_list])
            for name, array in zip(run_list, fetched):
                out[name] = (np.asarray(array) if self._var_map[name].dtype is not dtypes.string
                             else np.asarray(array, dtype=object), self._var_map[name].dtype)
        return out

    def save(self, sess, save_path, global_step=None, latest_filename=None, meta_graph_suffix="meta",
             write_meta_graph=True, write_state=True, strip_default_attrs=False, save_debug_info=False):
        """Saves the variables' values in `sess` to `save_path` (+ '-<global_step>'); returns the prefix."""
        self.build()
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = sess.run(global_step)
            step = int(global_step)
            checkpoint_file = "%s-%08d" % (save_path, step) if self._pad_step_number else \
                "%s-%d" % (save_path, step)
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError("'latest_filename' collides with 'save_path': '%s' and '%s'"
                                 % (latest_filename, save_path))
        self._check_session(sess)
        save_path_parent = os.path.dirname(save_path)
        if save_path_parent and not os.path.isdir(save_path_parent):
            raise ValueError("Parent directory of {} doesn't exist, can't save.".format(save_path))
        if self._is_empty:
            return None
        values = self._values(sess)
        _bundle.write_bundle(checkpoint_file, values)
        if write_state:
            self._record_last_checkpoint(checkpoint_file)
            _ckpt.update_checkpoint_state(save_path_parent, checkpoint_file, self.last_checkpoints,
                                          latest_filename, save_relative_paths=self._save_relative_paths)
            self._maybe_delete_old_checkpoints(meta_graph_suffix)
        if write_meta_graph:
            self.export_meta_graph(checkpoint_file + "." + meta_graph_suffix)
        return checkpoint_file

    def _record_last_checkpoint(self, latest_save_path):
        if not self.saver_def.max_to_keep:
            return
        self._last_checkpoints = [(p, t) for p, t in self._last_checkpoints if p != latest_save_path]
        self._last_checkpoints.append((latest_save_path, time.time()))
        if len(self._last_checkpoints) > self.saver_def.max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix="meta"):
        while self._checkpoints_to_be_deleted:
            path, stamp = self._checkpoints_to_be_deleted.pop(0)
            if stamp is not None and stamp > self._next_checkpoint_time:
                self._next_checkpoint_time += self.saver_def.keep_checkpoint_every_n_hours * 3600
                continue          # kept for good (keep_checkpoint_every_n_hours)
            _ckpt.remove_checkpoint(path, meta_graph_suffix=meta_graph_suffix)

    # --- restoring -----------------------------------------------------------------------------
    def restore(self, sess, save_path):
        """Loads the saved values into the variables in `sess`; NotFoundError for a missing entry,
        InvalidArgumentError for a shape/dtype mismatch, DataLossError for a corrupted file."""
        self.build()
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        save_path = os.fspath(save_path)
        if not _ckpt.checkpoint_exists(save_path):
            raise ValueError("The passed save_path is not a valid checkpoint: " + save_path)
        self._check_session(sess)
        reader = _bundle.BundleReader(save_path)
        loaded = []
        for name, value in self._var_map.items():
            op = _variable_op(value)
            if op is None or op.type != "VariableV2":
                raise TypeError("Cannot restore checkpoint entry '%s' into %r: it is not a variable"
                                % (name, value))
            entry = reader.entry(name)
            var_dtype = value.dtype
            if entry.dtype is not var_dtype:
                raise errors.InvalidArgumentError(
                    None, op, "tensor_name = %s; expected dtype %s does not equal original dtype %s "
                    "(restoring variable '%s' from checkpoint %s)"
                    % (name, var_dtype.name, _bundle.dtype_name(entry.dtype_enum), op.name, save_path))
            var_shape = value.shape
            stored = entry.shape
            reshape_to = None
            if not var_shape.is_compatible_with(stored):
                if self._reshape and var_shape.is_fully_defined() and \
                        int(np.prod(var_shape.as_list(), dtype=np.int64)) == int(np.prod(stored, dtype=np.int64)):
                    reshape_to = tuple(var_shape.as_list())
                else:
                    lhs = _format_shape(var_shape.as_list()) if var_shape.ndims is not None else "?"
                    raise errors.InvalidArgumentError(
                        None, op, "Restoring from checkpoint failed: variable '%s' has shape %s but checkpoint "
                        "%s holds shape %s for key %s. Assign requires shapes of both tensors to match. "
                        "lhs shape= %s rhs shape= %s"
                        % (op.name, lhs, save_path, _format_shape(stored), name, lhs, _format_shape(stored)))
            array = reader.read(name)
            if reshape_to is not None:
                array = array.reshape(reshape_to)
            loaded.append((op, array))
        for op, array in loaded:          # nothing is assigned unless everything could be read
            sess._state.variable_cell(op).assign_host_value(array)

    # --- meta graphs ---------------------------------------------------------------------------
    def _meta_graph_def(self, collection_list=None, export_scope=None, clear_devices=False, required=None):
        """The MetaGraphDef of this Saver's graph with the save/restore subgraph of its variables;
        `required` {what: op name}: ops that must be in it (see meta_graph.create_meta_graph_def)."""
        self.build()
        entries = list((self._var_map or {}).items())
        meta_graph_def = _meta_graph.create_meta_graph_def(
            self._graph, saver_entries=entries, collection_list=collection_list, clear_devices=clear_devices,
            required=required,
            export_scope=export_scope, saver_settings={"max_to_keep": self._max_to_keep,
                                                       "keep_checkpoint_every_n_hours":
                                                           self._keep_checkpoint_every_n_hours})
        if meta_graph_def.HasField("saver_def"):
            self.saver_def.filename_tensor_name = meta_graph_def.saver_def.filename_tensor_name
            self.saver_def.save_tensor_name = meta_graph_def.saver_def.save_tensor_name
            self.saver_def.restore_op_name = meta_graph_def.saver_def.restore_op_name
        return meta_graph_def

    def export_meta_graph(self, filename=None, collection_list=None, as_text=False, export_scope=None,
                          clear_devices=False, clear_extraneous_savers=False, strip_default_attrs=False,
                          save_debug_info=False):
        """Writes the graph (and this Saver's save/restore subgraph) as TensorFlow's MetaGraphDef to
        `filename` (text format with as_text); returns the MetaGraphDef."""
        meta_graph_def = self._meta_graph_def(collection_list, export_scope, clear_devices)
        if filename:
            _meta_graph.write_meta_graph_file(meta_graph_def, filename, as_text)
        return meta_graph_def


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None, collection_list=None,
                      as_text=False, graph=None, export_scope=None, clear_devices=False,
                      clear_extraneous_savers=False, strip_default_attrs=False, save_debug_info=False,
                      **kwargs):
    """`tf.train.export_meta_graph`: the MetaGraphDef of `graph` (default: the default graph), written to
    `filename` if given (text format with as_text). `meta_info_def`, `graph_def` and `saver_def`, when
    given, are recorded as they are; `collection_list` limits the collections; `export_scope` keeps the
    ops under that name scope, renamed without it."""
    graph = graph or get_default_graph()
    meta_graph_def = _meta_graph.create_meta_graph_def(
        graph, collection_list=collection_list, clear_devices=clear_devices, export_scope=export_scope,
        meta_info_def=meta_info_def, graph_def=graph_def, saver_def=saver_def)
    if filename:
        _meta_graph.write_meta_graph_file(meta_graph_def, filename, as_text)
    return meta_graph_def


def _saver_from_legacy_json(meta, variables):
    """The Saver described by a JSON meta graph numflow wrote before it wrote MetaGraphDefs."""
    saver_def = meta.get("saver_def")
    if isinstance(saver_def, dict) and isinstance(saver_def.get("variables"), dict):
        var_list = {}
        for key, op_name in saver_def["variables"].items():
            if op_name in variables:
                var_list[key] = variables[op_name]
        if not var_list:
            return None
        max_to_keep = saver_def.get("max_to_keep", 5)
        hours = saver_def.get("keep_checkpoint_every_n_hours", 10000.0)
        return Saver(var_list=var_list, max_to_keep=max_to_keep if isinstance(max_to_keep, int) or
                     max_to_keep is None else 5,
                     keep_checkpoint_every_n_hours=float(hours) if isinstance(hours, (int, float)) else 10000.0,
                     pad_step_number=bool(saver_def.get("pad_step_number", False)),
                     save_relative_paths=bool(saver_def.get("save_relative_paths", False)),
                     reshape=bool(saver_def.get("reshape", False)))
    if variables:
        return Saver(var_list=list(variables.values()))
    return None


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """`tf.train.import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None)`: adds the
    graph of a MetaGraphDef (a file written by TensorFlow or numflow, binary or text, or the message) to
    the default graph with its collections, and returns a Saver that restores its checkpoints (None when
    it has no variables). `input_map` and `return_elements` are passed to import_graph_def.

    IOError for a missing file, DataLossError naming a file that is truncated or corrupted, NotFoundError
    listing the op types numflow cannot run. .meta files numflow wrote in its former JSON format are read
    too. A meta graph is a program: import only files you trust."""
    return _import_meta_graph_with_return_elements(meta_graph_or_file, clear_devices, import_scope, **kwargs)[0]


def _import_meta_graph_with_return_elements(meta_graph_or_file, clear_devices=False, import_scope=None,
                                            input_map=None, return_elements=None, source=None):
    """(Saver or None, the elements named by `return_elements`) of import_meta_graph; `source` names the
    file a given MetaGraphDef came from, for error messages."""
    if isinstance(meta_graph_or_file, dict):
        meta, source = meta_graph_or_file, "<meta graph dict>"
    elif isinstance(meta_graph_or_file, MetaGraphDef):
        meta, source = meta_graph_or_file, source or "<MetaGraphDef>"
    elif hasattr(meta_graph_or_file, "SerializeToString") and not isinstance(meta_graph_or_file, (str, bytes)):
        meta, source = MetaGraphDef.FromString(meta_graph_or_file.SerializeToString()), "<MetaGraphDef>"
    else:
        source = os.fspath(meta_graph_or_file)
        meta = _meta_graph.read_meta_graph_file(source)
    graph = get_default_graph()
    if isinstance(meta, dict):
        if input_map or return_elements:
            raise ValueError("input_map and return_elements need a MetaGraphDef; %s is numflow's former JSON "
                             "format" % source)
        _, variables = _meta_graph.import_legacy_json(meta, graph, source, clear_devices, import_scope)
        return _saver_from_legacy_json(meta, variables), None
    var_list, saver_def, elements = _meta_graph.import_scoped_meta_graph(
        meta, graph, source, clear_devices=clear_devices, import_scope=import_scope, input_map=input_map,
        return_elements=return_elements)
    saver = None
    if var_list:
        settings = {}
        if saver_def is not None:
            settings = {"max_to_keep": saver_def.max_to_keep,
                        "keep_checkpoint_every_n_hours": saver_def.keep_checkpoint_every_n_hours or 10000.0,
                        "sharded": saver_def.sharded}
        saver = Saver(var_list=var_list, **settings)
    return saver, (elements if return_elements is not None else None)
