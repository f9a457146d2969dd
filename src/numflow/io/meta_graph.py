"""`.meta` files: TensorFlow's MetaGraphDef, written and read; numflow's former JSON format, read only.

Writing (`create_meta_graph_def`): the graph as a GraphDef (TF's op and attr names, '_output_shapes' on
every node, see `framework.graph_def`), `meta_info_def` (tags, the TensorFlow version numflow presents),
the collections in TF's encodings (see `io.meta_graph_proto.CollectionDef`), and for a Saver the
save/restore subgraph TF's Saver builds ('save/Const' is the filename tensor, 'save/SaveV2',
'save/control_dependency' the save tensor, 'save/RestoreV2', one 'save/Assign' per variable and
'save/restore_all') with its SaverDef, so that real TensorFlow's `import_meta_graph` returns a Saver that
restores the checkpoint. Constant values are TensorProtos, a uniform one (tf.zeros([10**7])) as one
repeated element, as TF stores them. Ops that TensorFlow has no op type for (py_func, numflow's
traced control flow) are left out with a warning, with everything that depends on them.

Reading (`read_meta_graph_file`, `import_scoped_meta_graph`): binary or text MetaGraphDefs, from real
TensorFlow 1.x/2.x (compat.v1) or numflow. The save/restore subgraph named by the SaverDef is not
imported (numflow's Saver saves and restores from Python); each variable's checkpoint key is read from
it instead, so the returned Saver restores the same checkpoint entries. Collections come back as TF
rebuilds them: VariableDefs as Variables (tf.trainable_variables() works), node names as Tensors and
Operations, the other lists as Python values.

A meta graph is a program: it can name ops that read and write files. Load only files you trust.

The JSON format numflow wrote before ({"format": "numflow-meta-graph", ...}) is still read, with every
value validated, so that older checkpoints keep loading; it is no longer written.
"""
import base64
import json
import os
import warnings

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import GraphKeys, Operation, Tensor
from ..framework.tensor_shape import TensorShape
from . import wire
from .graph_proto import AttrValue, GraphDef, TextFormatError, parse_text, to_text
from .meta_graph_proto import CollectionDef, MetaGraphDef, MetaInfoDef, SaverDef, VariableDef

FORMAT = "numflow-meta-graph"
VERSION = 1

# Collections whose items TF writes as serialized VariableDefs (its registered proto functions).
VARIABLE_COLLECTIONS = frozenset([GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES,
                                  GraphKeys.LOCAL_VARIABLES, GraphKeys.MODEL_VARIABLES,
                                  GraphKeys.MOVING_AVERAGE_VARIABLES, GraphKeys.METRIC_VARIABLES,
                                  GraphKeys.GLOBAL_STEP, "trainable_resource_variables"])
# Op types of a variable (whose output 0 a checkpoint entry is restored into).
VARIABLE_OP_TYPES = ("VariableV2", "Variable", "VarHandleOp")
_RESTORE_OP_TYPES = ("RestoreV2", "Restore", "RestoreSlice")
_ASSIGN_OP_TYPES = ("Assign", "AssignVariableOp")


def _variable_class():
    from ..variables import Variable
    return Variable


def _tensorflow_versions():
    """(tensorflow_version, tensorflow_git_version) to record: the TF version numflow presents, and
    numflow's own version where TF puts its git description."""
    from .. import __version__, NUMFLOW_VERSION
    return __version__, "numflow-%s" % NUMFLOW_VERSION


# --- writing -------------------------------------------------------------------------------------------
def _consumers_closure(graph, seeds):
    """The names of `seeds` and of every op that depends on one of them (by data or control input)."""
    left_out = set(seeds)
    for op in graph.get_operations():          # creation order is a topological order
        if op.name in left_out:
            continue
        if any(t.op.name in left_out for t in op.inputs) or any(c.name in left_out for c in op.control_inputs):
            left_out.add(op.name)
    return left_out


def _exportable_graph_def(graph, ops):
    """(GraphDef of `ops`, {left-out op name: reason}): ops TensorFlow has no form for, and their
    consumers, are left out (numflow-only ops such as py_func) instead of failing the whole save."""
    from ..framework.graph_def import exportable_op_types, graph_to_graph_def
    try:
        return graph_to_graph_def(graph, add_shapes=True, ops=ops), {}
    except errors.InvalidArgumentError:
        pass
    exportable = set(exportable_op_types())
    reasons = {op.name: "TensorFlow has no op type for %s" % op.type for op in ops if op.type not in exportable}
    kept = _without_left_out(graph, ops, reasons)
    try:
        return graph_to_graph_def(graph, add_shapes=True, ops=kept), reasons
    except errors.InvalidArgumentError:
        pass
    for op in kept:       # an op of an exportable type with an attribute TF cannot hold: find it alone
        try:
            graph_to_graph_def(graph, ops=[op])
        except errors.InvalidArgumentError:
            reasons[op.name] = "%s has an attribute value TensorFlow cannot express" % op.type
    kept = _without_left_out(graph, ops, reasons)
    return graph_to_graph_def(graph, add_shapes=True, ops=kept), reasons


