"""Keras weights in TensorFlow's checkpoint format (`model.save_weights('ckpt')`, no '.h5').

As TF 1.15's tf.keras writes them, the checkpoint is object-based: a V2 tensor bundle
('ckpt.index' + 'ckpt.data-00000-of-00001') whose keys are paths through the model's objects,
'layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE', plus the tensor '_CHECKPOINTABLE_OBJECT_GRAPH'
(a serialized TrackableObjectGraph proto: the objects, their named children and which checkpoint key holds
each variable). A model's children are its layers, both as 'layer-N' (every layer of `model.layers`) and
'layer_with_weights-N' (the N-th layer that has weights); a layer's children are its weights (by the name
given to `add_weight`) and the layers held in its attributes (an LSTM's 'cell'); a nested model repeats
the scheme, and a subclassed model's children are its attributes. A compiled model whose Keras optimizer
has made its variables also saves the optimizer ('optimizer/iter', its hyperparameter variables, and
each slot as '<variable's path>/.OPTIMIZER_SLOT/optimizer/<slot>/...'); loading into a compiled model
first makes its training function, so those slots exist to take their values. The 'checkpoint' state
file is updated so `tf.train.latest_checkpoint` finds the weights.

Loading walks the saved object graph along the same names, so checkpoints written by real tf.keras load,
and checks each value's shape and dtype before assigning anything. A checkpoint without an object graph
(written by `tf.train.Saver`) is matched by variable names instead.
"""
import os

import numpy as np

from ...framework import dtypes, errors
from ...io import bundle, wire
from .. import backend
from . import saving_utils

__all__ = ["save_weights_to_checkpoint", "load_weights_from_checkpoint", "object_graph_keys", "OBJECT_GRAPH_KEY"]

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
_VALUE_SUFFIX = ".ATTRIBUTES/VARIABLE_VALUE"
_VARIABLE_VALUE = "VARIABLE_VALUE"


class _ObjectNode:
    """One object of the graph: named children (a list of (local name, _ObjectNode)) or a variable; an
    optimizer also lists its slot variables as (original variable's node, slot name, slot's node)."""

    def __init__(self, variable=None):
        self.children = []
        self.variable = variable
        self.slots = []


def _is_layer(value):
    from ..engine.base_layer import Layer
    return isinstance(value, Layer)


def _has_weights(layer):
    return bool(layer.weights)


def _local_weight_name(variable):
    """The name `add_weight` was given: the last component of the variable's graph name."""
    return variable.op.name.rsplit("/", 1)[-1]


def _object_tree(layer, memo):
    """The _ObjectNode of `layer` (each layer and variable once, shared where reached twice)."""
    if id(layer) in memo:
        return memo[id(layer)]
    node = memo[id(layer)] = _ObjectNode()
    if saving_utils.is_graph_network(layer):
        weighted = 0
        for index, sub in enumerate(layer.layers):
            child = _object_tree(sub, memo)
            if _has_weights(sub):
                node.children.append(("layer_with_weights-%d" % weighted, child))
                weighted += 1
            node.children.append(("layer-%d" % index, child))
        return node
    own = list(layer._trainable_weights) + list(layer._non_trainable_weights)
    for variable in own:
        if id(variable) not in memo:
            memo[id(variable)] = _ObjectNode(variable)
        node.children.append((_local_weight_name(variable), memo[id(variable)]))
    for attribute, value in list(vars(layer).items()):
        if attribute.startswith("_"):
            continue
        if _is_layer(value) and value is not layer:
            node.children.append((attribute, _object_tree(value, memo)))
        elif isinstance(value, (list, tuple)) and value and all(_is_layer(v) for v in value):
            holder = _ObjectNode()
            holder.children = [(str(i), _object_tree(v, memo)) for i, v in enumerate(value)]
            node.children.append((attribute, holder))
    return node


def _model_tree(model):
    """The object graph of `model`: its layers and, once a Keras optimizer has made its variables, the
    optimizer (child 'optimizer': 'iter' and the hyperparameters, plus a slot reference per slot)."""
    memo = {}
    root = _object_tree(model, memo)
    optimizer = getattr(model, "optimizer", None)
    slots = getattr(optimizer, "_slots", None)
    if optimizer is None or slots is None or not getattr(optimizer, "weights", None):
        return root
    node = _ObjectNode()
    iterations = getattr(optimizer, "_iterations", None)
    if iterations is not None:
        node.children.append(("iter", _ObjectNode(iterations)))
    for name, value in sorted(getattr(optimizer, "_hyper", {}).items()):
        if hasattr(value, "op") and hasattr(value, "initializer"):
            node.children.append((name, _ObjectNode(value)))
    originals = {n.variable.op.name: n for n in memo.values() if n.variable is not None}
    for variable_name, by_slot in slots.items():
        if variable_name in originals:
            node.slots += [(originals[variable_name], slot_name, _ObjectNode(slot))
                           for slot_name, slot in by_slot.items()]
    root.children.append(("optimizer", node))
    return root


