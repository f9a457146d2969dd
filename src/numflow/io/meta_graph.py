"""numflow's `.meta` format: a JSON description of a graph that `tf.train.import_meta_graph` rebuilds.

TensorFlow's MetaGraphDef would need the OpDefs and attribute conventions of every TF op, which numflow's
ops do not share, so numflow writes its own format instead (and never pickles anything):

    {"format": "numflow-meta-graph", "version": 1,
     "graph_seed": int | null,
     "ops": [{"name", "type", "inputs": ["op:0", ...], "control_inputs": ["op", ...], "device",
              "attrs": {name: ENCODED}}, ...],                       # in creation order
     "skipped_ops": ["name", ...],            # ops that could not be described (and their consumers)
     "collections": {key: [ENCODED item, ...]},
     "saver_def": null | {"variables": {checkpoint key: variable op name}, "max_to_keep", ...}}

ENCODED values are tagged JSON objects: {"t": "none" | "bool" | "int" | "str" | "dtype", "v": ...},
{"t": "float", "v": float.hex()}, {"t": "bytes", "v": base64}, {"t": "shape", "v": null | [dims or null]},
{"t": "array", "dtype", "shape", "v": base64 of the raw little-endian bytes},
{"t": "string_array", "shape", "v": [base64, ...]}, {"t": "scalar", "dtype", "v": base64},
{"t": "filled", "dtype", "shape", "v": base64 of the one element} for arrays whose entries are all the same
(tf.zeros / tf.ones / tf.fill values, stored in a few bytes however large, and read back as a read-only
broadcast view),
{"t": "list" | "tuple", "v": [...]}, {"t": "dict", "v": {key: ...}}, {"t": "tensor" | "op", "v": name},
and, in collections, {"t": "variable", "op", "initializer", "initial_value", "snapshot", "trainable"}.
Attributes without such a form (the traced branches of tf.cond / tf.while_loop, Python callables)
make their op unserializable: it and everything that depends on it are left out with a warning.
Every value read back is validated (types, dtypes, byte counts, known op types, existing inputs).
"""
import base64
import json
import warnings

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import Operation, Tensor
from ..framework.tensor_shape import TensorShape

FORMAT = "numflow-meta-graph"
VERSION = 1


class Unserializable(Exception):
    pass


def _b64(data):
    return base64.b64encode(bytes(data)).decode("ascii")


def _unb64(text):
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