def _without_left_out(graph, ops, reasons):
    """`ops` less those in `reasons` and their consumers (whose reasons are added)."""
    left_out = _consumers_closure(graph, reasons)
    for name in left_out:
        reasons.setdefault(name, "it depends on an op that is left out")
    return [op for op in ops if op.name not in left_out]


def _strip_scope(name, prefix):
    """`name` (a node name, 'node:1' or '^node') without the export scope `prefix`, or None when it lies
    outside the scope."""
    control = name.startswith("^")
    bare = name[1:] if control else name
    if not bare.startswith(prefix):
        return None
    return ("^" if control else "") + bare[len(prefix):]


def _apply_export_scope(graph_def, prefix):
    """Keeps the nodes under `prefix` ('scope/'), renamed without it; an input from outside the scope is
    a ValueError, as TF's export_scoped_meta_graph."""
    kept = GraphDef()
    kept.versions.CopyFrom(graph_def.versions)
    for node in graph_def.node:
        name = _strip_scope(node.name, prefix)
        if name is None:
            continue
        inputs = []
        for item in node.input:
            stripped = _strip_scope(item, prefix)
            if stripped is None:
                raise ValueError("Node %s in export_scope %s takes input %s from outside the scope"
                                 % (node.name, prefix.rstrip("/"), item))
            inputs.append(stripped)
        copy = kept.node.add()
        copy.CopyFrom(node)
        copy.name = name
        copy.input[:] = inputs
        if "_class" in copy.attr:
            locations = [s for s in copy.attr["_class"].list.s if s.startswith(b"loc:@" + prefix.encode())]
            copy.attr["_class"] = AttrValue(list=AttrValue.ListValue(
                s=[b"loc:@" + s[len(b"loc:@") + len(prefix):] for s in locations]))
    return kept


def _string_tensor(values, shape):
    from ..framework.graph_def import ndarray_to_tensor_proto
    array = np.empty(len(values), dtype=object)
    array[:] = [v.encode("utf-8") if isinstance(v, str) else v for v in values]
    return ndarray_to_tensor_proto(array.reshape(shape), dtypes.string)


def _unique_scope(node_names, base):
    taken = {name.split("/", 1)[0] for name in node_names}
    scope, count = base, 1
    while scope in taken:
        scope = "%s_%d" % (base, count)
        count += 1
    return scope


def add_saver_nodes(graph_def, entries, max_to_keep=5, keep_checkpoint_every_n_hours=10000.0):
    """Appends to `graph_def` the save/restore subgraph TF's Saver builds for `entries`, a list of
    (checkpoint key, NodeDef input name of the saved tensor, DType, restorable: whether the tensor is a
    variable to assign on restore); returns its SaverDef. Keys are written sorted, as TF does."""
    scope = _unique_scope([node.name for node in graph_def.node], "save")
    string = dtypes.string.as_datatype_enum
    scalar = AttrValue(shape=_shape_proto([]))

    def node(name, op, inputs=(), **attrs):
        added = graph_def.node.add(name="%s/%s" % (scope, name), op=op)
        added.input.extend(inputs)
        for key, value in attrs.items():
            added.attr[key] = value
        return added.name

    def string_const(name, values, shape):
        return node(name, "Const", dtype=AttrValue(type=string),
                    value=AttrValue(tensor=_string_tensor(values, shape)))

    entries = sorted(entries, key=lambda entry: entry[0])
    keys = [entry[0] for entry in entries]
    dtype_list = AttrValue(list=AttrValue.ListValue(type=[entry[2].as_datatype_enum for entry in entries]))
    default_name = string_const("filename/input", ["model"], [])
    filename = node("filename", "PlaceholderWithDefault", [default_name], dtype=AttrValue(type=string), shape=scalar)
    filename = node("Const", "PlaceholderWithDefault", [filename], dtype=AttrValue(type=string), shape=scalar)
    names = string_const("SaveV2/tensor_names", keys, [len(keys)])
    slices = string_const("SaveV2/shape_and_slices", [""] * len(keys), [len(keys)])
    save = node("SaveV2", "SaveV2", [filename, names, slices] + [entry[1] for entry in entries], dtypes=dtype_list)
    saved = node("control_dependency", "Identity", [filename, "^" + save], T=AttrValue(type=string),
                 _class=AttrValue(list=AttrValue.ListValue(s=[b"loc:@" + filename.encode()])))
    names = string_const("RestoreV2/tensor_names", keys, [len(keys)])
    slices = string_const("RestoreV2/shape_and_slices", [""] * len(keys), [len(keys)])
    restore = node("RestoreV2", "RestoreV2", [filename, names, slices], dtypes=dtype_list)
    assigns = []
    for index, (_, source, dtype, restorable) in enumerate(entries):
        if not restorable:
            continue
        assigns.append(node("Assign" if not assigns else "Assign_%d" % len(assigns), "Assign",
                            [source, restore if index == 0 else "%s:%d" % (restore, index)],
                            T=AttrValue(type=dtype.as_datatype_enum), use_locking=AttrValue(b=True),
                            validate_shape=AttrValue(b=True),
                            _class=AttrValue(list=AttrValue.ListValue(s=[b"loc:@" + source.encode()]))))
    restore_all = node("restore_all", "NoOp", ["^" + name for name in assigns])
    return SaverDef(filename_tensor_name=filename + ":0", save_tensor_name=saved + ":0",
                    restore_op_name=restore_all, max_to_keep=max_to_keep if max_to_keep is not None else 0,
                    sharded=False, keep_checkpoint_every_n_hours=float(keep_checkpoint_every_n_hours),
                    version=SaverDef.V2)