def _breadth_first(root):
    """[(node, path)] each node once, in breadth-first order from `root`; the path is the first found
    (TensorFlow names every checkpoint value after that path)."""
    order, seen, queue = [], {id(root)}, [(root, ())]
    while queue:
        node, path = queue.pop(0)
        order.append((node, path))
        for name, child in node.children:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append((child, path + (name,)))
    # slot variables are reached through their optimizer, named after the variable they belong to
    paths = {id(node): path for node, path in order}
    for node, path in list(order):
        for original, slot_name, slot in node.slots:
            order.append((slot, _SlotPath(paths[id(original)], path, slot_name)))
    return order


class _SlotPath(tuple):
    """The path of a slot variable: (original variable's path, optimizer's path, slot name)."""

    def __new__(cls, original, optimizer, slot_name):
        return super().__new__(cls, (original, optimizer, slot_name))


def _escape(name):
    # TensorFlow escapes '/' (and the escape character '.') in local names so that paths split cleanly
    return name.replace(".", "..").replace("/", "./")


def _value_key(path):
    if isinstance(path, _SlotPath):
        original, optimizer, slot_name = path
        return "%s/.OPTIMIZER_SLOT/%s/%s/%s" % ("/".join(_escape(p) for p in original),
                                                "/".join(_escape(p) for p in optimizer), _escape(slot_name),
                                                _VALUE_SUFFIX)
    return "/".join(_escape(p) for p in path) + "/" + _VALUE_SUFFIX


def object_graph_keys(model):
    """{checkpoint key: variable} for the weights of `model`, as its object-based checkpoint names them."""
    order = _breadth_first(_model_tree(model))
    return {_value_key(path): node.variable for node, path in order if node.variable is not None}


def _serialize_object_graph(order):
    ids = {id(node): index for index, (node, _) in enumerate(order)}
    graph = wire.Writer()
    for node, path in order:
        obj = wire.Writer()
        for name, child in node.children:
            obj.message(1, wire.Writer().varint(1, ids[id(child)]).string(2, name))
        if node.variable is not None:
            obj.message(2, wire.Writer().string(1, _VARIABLE_VALUE).string(2, node.variable.op.name)
                        .string(3, _value_key(path)))
        for original, slot_name, slot in node.slots:
            obj.message(3, wire.Writer().varint(1, ids[id(original)]).string(2, slot_name)
                        .varint(3, ids[id(slot)]))
        graph.message(1, obj)
    return graph.getvalue()


def save_weights_to_checkpoint(model, filepath):
    """Writes the weights of `model` as an object-based checkpoint at the prefix `filepath` and points
    the folder's 'checkpoint' state file at it."""
    from ...train import checkpoint_utils
    order = _breadth_first(_model_tree(model))
    variables = [(node, path) for node, path in order if node.variable is not None]
    values = backend.batch_get_value([node.variable for node, _ in variables])
    tensors = {_value_key(path): (value, node.variable.dtype.base_dtype)
               for (node, path), value in zip(variables, values)}
    tensors[OBJECT_GRAPH_KEY] = (np.array(_serialize_object_graph(order), dtype=object), dtypes.string)
    filepath = os.fspath(filepath)
    bundle.write_bundle(filepath, tensors)
    folder = os.path.dirname(filepath) or "."
    checkpoint_utils.update_checkpoint_state(folder, filepath, [filepath], save_relative_paths=True)