# --- encoding ------------------------------------------------------------------------------------
def encode_value(value, position=None):
    """Tagged JSON for an attribute value; Unserializable when it has no form. `position`: the id of the op
    that holds it (a reference to a later op is not allowed)."""
    if value is None:
        return {"t": "none"}
    if isinstance(value, (bool, np.bool_)) and not isinstance(value, np.ndarray):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, int):
        return {"t": "int", "v": int(value)}
    if isinstance(value, float):
        return {"t": "float", "v": float(value).hex()}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, bytes):
        return {"t": "bytes", "v": _b64(value)}
    if isinstance(value, dtypes.DType):
        return {"t": "dtype", "v": value.name}
    if isinstance(value, TensorShape):
        return {"t": "shape", "v": None if value.ndims is None else value.as_list()}
    if isinstance(value, np.generic):
        try:
            dtype = dtypes.as_dtype(value.dtype)
        except TypeError:
            raise Unserializable("numpy scalar of dtype %s" % value.dtype) from None
        if dtype is dtypes.string:
            raise Unserializable("numpy string scalar")
        return {"t": "scalar", "dtype": dtype.name,
                "v": _b64(np.asarray(value, dtype=dtype.np.newbyteorder("<")).tobytes())}
    if isinstance(value, np.ndarray):
        filled = _uniform_element(value)
        if filled is not None:      # tf.zeros / tf.ones / tf.fill values: one element, not millions
            dtype = dtypes.string if value.dtype == object else dtypes.as_dtype(value.dtype)
            return {"t": "filled", "dtype": dtype.name, "shape": list(value.shape), "v": _b64(filled)}
        if value.dtype == object:
            items = []
            for item in value.reshape(-1):
                if isinstance(item, str):
                    item = item.encode("utf-8")
                if not isinstance(item, bytes):
                    raise Unserializable("object array holding %s" % type(item).__name__)
                items.append(_b64(item))
            return {"t": "string_array", "shape": list(value.shape), "v": items}
        try:
            dtype = dtypes.as_dtype(value.dtype)
        except TypeError:
            raise Unserializable("array of dtype %s" % value.dtype) from None
        return {"t": "array", "dtype": dtype.name, "shape": list(value.shape),
                "v": _b64(np.ascontiguousarray(value, dtype=dtype.np.newbyteorder("<")).tobytes())}
    if isinstance(value, (list, tuple)):
        return {"t": "list" if isinstance(value, list) else "tuple",
                "v": [encode_value(v, position) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise Unserializable("dict with non-string keys")
        return {"t": "dict", "v": {k: encode_value(v, position) for k, v in value.items()}}
    if isinstance(value, Tensor):
        if position is not None and value.op._id >= position:
            raise Unserializable("reference to a later tensor")
        return {"t": "tensor", "v": value.name}
    if isinstance(value, Operation):
        if position is not None and value._id >= position:
            raise Unserializable("reference to a later op")
        return {"t": "op", "v": value.name}
    raise Unserializable("a %s" % type(value).__name__)


def _uniform_element(array):
    """The bytes of the one element every entry of `array` equals bit for bit (a string's bytes for an
    object array of strings), or None when the entries differ, the array is tiny or its dtype unknown."""
    if array.size < 2:
        return None
    flat = array.reshape(-1)
    if array.dtype == object:
        first = flat[0]
        if isinstance(first, str):
            first = first.encode("utf-8")
        if not isinstance(first, bytes) or not all(isinstance(item, bytes) and item == first for item in flat):
            return None
        return first
    try:
        dtype = dtypes.as_dtype(array.dtype)
    except TypeError:
        return None
    flat = np.ascontiguousarray(flat, dtype=dtype.np.newbyteorder("<"))
    itemsize = flat.dtype.itemsize
    bits = flat.view("<u%d" % itemsize) if itemsize in (1, 2, 4, 8) else flat.view(np.uint8).reshape(-1, itemsize)
    if np.any(bits[-1] != bits[0]) or not (bits == bits[0]).all():
        return None
    return flat[:1].tobytes()


def _variable_class():
    from ..variables import Variable
    return Variable


def _encode_collection_item(item, skipped):
    Variable = _variable_class()
    if isinstance(item, Variable):
        init = item.initializer
        initial = item.initial_value
        snapshot = getattr(item, "_snapshot", item._ref)
        names = [item.op.name, init.name, initial.op.name, snapshot.op.name]
        if any(n in skipped for n in names):
            raise Unserializable("variable %s depends on an unserializable op" % item.op.name)
        return {"t": "variable", "op": item.op.name, "initializer": init.name, "initial_value": initial.name,
                "snapshot": snapshot.name, "trainable": bool(item.trainable)}
    if isinstance(item, Tensor):
        if item.op.name in skipped:
            raise Unserializable("tensor of a skipped op")
        return {"t": "tensor", "v": item.name}
    if isinstance(item, Operation):
        if item.name in skipped:
            raise Unserializable("skipped op")
        return {"t": "op", "v": item.name}
    if isinstance(item, (bool, int, float, str, bytes)):
        return encode_value(item)
    raise Unserializable("a %s" % type(item).__name__)


def export_graph(graph, collection_list=None, clear_devices=False, saver_def=None, export_scope=None):
    """The JSON-ready dict describing `graph` (see the module docstring)."""
    ops = []
    skipped = {}
    prefix = (export_scope.rstrip("/") + "/") if export_scope else None
    for op in graph.get_operations():
        if prefix is not None and not op.name.startswith(prefix):
            continue
        reason = None
        for tensor in op.inputs:
            if tensor.op.name in skipped or (prefix and not tensor.op.name.startswith(prefix)):
                reason = "its input %s is not exported" % tensor.name
                break
        if reason is None:
            for control in op.control_inputs:
                if control.name in skipped:
                    reason = "its control input %s is not exported" % control.name
                    break
        attrs = {}
        if reason is None:
            try:
                for key, value in op.attrs.items():
                    attrs[key] = encode_value(value, op._id)
            except Unserializable as exc:
                reason = "attribute '%s' (%s) has no serializable form" % (key, exc)
        if reason is not None:
            skipped[op.name] = reason
            continue
        ops.append({"name": op.name, "type": op.type, "inputs": [t.name for t in op.inputs],
                    "control_inputs": [c.name for c in op.control_inputs if c.name not in skipped],
                    "device": "" if clear_devices else (op.device or ""), "attrs": attrs})
    if skipped:
        first = list(skipped.items())[:5]
        warnings.warn("The .meta graph leaves out %d op(s) that numflow cannot serialize (tf.cond / "
                      "tf.while_loop internals and ops that depend on them), e.g. %s"
                      % (len(skipped), "; ".join("%s: %s" % kv for kv in first)), stacklevel=3)
    collections = {}
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    for key in keys:
        if not isinstance(key, str):
            continue
        items = []
        for item in graph.get_collection(key):
            try:
                items.append(_encode_collection_item(item, skipped))
            except Unserializable:
                continue
        if items:
            collections[key] = items
    return {"format": FORMAT, "version": VERSION, "graph_seed": graph.seed, "ops": ops,
            "skipped_ops": list(skipped), "collections": collections, "saver_def": saver_def}


def dumps(meta):
    return json.dumps(meta, separators=(",", ":"), sort_keys=False).encode("utf-8")


# --- decoding ------------------------------------------------------------------------------------
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


def parse(data, source):
    """The meta-graph dict in `data` (bytes); DataLossError naming `source` when it is not one."""
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


def import_graph(meta, graph, source, clear_devices=False, import_scope=None):
    """Rebuilds the ops and collections of `meta` in `graph`; returns ({old op name: new op name},
    {variable op name (old): Variable}). A malformed file is DataLossError naming it, whatever part of
    it has the wrong type."""
    try:
        return _import_graph(meta, graph, source, clear_devices, import_scope)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        if isinstance(exc, errors.OpError):
            raise
        raise errors.DataLossError(None, None, "Corrupted meta graph %s: %s: %s"
                                   % (source, type(exc).__name__, exc)) from exc


def _import_graph(meta, graph, source, clear_devices, import_scope):
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