def _shape_proto(shape):
    from ..framework.graph_def import shape_to_proto
    return shape_to_proto(shape)


def _collection_item_kind(item, key):
    """(CollectionDef field, encoded value) of one collection item, as TF's add_collection_def encodes it;
    None when TF has no encoding for it."""
    Variable = _variable_class()
    if isinstance(item, Variable):
        if key in VARIABLE_COLLECTIONS:
            return "bytes_list", item
        return "node_list", item.name
    if isinstance(item, (Tensor, Operation)):
        return "node_list", item.name
    if hasattr(item, "indices") and hasattr(item, "dense_shape") and isinstance(getattr(item, "values", None), Tensor):
        return None           # a SparseTensor: TF cannot put it in a collection either
    if isinstance(item, (bool, np.bool_)):
        return "int64_list", int(item)
    if isinstance(item, (int, np.integer)):
        return "int64_list", int(item)
    if isinstance(item, (float, np.floating)):
        return "float_list", float(item)
    if isinstance(item, (str, bytes)):
        return "bytes_list", item.encode("utf-8") if isinstance(item, str) else item
    return None


def _variable_def(variable, prefix):
    snapshot = getattr(variable, "_snapshot", None)
    snapshot = variable._ref if snapshot is None else snapshot
    initial = variable.initial_value
    strip = (lambda name: name[len(prefix):]) if prefix else (lambda name: name)
    return VariableDef(variable_name=strip(variable._ref.name), initializer_name=strip(variable.initializer.name),
                       snapshot_name=strip(snapshot.name),
                       initial_value_name=strip(initial.name) if initial is not None else "",
                       trainable=bool(variable.trainable))


def _variable_parts(variable):
    names = [variable._ref.op.name, variable.initializer.name]
    snapshot = getattr(variable, "_snapshot", None)
    if snapshot is not None:
        names.append(snapshot.op.name)
    if variable.initial_value is not None:
        names.append(variable.initial_value.op.name)
    return names


def _add_collection(meta_graph_def, graph, key, node_names, prefix):
    """Adds collection `key` in TF's encoding; items whose ops are not in the exported graph are left out,
    and a collection TF could not encode (mixed or unknown kinds) is skipped with a warning."""
    Variable = _variable_class()
    kind = None
    values = []
    for item in graph.get_collection(key):
        encoded = _collection_item_kind(item, key)
        if encoded is None:
            warnings.warn("Collection '%s' holds %s, which has no MetaGraphDef encoding; the collection is "
                          "not saved" % (key, type(item).__name__), stacklevel=4)
            return
        item_kind, value = encoded
        if kind is not None and item_kind != kind:
            warnings.warn("Collection '%s' mixes kinds (%s and %s), which a MetaGraphDef cannot hold; the "
                          "collection is not saved" % (key, kind, item_kind), stacklevel=4)
            return
        kind = item_kind
        if isinstance(item, Variable):
            if any(name not in node_names for name in _variable_parts(item)):
                continue
            if item_kind == "bytes_list":
                value = _variable_def(item, prefix).SerializeToString()
            elif prefix:
                value = value[len(prefix):]
        elif isinstance(item, (Tensor, Operation)):
            op_name = item.op.name if isinstance(item, Tensor) else item.name
            if op_name not in node_names:
                continue
            if prefix:
                value = value[len(prefix):]
        values.append(value)
    if kind is None or not values:
        return
    collection = CollectionDef()
    getattr(collection, kind).value.extend(values)
    meta_graph_def.collection_def[key] = collection