# --- loading -----------------------------------------------------------------------------------------
def _parse_object_graph(data, filename):
    """[(children {local name: node id}, {attribute name: checkpoint key}, slots {(original variable's
    node id, slot name): slot's node id})] of a TrackableObjectGraph."""
    try:
        nodes = []
        for raw in wire.parse(data).get(1, []):
            fields = wire.parse(wire.as_bytes(raw))
            children = {}
            for ref in fields.get(1, []):
                ref_fields = wire.parse(wire.as_bytes(ref))
                name = wire.as_bytes(wire.last(ref_fields, 2, b"")).decode("utf-8")
                children.setdefault(name, wire.as_int(wire.last(ref_fields, 1, 0)))
            attributes = {}
            for attr in fields.get(2, []):
                attr_fields = wire.parse(wire.as_bytes(attr))
                attributes[wire.as_bytes(wire.last(attr_fields, 1, b"")).decode("utf-8")] = \
                    wire.as_bytes(wire.last(attr_fields, 3, b"")).decode("utf-8")
            slots = {}
            for ref in fields.get(3, []):
                ref_fields = wire.parse(wire.as_bytes(ref))
                slots[(wire.as_int(wire.last(ref_fields, 1, 0)),
                       wire.as_bytes(wire.last(ref_fields, 2, b"")).decode("utf-8"))] = \
                    wire.as_int(wire.last(ref_fields, 3, 0))
            nodes.append((children, attributes, slots))
    except (wire.WireError, UnicodeDecodeError) as e:
        raise errors.DataLossError(None, None, "The object graph of checkpoint %s is corrupt: %s"
                                   % (filename, e)) from None
    return nodes


def _match_object_graph(root, nodes):
    """[(variable, checkpoint key)] found by walking the saved graph along the model's child names."""
    matches, visited, saved_ids, optimizers = [], set(), {}, []

    def walk(node, saved_id):
        if (id(node), saved_id) in visited or not 0 <= saved_id < len(nodes):
            return
        visited.add((id(node), saved_id))
        saved_ids.setdefault(id(node), saved_id)
        children, attributes, _ = nodes[saved_id]
        if node.variable is not None and _VARIABLE_VALUE in attributes:
            matches.append((node.variable, attributes[_VARIABLE_VALUE]))
        if node.slots:
            optimizers.append((node, saved_id))
        for name, child in node.children:
            if name in children:
                walk(child, children[name])
    if nodes:
        walk(root, 0)
    for node, saved_id in optimizers:
        saved_slots = nodes[saved_id][2]
        for original, slot_name, slot in node.slots:
            slot_id = saved_slots.get((saved_ids.get(id(original), -1), slot_name))
            if slot_id is not None and 0 <= slot_id < len(nodes) and _VARIABLE_VALUE in nodes[slot_id][1]:
                matches.append((slot.variable, nodes[slot_id][1][_VARIABLE_VALUE]))
    found, unique = set(), []
    for variable, key in matches:
        if id(variable) not in found:
            found.add(id(variable))
            unique.append((variable, key))
    return unique


def load_weights_from_checkpoint(model, filepath):
    """Assigns the weights of `model` from the checkpoint at prefix `filepath` (object-based when it has
    an object graph, else by variable name). Raises AssertionError when nothing matched and ValueError
    when a value's shape or kind does not fit its variable; variables the checkpoint lacks keep their
    values (as TensorFlow's partial restores do)."""
    filepath = os.fspath(filepath)
    reader = bundle.BundleReader(filepath)
    if reader.has_tensor(OBJECT_GRAPH_KEY):
        nodes = _parse_object_graph(bytes(reader.read(OBJECT_GRAPH_KEY).reshape(-1)[0]), reader.index_file)
        if getattr(model, "optimizer", None) is not None and hasattr(model, "_make_train_function"):
            model._make_train_function()            # the optimizer's slots, so their saved state is restored
        matches = _match_object_graph(_model_tree(model), nodes)
    else:
        matches = [(v, v.op.name) for v in model.weights if reader.has_tensor(v.op.name)]
    matches = [(v, key) for v, key in matches if reader.has_tensor(key)]
    if not matches:
        raise AssertionError("Nothing except the root object matched a checkpointed value. Typically this means "
                             "that the checkpoint does not match the Python program. (checkpoint %s)" % filepath)
    pairs = []
    for variable, key in matches:
        entry = reader.entry(key)
        expected = tuple(variable.shape.as_list())
        if tuple(entry.shape) != expected:
            raise ValueError("The checkpoint value %r has shape %s, but the variable %s has shape %s."
                             % (key, tuple(entry.shape), variable.name, expected))
        if entry.dtype is None or not (entry.dtype.is_floating or entry.dtype.is_integer or entry.dtype.is_bool):
            raise ValueError("The checkpoint value %r is not numeric (dtype enum %d); the variable %s is %s."
                             % (key, entry.dtype_enum, variable.name, variable.dtype.base_dtype.name))
        pairs.append((variable, reader.read(key).astype(variable.dtype.base_dtype.as_numpy_dtype)))
    backend.batch_set_value(pairs)