def create_meta_graph_def(graph, saver_entries=None, saver_settings=None, collection_list=None,
                          clear_devices=False, export_scope=None, meta_info_def=None, graph_def=None,
                          saver_def=None, tags=None, required=None):
    """The MetaGraphDef of `graph` (see the module docstring).

    `saver_entries` (from a Saver): (checkpoint key, variable or tensor) pairs whose save/restore subgraph
    is added, with `saver_settings` {max_to_keep, keep_checkpoint_every_n_hours}; `saver_def` instead
    records a given SaverDef as it is. `collection_list` limits the collections written (default all);
    `export_scope` keeps only the ops under that name scope, renamed without it. `required`: {what: op
    name} of ops that must be written (a SavedModel's signature tensors): InvalidArgumentError naming the
    first one that would be left out, and why."""
    prefix = export_scope.rstrip("/") + "/" if export_scope else ""
    ops = [op for op in graph.get_operations() if op.name.startswith(prefix)]
    left_out = {}
    if graph_def is None:
        graph_def, left_out = _exportable_graph_def(graph, ops)
    elif not isinstance(graph_def, GraphDef):
        graph_def = GraphDef.FromString(graph_def.SerializeToString())
    for what, op_name in (required or {}).items():
        if op_name in left_out:
            culprits = [name for name, reason in left_out.items() if not reason.startswith("it depends")][:3]
            raise errors.InvalidArgumentError(
                None, None, "Cannot export %s: op '%s' depends on ops that TensorFlow has no op type for, "
                "which a graph file cannot hold: %s" % (what, op_name, "; ".join(
                    "%s (%s)" % (name, left_out[name]) for name in culprits)))
    if left_out:
        shown = list(left_out.items())[:5]
        warnings.warn("The .meta graph leaves out %d op(s) that TensorFlow has no op type for, and the ops "
                      "that depend on them, e.g. %s" % (len(left_out), "; ".join("%s: %s" % kv for kv in shown)),
                      stacklevel=3)
    node_names = {node.name for node in graph_def.node}
    if clear_devices:
        for node in graph_def.node:
            node.device = ""
    if prefix:
        graph_def = _apply_export_scope(graph_def, prefix)
    meta_graph_def = MetaGraphDef()
    if meta_info_def is not None:
        meta_graph_def.meta_info_def.CopyFrom(meta_info_def if isinstance(meta_info_def, MetaInfoDef) else
                                              MetaInfoDef.FromString(meta_info_def.SerializeToString()))
    info = meta_graph_def.meta_info_def
    if not info.tensorflow_version:
        info.tensorflow_version, info.tensorflow_git_version = _tensorflow_versions()
    if tags:
        info.tags.extend(t for t in tags if t not in info.tags)
    if saver_entries:
        entries = []
        for key, value in saver_entries:
            op = value.op
            if op.name not in node_names or not op.name.startswith(prefix):
                continue
            source = value._ref if hasattr(value, "_ref") else value
            input_name = source.op.name[len(prefix):] if source.value_index == 0 else \
                "%s:%d" % (source.op.name[len(prefix):], source.value_index)
            entries.append((key, input_name, source.dtype, op.type in VARIABLE_OP_TYPES))
        if entries:
            settings = dict(saver_settings or {})
            saver_def = add_saver_nodes(graph_def, entries, **settings)
    meta_graph_def.graph_def = graph_def
    if saver_def is not None:
        meta_graph_def.saver_def = saver_def if isinstance(saver_def, SaverDef) else \
            SaverDef.FromString(saver_def.SerializeToString())
    keys = graph.get_all_collection_keys() if collection_list is None else collection_list
    for key in keys:
        # The Savers of the graph are not written: the SaverDef above describes the one that saves, and
        # the others' save/restore ops are not in the graph for TensorFlow to find.
        if isinstance(key, str) and key != GraphKeys.SAVERS:
            _add_collection(meta_graph_def, graph, key, node_names, prefix)
    return meta_graph_def


def write_meta_graph_file(meta_graph_def, filename, as_text=False):
    """Writes `meta_graph_def` to `filename` atomically (binary, or the text format with as_text)."""
    from .bundle import atomic_write
    data = to_text(meta_graph_def).encode("utf-8") if as_text else meta_graph_def.SerializeToString()
    atomic_write(os.fspath(filename), [data])


# --- reading -------------------------------------------------------------------------------------------
def parse_meta_graph(data, source, cls=MetaGraphDef):
    """A `cls` (MetaGraphDef, or SavedModel) from binary or text-format `data`; DataLossError naming
    `source` when it is neither (truncated, corrupted, or another kind of file)."""
    binary_error = None
    try:
        message = cls.FromString(data)
        _check_decoded(message)
    except (wire.WireError, ValueError, TypeError, IndexError, UnicodeDecodeError) as exc:
        message, binary_error = None, exc
    if message is None or not message.ListFields():
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and text.strip():
            try:
                message = parse_text(text, cls)
                binary_error = None
            except (TextFormatError, ValueError, TypeError, IndexError) as exc:
                if binary_error is None and message is None:
                    binary_error = exc
                message = None
    if message is None or not message.ListFields():
        kind = "meta graph" if cls is MetaGraphDef else cls.__name__
        raise errors.DataLossError(None, None, "Cannot parse %s %s: it is not a %s protocol buffer, binary or "
                                   "text (truncated or corrupted?)%s" % (kind, source, cls.__name__,
                                                                         ": %s" % binary_error if binary_error else ""))
    return message


def _check_decoded(message):
    """Decodes every nested message now (ProtoMessage parses nested ones eagerly; maps are checked here),
    so that corruption is reported when the file is read."""
    for name in type(message).MAPS:
        getattr(message, name)


def read_meta_graph_file(filename):
    """The MetaGraphDef in `filename`, or the dict of a JSON .meta numflow wrote before; IOError when the
    file does not exist, DataLossError naming it when it cannot be parsed."""
    source = os.fspath(filename)
    if not os.path.exists(source):
        raise IOError("File %s does not exist." % source)
    with open(source, "rb") as handle:
        data = handle.read()
    if data.lstrip()[:1] == b"{" and b'"format"' in data[:200]:
        return parse_legacy_json(data, source)
    return parse_meta_graph(data, source)


def _split_name(name):
    """('op', index) of 'op:index' / 'op' (TF's input form)."""
    op_name, _, index = name.lstrip("^").partition(":")
    return op_name, int(index) if index else 0


def _saver_scope(saver_def):
    """'save/' for a SaverDef whose restore op is 'save/restore_all', or '' when it names no scope."""
    name = saver_def.restore_op_name or saver_def.filename_tensor_name
    return name.rsplit("/", 1)[0] + "/" if "/" in name else ""


def _string_values(node, where):
    from ..framework.graph_def import tensor_proto_to_ndarray
    if node is None or node.op != "Const":
        raise errors.DataLossError(None, None, "%s: the saver's tensor names are not a constant" % where)
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
            for v in np.asarray(tensor_proto_to_ndarray(node.attr["value"].tensor, where)).reshape(-1)]


def _follow_to_source(name, nodes, scope):
    """The tensor name behind Identity / ReadVariableOp nodes inside the saver's scope."""
    while True:
        op_name, index = _split_name(name)
        node = nodes.get(op_name)
        if node is None or not node.input or node.op not in ("Identity", "ReadVariableOp") or \
                (node.op == "Identity" and not op_name.startswith(scope)):
            return op_name, index
        name = node.input[0]


def checkpoint_keys(graph_def, saver_def, source):
    """{checkpoint key: variable node name} read from the save/restore subgraph of `saver_def`: the
    variable each restore-assign writes and the RestoreV2 entry it reads."""
    scope = _saver_scope(saver_def)
    nodes = {node.name: node for node in graph_def.node}
    keys = {}
    for node in graph_def.node:
        if not node.name.startswith(scope) or node.op not in _ASSIGN_OP_TYPES or len(node.input) < 2:
            continue
        restore_name, index = _follow_to_source(node.input[1], nodes, scope)
        restore = nodes.get(restore_name)
        if restore is None or restore.op not in _RESTORE_OP_TYPES or len(restore.input) < 2:
            continue
        names = _string_values(nodes.get(_split_name(restore.input[1])[0]), source)
        if index >= len(names) and restore.op == "RestoreV2":
            raise errors.DataLossError(None, None, "%s: %s reads output %d of %s, which restores %d tensor(s)"
                                       % (source, node.name, index, restore.name, len(names)))
        keys[names[min(index, len(names) - 1)]] = _split_name(node.input[0])[0]
    if not keys:          # a saver without restore-assigns: read the saved tensors of SaveV2 instead
        for node in graph_def.node:
            if node.name.startswith(scope) and node.op == "SaveV2" and len(node.input) >= 3:
                names = _string_values(nodes.get(_split_name(node.input[1])[0]), source)
                for key, tensor in zip(names, node.input[3:]):
                    op_name, _ = _follow_to_source(tensor, nodes, scope)
                    if nodes.get(op_name) is not None and nodes[op_name].op in VARIABLE_OP_TYPES:
                        keys[key] = op_name
    return keys


def _without_saver_nodes(graph_def, saver_def):
    """`graph_def` without the nodes of the saver's scope (their save/restore ops are TF's I/O kernels,
    which numflow's Python Saver replaces)."""
    scope = _saver_scope(saver_def)
    if not scope:
        return graph_def
    kept = GraphDef()
    for name in ("versions", "library"):
        if graph_def.HasField(name):
            getattr(kept, name).CopyFrom(getattr(graph_def, name))
    kept.node.extend(node for node in graph_def.node if not node.name.startswith(scope))
    return kept


def _rebuild_variable(graph, variable_def, scope, source):
    Variable = _variable_class()

    def element(name, what, tensor=True):
        if not name:
            return None
        full = scope + name
        try:
            return graph.get_tensor_by_name(full) if tensor else graph.get_operation_by_name(full)
        except (KeyError, ValueError):
            raise errors.DataLossError(None, None, "%s: a VariableDef names %s '%s', which is not in the graph"
                                       % (source, what, full)) from None

    variable = Variable.__new__(Variable)
    variable._ref = element(variable_def.variable_name, "the variable")
    variable._initializer_op = element(variable_def.initializer_name, "the initializer", tensor=False)
    variable._initial_value = element(variable_def.initial_value_name, "the initial value")
    snapshot = element(variable_def.snapshot_name, "the snapshot")
    variable._snapshot = variable._ref if snapshot is None else snapshot
    variable._trainable = bool(variable_def.trainable)
    variable._constraint = None
    variable._save_slice_info = None
    return variable


def _restore_collections(meta_graph_def, graph, scope, source):
    """Adds the collections of `meta_graph_def` to `graph` (names prefixed with `scope`); returns
    {variable op name: Variable} of the variables rebuilt from VariableDefs."""
    variables = {}
    for key in sorted(meta_graph_def.collection_def):
        if key == GraphKeys.SAVERS:
            continue        # SaverDefs of TF Savers: import_meta_graph returns the numflow Saver instead
        collection = meta_graph_def.collection_def[key]
        kind = collection.WhichOneof("kind")
        if kind is None:
            continue
        values = getattr(collection, kind).value
        if kind == "bytes_list" and key in VARIABLE_COLLECTIONS:
            for data in values:
                try:
                    variable_def = VariableDef.FromString(data)
                except (wire.WireError, ValueError, UnicodeDecodeError) as exc:
                    raise errors.DataLossError(None, None, "%s: collection '%s' holds a corrupted VariableDef "
                                               "(%s)" % (source, key, exc)) from None
                if variable_def.is_resource:
                    warnings.warn("%s: resource variable %s in collection '%s' is not supported by numflow; "
                                  "left out" % (source, variable_def.variable_name, key), stacklevel=4)
                    continue
                name = scope + _split_name(variable_def.variable_name)[0]
                if name not in variables:
                    variables[name] = _rebuild_variable(graph, variable_def, scope, source)
                graph.add_to_collection(key, variables[name])
        elif kind == "node_list":
            for name in values:
                try:
                    graph.add_to_collection(key, graph.as_graph_element(scope + name))
                except (KeyError, ValueError, TypeError):
                    warnings.warn("%s: collection '%s' names '%s', which is not in the imported graph; left out"
                                  % (source, key, name), stacklevel=4)
        elif kind == "any_list":
            for value in values:
                graph.add_to_collection(key, value)
        else:
            for value in values:
                graph.add_to_collection(key, value)
    return variables


def import_scoped_meta_graph(meta_graph_def, graph, source, clear_devices=False, import_scope=None,
                             input_map=None, return_elements=None):
    """Imports `meta_graph_def` into `graph`; returns (var_list, saver_def, elements): var_list
    {checkpoint key: Variable or variable tensor} for a Saver (None when the file has no SaverDef),
    and the graph elements named by `return_elements`."""
    from ..framework.graph_def import import_graph_def
    graph_def = meta_graph_def.graph_def
    saver_def = meta_graph_def.saver_def if meta_graph_def.HasField("saver_def") else None
    keys = {}
    if saver_def is not None:
        keys = checkpoint_keys(graph_def, saver_def, source)
        graph_def = _without_saver_nodes(graph_def, saver_def)
    if clear_devices:
        graph_def = GraphDef.FromString(graph_def.SerializeToString())
        for node in graph_def.node:
            node.device = ""
    wanted = list(return_elements or [])
    probe = [graph_def.node[0].name] if len(graph_def.node) else []
    with graph.as_default():
        try:
            found = import_graph_def(graph_def, input_map=input_map, return_elements=probe + wanted,
                                     name=import_scope or "")
        except errors.OpError as exc:
            raise type(exc)(None, None, "%s (importing meta graph %s)" % (exc.message, source)) from None
        except (ValueError, TypeError) as exc:
            raise type(exc)("%s (importing meta graph %s)" % (exc, source)) from None
    found = found or []
    scope = found[0].name[:len(found[0].name) - len(probe[0])] if probe else \
        (import_scope.rstrip("/") + "/" if import_scope else "")
    variables = _restore_collections(meta_graph_def, graph, scope, source)
    var_list = None
    if saver_def is not None:
        var_list = {}
        for key, op_name in keys.items():
            full = scope + op_name
            if full in variables:
                var_list[key] = variables[full]
            else:
                try:
                    var_list[key] = graph.get_operation_by_name(full).outputs[0]
                except (KeyError, ValueError):
                    raise errors.DataLossError(None, None, "%s: the saver restores '%s' into '%s', which is not in "
                                               "the graph" % (source, key, op_name)) from None
    elif variables:
        var_list = {}
        for variable in graph.get_collection(GraphKeys.GLOBAL_VARIABLES):
            if variable.op.name.startswith(scope):
                var_list[variable.op.name[len(scope):]] = variable
    return var_list, saver_def, found[len(probe):]



def _unb64(text):
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


# --- numflow's former JSON format (read only) -----------------------------------------------------------
class _Decoder:
    def __init__(self, graph, rename, source):
        self.graph = graph
        self.rename = rename
        self.source = source

    def fail(self, detail):
        return errors.DataLossError(None, None, "Corrupted meta graph %s: %s" % (self.source, detail))

    def tensor(self, name):
        if not isinstance(name, str) or ":" not in name:
            raise self.fail("bad tensor name %r" % (name,))
        op_name, _, index = name.rpartition(":")
        op = self.op(op_name)
        try:
            return op.outputs[int(index)]
        except (ValueError, IndexError):
            raise self.fail("op %s has no output %s" % (op_name, index)) from None

    def op(self, name):
        if not isinstance(name, str) or name not in self.rename:
            raise self.fail("reference to unknown op %r" % (name,))
        return self.graph.get_operation_by_name(self.rename[name])

    def _dtype(self, name):
        try:
            return dtypes.as_dtype(name)
        except TypeError:
            raise self.fail("unknown dtype %r" % (name,)) from None

    def _shape(self, shape):
        if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                                 for d in shape):
            raise self.fail("bad shape %r" % (shape,))
        return tuple(shape)

    def _filled(self, dtype_name, shape, element):
        """A read-only array of `shape` whose entries are all `element`, without allocating the array
        (a broadcast view), so a crafted shape cannot exhaust memory when the file is read."""
        dtype = self._dtype(dtype_name)
        shape = self._shape(shape)
        if dtype is dtypes.string:
            scalar = np.empty((), dtype=object)
            scalar[()] = element
        else:
            if len(element) != dtype.size:
                raise self.fail("filled %s array needs a %d-byte element, found %d bytes"
                                % (dtype.name, dtype.size, len(element)))
            scalar = np.frombuffer(element, dtype=dtype.np.newbyteorder("<")).astype(dtype.np).reshape(())
        return np.broadcast_to(scalar, shape)

    def value(self, enc):
        if not isinstance(enc, dict) or "t" not in enc:
            raise self.fail("bad encoded value %r" % (enc,))
        kind = enc["t"]
        v = enc.get("v")
        try:
            if kind == "none":
                return None
            if kind == "bool":
                if not isinstance(v, bool):
                    raise self.fail("bad bool")
                return v
            if kind == "int":
                if not isinstance(v, int) or isinstance(v, bool):
                    raise self.fail("bad int")
                return v
            if kind == "float":
                return float.fromhex(v)
            if kind == "str":
                if not isinstance(v, str):
                    raise self.fail("bad string")
                return v
            if kind == "bytes":
                return _unb64(v)
            if kind == "dtype":
                return self._dtype(v)
            if kind == "shape":
                if v is None:
                    return TensorShape(None)
                if not isinstance(v, list) or not all(d is None or (isinstance(d, int) and d >= 0) for d in v):
                    raise self.fail("bad shape %r" % (v,))
                return TensorShape(v)
            if kind in ("array", "scalar"):
                dtype = self._dtype(enc.get("dtype"))
                if dtype is dtypes.string:
                    raise self.fail("string dtype in a numeric array")
                shape = () if kind == "scalar" else self._shape(enc.get("shape"))
                data = _unb64(v)
                count = int(np.prod(shape, dtype=np.int64))
                if len(data) != count * dtype.size:
                    raise self.fail("array of shape %s and dtype %s needs %d bytes, found %d"
                                    % (shape, dtype.name, count * dtype.size, len(data)))
                array = np.frombuffer(data, dtype=dtype.np.newbyteorder("<")).astype(dtype.np).reshape(shape)
                if kind == "scalar":
                    return array[()]
                array.setflags(write=False)
                return array
            if kind == "filled":
                return self._filled(enc.get("dtype"), enc.get("shape"), _unb64(v))
            if kind == "string_array":
                shape = self._shape(enc.get("shape"))
                if not isinstance(v, list) or len(v) != int(np.prod(shape, dtype=np.int64)):
                    raise self.fail("string array of shape %s has %s items" % (shape, len(v or [])))
                array = np.empty(len(v), dtype=object)
                array[:] = [_unb64(item) for item in v] if v else []
                array = array.reshape(shape)
                array.setflags(write=False)
                return array
            if kind in ("list", "tuple"):
                if not isinstance(v, list):
                    raise self.fail("bad list")
                items = [self.value(item) for item in v]
                return items if kind == "list" else tuple(items)
            if kind == "dict":
                if not isinstance(v, dict):
                    raise self.fail("bad dict")
                return {k: self.value(item) for k, item in v.items()}
            if kind == "tensor":
                return self.tensor(v)
            if kind == "op":
                return self.op(v)
        except (ValueError, TypeError) as exc:
            if isinstance(exc, errors.OpError):
                raise
            raise self.fail("bad %s value (%s)" % (kind, exc)) from None
        raise self.fail("unknown value kind %r" % (kind,))


# numflow writes a few levels per nested attribute list; far deeper input is hostile or corrupt, and is
# refused before the recursive decoder could exhaust Python's stack.
MAX_NESTING = 100


def _nesting_depth(value):
    """The depth of nested lists/dicts in a decoded JSON value (iterative: any depth is safe)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            return depth
        stack.extend((child, depth + 1) for child in item)
    return deepest


def parse_legacy_json(data, source):
    """The JSON meta-graph dict in `data` (bytes); DataLossError naming `source` when it is not one."""
    try:
        meta = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise errors.DataLossError(None, None, "Cannot parse meta graph %s: not a numflow meta graph (%s)"
                                   % (source, exc)) from None
    except RecursionError:
        meta = None
    if meta is None or _nesting_depth(meta) > MAX_NESTING:
        raise errors.DataLossError(None, None, "Cannot parse meta graph %s: its JSON is nested more than %d "
                                   "levels deep, which numflow never writes" % (source, MAX_NESTING))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise errors.DataLossError(None, None, "Cannot parse meta graph %s: not a numflow meta graph "
                                   "(numflow reads only the .meta files it writes)" % source)
    if meta.get("version") != VERSION:
        raise errors.InvalidArgumentError(None, None, "Meta graph %s has format version %r; this numflow reads "
                                          "version %d" % (source, meta.get("version"), VERSION))
    if not isinstance(meta.get("ops"), list) or not isinstance(meta.get("collections", {}), dict):
        raise errors.DataLossError(None, None, "Corrupted meta graph %s: missing op list" % source)
    return meta


def import_legacy_json(meta, graph, source, clear_devices=False, import_scope=None):
    """Rebuilds the ops and collections of `meta` in `graph`; returns ({old op name: new op name},
    {variable op name (old): Variable}). A malformed file is DataLossError naming it, whatever part of
    it has the wrong type."""
    try:
        return _import_legacy_json(meta, graph, source, clear_devices, import_scope)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        if isinstance(exc, errors.OpError):
            raise
        raise errors.DataLossError(None, None, "Corrupted meta graph %s: %s: %s"
                                   % (source, type(exc).__name__, exc)) from exc


def _import_legacy_json(meta, graph, source, clear_devices, import_scope):
    from ..framework.op_def import lookup
    rename = {}
    decoder = _Decoder(graph, rename, source)
    prefix = (import_scope.rstrip("/") + "/") if import_scope else ""
    names_in_use = graph._names_in_use
    taken = set(names_in_use) | {op.name.lower() for op in graph.get_operations()}
    with graph.name_scope(None):
        for spec in meta["ops"]:
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or \
                    not isinstance(spec.get("type"), str):
                raise decoder.fail("bad op entry %r" % (spec,))
            try:
                op_def = lookup(spec["type"])
            except KeyError:
                raise decoder.fail("op %s has type '%s', which is not registered in numflow"
                                   % (spec["name"], spec["type"])) from None
            inputs = [decoder.tensor(name) for name in spec.get("inputs", [])]
            attrs_spec = spec.get("attrs", {})
            if not isinstance(attrs_spec, dict):
                raise decoder.fail("bad attrs of op %s" % spec["name"])
            attrs = {key: decoder.value(enc) for key, enc in attrs_spec.items()}
            new_name = prefix + spec["name"]
            if new_name.lower() in taken:
                base, count = new_name, 1
                while new_name.lower() in taken:
                    new_name = "%s_%d" % (base, count)
                    count += 1
            taken.add(new_name.lower())
            parts = new_name.split("/")
            for i in range(1, len(parts) + 1):
                names_in_use.setdefault("/".join(parts[:i]).lower(), 1)
            try:
                op = graph.create_op(op_def, inputs, attrs, name=new_name + "/")
            except (ValueError, TypeError, KeyError) as exc:
                raise decoder.fail("cannot rebuild op %s (%s): %s" % (spec["name"], spec["type"], exc)) from None
            rename[spec["name"]] = op.name
            for control in spec.get("control_inputs", []):
                op._add_control_input(decoder.op(control))
            device = spec.get("device") or ""
            if device and not clear_devices and isinstance(device, str):
                op._device = device
    if meta.get("graph_seed") is not None and graph.seed is None and isinstance(meta["graph_seed"], int):
        graph.seed = meta["graph_seed"]
    variables = {}
    Variable = _variable_class()
    for key, items in meta.get("collections", {}).items():
        if not isinstance(items, list):
            raise decoder.fail("bad collection %r" % key)
        for item in items:
            if isinstance(item, dict) and item.get("t") == "variable":
                old = item.get("op")
                variable = variables.get(old)
                if variable is None:
                    variable = Variable.__new__(Variable)
                    variable._ref = decoder.op(old).outputs[0]
                    variable._initializer_op = decoder.op(item.get("initializer"))
                    variable._initial_value = decoder.tensor(item.get("initial_value"))
                    variable._snapshot = decoder.tensor(item.get("snapshot"))
                    variable._trainable = bool(item.get("trainable", True))
                    variable._constraint = None
                    variable._save_slice_info = None
                    variables[old] = variable
                graph.add_to_collection(key, variable)
            else:
                graph.add_to_collection(key, decoder.value(item))
    return rename, variables
