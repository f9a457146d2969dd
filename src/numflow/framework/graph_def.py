"""A numflow Graph as TensorFlow's GraphDef protocol buffer, and back.

`graph_to_graph_def(graph)` writes each op as the NodeDef TensorFlow writes for it: TF's op type
(`MatMul`, `Conv2D`, `VariableV2` ...), TF's attr names and types (`T`, `dtype`, `strides`, `value` as a
TensorProto ...), inputs as 'node', 'node:1' and '^control'. Where numflow keeps a value as an attribute
that TensorFlow passes as an input (the axis of ConcatV2, ExpandDims, GatherV2, the reduction indices of
Sum ...), the export adds the Const node TF would have. `import_graph_def(graph_def)` is the reverse and
reads graphs written by TensorFlow 1.x and 2.x (compat.v1).

The correspondence lives in one table, `_RULES`, built below by `_rule(...)`: one entry per op type with
its attr codecs both ways. numflow ops that TensorFlow builds from several ops (Swish, Moments, Dropout,
tf.print, the gradient helpers SumToShapeOf, BroadcastReduced ...) are written as the TF composition that
computes the same thing, and read back as its parts; where such an op has a second output (Moments'
variance, Dropout's mask) that output becomes its own node and the nodes reading it are rewired to it, so
a fetch of 'op:1' by name finds nothing in the GraphDef. The rest are an InvalidArgumentError naming
them; tests/test_graph_def_coverage.py lists every op type and why it has no TF form.

A graph file is a program: it can name ops that read and write files. Import only graphs you trust.
"""
import numpy as np

from . import dtypes, errors
from .graph import Graph, Operation, Tensor, get_default_graph
from .tensor_shape import TensorShape
from ..io import wire
from ..io.graph_proto import AttrValue, GraphDef, NodeDef, TensorProto, TensorShapeProto, VersionDef

__all__ = ["graph_to_graph_def", "import_graph_def", "GraphDef", "NodeDef", "tensor_proto_to_ndarray",
           "ndarray_to_tensor_proto", "parse_graph_def", "GRAPH_DEF_VERSION", "exportable_op_types",
           "importable_op_types"]

# The producer version written into GraphDef.versions (TF 1.15 writes 134; its loaders accept 0..).
GRAPH_DEF_VERSION = 134
GRAPH_DEF_MIN_CONSUMER = 0


# --- tensors and shapes --------------------------------------------------------------------------------
def shape_to_proto(shape):
    """A TensorShape (or list of dims, None for unknown) as a TensorShapeProto."""
    proto = TensorShapeProto()
    shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    if shape.ndims is None:
        proto.unknown_rank = True
        return proto
    proto.dim = [TensorShapeProto.Dim(size=-1 if d is None else int(d)) for d in shape.as_list()]
    return proto


def shape_from_proto(proto):
    if proto.unknown_rank:
        return TensorShape(None)
    return TensorShape([None if d.size < 0 else int(d.size) for d in proto.dim])


_VAL_FIELDS = {"float32": "float_val", "float64": "double_val", "int32": "int_val", "int16": "int_val",
               "int8": "int_val", "uint8": "int_val", "uint16": "int_val", "int64": "int64_val",
               "bool": "bool_val", "string": "string_val", "float16": "half_val", "uint32": "uint32_val",
               "uint64": "uint64_val", "complex64": "scomplex_val", "complex128": "dcomplex_val"}


def ndarray_to_tensor_proto(value, dtype=None):
    """A NumPy value as a TensorProto: a uniform array as one repeated value (TF repeats the last one),
    a scalar as a typed value, anything else as little-endian `tensor_content`."""
    dtype = dtypes.as_dtype(dtype if dtype is not None else np.asarray(value).dtype)
    array = np.asarray(value, dtype=object if dtype.name == "string" else dtype.np)
    proto = TensorProto(dtype=dtype.as_datatype_enum, tensor_shape=shape_to_proto(list(array.shape)))
    if array.size == 0:
        return proto
    flat = array.reshape(-1)
    if dtype.name == "string":
        items = [v if isinstance(v, bytes) else str(v).encode("utf-8") for v in flat]
        if all(item == items[0] for item in items):
            items = items[:1]
        proto.string_val = items
        return proto
    # Uniform means bit-identical: -0.0 is not 0.0, and NaNs of one pattern repeat like any value.
    as_bytes = flat.view(np.uint8).reshape(flat.size, flat.itemsize)
    uniform = flat.size == 1 or bool(np.all(as_bytes == as_bytes[0]))
    if uniform and (flat.size == 1 or flat.size * flat.itemsize > 16):
        first = flat[:1]
        field = _VAL_FIELDS[dtype.name]
        if dtype.name == "float16":
            items = [int(first.view(np.uint16)[0])]
        elif dtype.is_complex:
            items = [float(first[0].real), float(first[0].imag)]
        elif dtype.name == "bool":
            items = [bool(first[0])]
        elif dtype.is_floating:
            items = [float(first[0])]
        else:
            items = [int(first[0])]
        setattr(proto, field, items)
        return proto
    proto.tensor_content = np.ascontiguousarray(array, dtype=dtype.np.newbyteorder("<")).tobytes()
    return proto


def tensor_proto_to_ndarray(proto, where="TensorProto"):
    """The NumPy value of a TensorProto; InvalidArgumentError naming `where` when it is inconsistent."""
    try:
        dtype = dtypes.as_dtype(int(proto.dtype))
    except (TypeError, ValueError, KeyError):
        raise errors.InvalidArgumentError(None, None, "%s: unsupported tensor dtype %d" % (where, proto.dtype)) \
            from None
    shape = shape_from_proto(proto.tensor_shape)
    if not shape.is_fully_defined():
        raise errors.InvalidArgumentError(None, None, "%s: a constant's shape must be fully defined, got %s"
                                          % (where, shape))
    dims = shape.as_list()
    size = int(np.prod(dims, dtype=np.int64)) if dims else 1
    if dtype.name == "string":
        items = list(proto.string_val)
        return _repeat_last(np.array(items, dtype=object), size, dims, where, object)
    if proto.tensor_content:
        content = proto.tensor_content
        little = dtype.np.newbyteorder("<")
        if len(content) != size * little.itemsize:
            raise errors.InvalidArgumentError(
                None, None, "%s: tensor_content holds %d bytes, but shape %s of %s needs %d"
                % (where, len(content), dims, dtype.name, size * little.itemsize))
        return np.frombuffer(content, dtype=little).astype(dtype.np).reshape(dims)
    field = _VAL_FIELDS.get(dtype.name)
    if field is None:
        raise errors.InvalidArgumentError(None, None, "%s: cannot read a %s tensor" % (where, dtype.name))
    items = list(getattr(proto, field))
    if dtype.name == "float16":
        values = np.array(items, dtype=np.uint16).view(np.float16)
    elif dtype.is_complex:
        pairs = np.array(items, dtype=np.float64).reshape(-1, 2)
        values = (pairs[:, 0] + 1j * pairs[:, 1]).astype(dtype.np)
    else:
        values = np.array(items).astype(dtype.np) if items else np.zeros([0], dtype.np)
    return _repeat_last(values, size, dims, where, dtype.np)


def _repeat_last(values, size, dims, where, np_dtype):
    if values.size > size:
        raise errors.InvalidArgumentError(None, None, "%s: %d values for a tensor of shape %s"
                                          % (where, values.size, dims))
    if values.size == 0:
        out = np.zeros(size, dtype=np_dtype) if np_dtype is not object else np.array([b""] * size, dtype=object)
    elif values.size < size:
        out = np.concatenate([values, np.repeat(values[-1:], size - values.size)])
    else:
        out = values
    return out.reshape(dims)


# --- attr codecs: (numflow value -> AttrValue, AttrValue -> numflow value) ---------------------------
def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


_CODECS = {
    "b": (lambda v: AttrValue(b=bool(v)), lambda a: bool(a.b)),
    "i": (lambda v: AttrValue(i=int(v)), lambda a: int(a.i)),
    "bytes": (lambda v: AttrValue(s=v.encode("utf-8") if isinstance(v, str) else bytes(v)), lambda a: bytes(a.s)),
    "f": (lambda v: AttrValue(f=float(v)), lambda a: float(a.f)),
    "s": (lambda v: AttrValue(s=_text(v).encode("utf-8")), lambda a: _text(a.s)),
    "type": (lambda v: AttrValue(type=dtypes.as_dtype(v).as_datatype_enum),
             lambda a: dtypes.as_dtype(int(a.type) % 100)),
    "shape": (lambda v: AttrValue(shape=shape_to_proto(v)), lambda a: shape_from_proto(a.shape)),
    "ints": (lambda v: AttrValue(list=AttrValue.ListValue(i=[int(x) for x in v])),
             lambda a: [int(x) for x in a.list.i]),
    "int_tuple": (lambda v: AttrValue(list=AttrValue.ListValue(i=[int(x) for x in v])),
                  lambda a: tuple(int(x) for x in a.list.i)),
    "floats": (lambda v: AttrValue(list=AttrValue.ListValue(f=[float(x) for x in v])),
               lambda a: [float(x) for x in a.list.f]),
    "types": (lambda v: AttrValue(list=AttrValue.ListValue(type=[dtypes.as_dtype(x).as_datatype_enum for x in v])),
              lambda a: tuple(dtypes.as_dtype(int(x) % 100) for x in a.list.type)),
}


class _Rule:
    """How one numflow op type is written as a TF NodeDef and read back.

    attrs: [(numflow name, TF name, codec)] copied both ways; defaults: numflow attrs to use when TF's
    attr is absent; types: [(TF attr, input index or 'out<i>')] written from dtypes; const_inputs:
    [(TF input position, TF input name, numflow attr, to_numflow(array), to_array(value, op))] for values
    numflow keeps as attrs and TF passes as Const inputs; fixed: TF attrs always written as given; export
    and load: functions that replace the generic conversion."""

    def __init__(self, nf_type, tf_type, attrs, defaults, types, const_inputs, fixed, export, load):
        self.nf_type, self.tf_type = nf_type, tf_type
        self.attrs, self.defaults, self.types = attrs, defaults, types
        self.const_inputs, self.fixed = const_inputs, fixed
        self.export, self.load = export, load


_EXPORT_RULES = {}   # numflow op type -> _Rule
_IMPORT_RULES = {}   # TF op type -> _Rule


def _rule(nf_type, tf_type=None, attrs=(), defaults=None, types=(("T", 0),), const_inputs=(), fixed=None,
          export=None, load=None, tf_aliases=(), import_only=False):
    rule = _Rule(nf_type, tf_type or nf_type, list(attrs), dict(defaults or {}), list(types),
                 list(const_inputs), dict(fixed or {}), export, load)
    if not import_only:
        _EXPORT_RULES[nf_type] = rule
    for name in (rule.tf_type,) + tuple(tf_aliases):
        _IMPORT_RULES[name] = rule
    return rule


def exportable_op_types():
    """The numflow op types `graph_to_graph_def` writes (as themselves or as a TF composition)."""
    return sorted(_EXPORT_RULES)


def importable_op_types():
    """The TF op types `import_graph_def` reads."""
    _load_op_families()
    return sorted(_IMPORT_RULES)


# --- export ------------------------------------------------------------------------------------------
def _input_name(tensor):
    return tensor.op.name if tensor.value_index == 0 else "%s:%d" % (tensor.op.name, tensor.value_index)


class _Exporter:
    def __init__(self, graph, add_shapes, strict):
        self.graph = graph
        self.add_shapes = add_shapes
        self.strict = strict
        self.graph_def = GraphDef()
        self.names = {op.name for op in graph.get_operations()}
        # 'op:i' -> the node that computes it, for ops written as several nodes with several outputs.
        self.renamed = {}

    def unique(self, base):
        name, count = base, 1
        while name in self.names:
            name = "%s_%d" % (base, count)
            count += 1
        self.names.add(name)
        return name

    def node(self, name, tf_type, inputs, attrs=None, device=""):
        node = self.graph_def.node.add(name=name, op=tf_type)
        node.input.extend(inputs)
        if device:
            node.device = device
        for key, value in (attrs or {}).items():
            node.attr[key] = value
        return node

    def const(self, base, value, dtype, device=""):
        """Adds a Const node holding `value` and returns its name."""
        dtype = dtypes.as_dtype(dtype)
        return self.node(self.unique(base), "Const", [], {
            "dtype": AttrValue(type=dtype.as_datatype_enum),
            "value": AttrValue(tensor=ndarray_to_tensor_proto(value, dtype))}, device).name

    def add(self, tf_type, base, inputs, attrs, op):
        """Adds a helper node of a TF composition beside `op`; returns its output name."""
        return self.node(self.unique(base), tf_type, inputs, attrs, op.device).name


def _type_attr(op, source):
    if isinstance(source, str):
        return op.outputs[int(source[3:])].dtype
    return op.inputs[source].dtype


def _generic_attrs(op):
    """numflow attributes written as they are, for ops without a rule (TensorBoard's view only)."""
    attrs = {}
    for key, value in sorted(op.attrs.items()):
        encoded = _encode_any(value)
        if encoded is not None:
            attrs[key] = encoded
    if op.outputs and "T" not in attrs and "dtype" not in attrs:
        attrs["T"] = AttrValue(type=op.outputs[0].dtype.as_datatype_enum)
    return attrs


def _encode_any(value):
    if isinstance(value, dtypes.DType):
        return _CODECS["type"][0](value)
    if isinstance(value, TensorShape):
        return _CODECS["shape"][0](value)
    if isinstance(value, (bool, np.bool_)):
        return AttrValue(b=bool(value))
    if isinstance(value, (int, np.integer)):
        return AttrValue(i=int(value))
    if isinstance(value, (float, np.floating)):
        return AttrValue(f=float(value))
    if isinstance(value, (str, bytes)):
        return AttrValue(s=value.encode("utf-8") if isinstance(value, str) else value)
    if isinstance(value, np.ndarray):
        try:
            return AttrValue(tensor=ndarray_to_tensor_proto(value))
        except TypeError:
            return None
    if isinstance(value, (list, tuple)) and value:
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
            return _CODECS["ints"][0](value)
        if all(isinstance(v, (float, np.floating)) for v in value):
            return _CODECS["floats"][0](value)
        if all(isinstance(v, (str, bytes)) for v in value):
            return AttrValue(list=AttrValue.ListValue(s=[_text(v).encode("utf-8") for v in value]))
        if all(isinstance(v, dtypes.DType) for v in value):
            return _CODECS["types"][0](value)
    return None


def graph_to_graph_def(graph, add_shapes=False, ops=None, strict=True):
    """Returns a GraphDef of `graph` (or of the ops `ops` of it, in graph order).

    With `add_shapes`, each node carries '_output_shapes' as TF's `as_graph_def(add_shapes=True)`.
    `strict=False` (TensorBoard's graph view) writes ops that have no TF form under their numflow type
    instead of raising InvalidArgumentError naming them."""
    exporter = _Exporter(graph, add_shapes, strict)
    selected = graph.get_operations() if ops is None else sorted(ops, key=lambda o: o._id)
    unsupported = []
    for op in selected:
        rule = _EXPORT_RULES.get(op.type)
        if rule is None:
            if strict:
                unsupported.append(op)
                continue
            _export_node(exporter, op, None)
            continue
        try:
            _export_node(exporter, op, rule)
        except _NoTFForm as exc:
            if strict:
                unsupported.append((op, str(exc)))
            else:
                _export_node(exporter, op, None)
    if unsupported:
        described = []
        for item in unsupported:
            if isinstance(item, tuple):
                described.append("'%s' (%s: %s)" % (item[0].name, item[0].type, item[1]))
            else:
                described.append("'%s' (%s)" % (item.name, item.type))
        raise errors.InvalidArgumentError(
            None, None, "Cannot write %d op(s) as a TensorFlow GraphDef: TensorFlow has no op type for "
            "them: %s. Build the graph from ops TensorFlow has (op types: %s)."
            % (len(described), ", ".join(described), ", ".join(sorted({(i[0] if isinstance(i, tuple) else i).type
                                                                         for i in unsupported}))))
    exporter.graph_def.versions.producer = GRAPH_DEF_VERSION
    return exporter.graph_def


class _NoTFForm(Exception):
    """This op instance has no TF form (an attribute value TF cannot express)."""


def _export_node(exporter, op, rule):
    inputs = [exporter.renamed.get(name, name) for name in map(_input_name, op.inputs)]
    if rule is None:
        node = exporter.node(op.name, op.type, inputs, _generic_attrs(op), op.device)
    elif rule.export is not None:
        node = rule.export(exporter, op, inputs)
    else:
        attrs = {}
        for nf_name, tf_name, codec in rule.attrs:
            if nf_name in op.attrs and op.attrs[nf_name] is not None:
                attrs[tf_name] = _CODECS[codec][0](op.attrs[nf_name])
        for tf_name, source in rule.types:
            attrs[tf_name] = AttrValue(type=_type_attr(op, source).as_datatype_enum)
        for tf_name, value in rule.fixed.items():
            attrs[tf_name] = AttrValue.FromString(value.SerializeToString())
        for position, tf_input, nf_attr, _, to_array in rule.const_inputs:
            value, dtype = to_array(op.attrs.get(nf_attr), op)
            inputs.insert(position, exporter.const("%s/%s" % (op.name, tf_input), value, dtype, op.device))
        node = exporter.node(op.name, rule.tf_type, inputs, attrs, op.device)
    node.input.extend("^" + control.name for control in op.control_inputs)
    if exporter.add_shapes and op.outputs:
        node.attr["_output_shapes"] = AttrValue(list=AttrValue.ListValue(
            shape=[shape_to_proto(t.shape) for t in op.outputs]))
    return node


# --- import ------------------------------------------------------------------------------------------
_FAMILIES_LOADED = []


def _load_op_families():
    """Imports every op family so that each op type a graph may name is registered."""
    if _FAMILIES_LOADED:
        return
    import importlib
    import pkgutil
    from .. import ops as ops_package
    for module in pkgutil.iter_modules(ops_package.__path__):
        importlib.import_module("%s.%s" % (ops_package.__name__, module.name))
    _FAMILIES_LOADED.append(True)


def parse_graph_def(data, source="GraphDef"):
    """A GraphDef from serialized bytes; DataLossError naming `source` (a file name) when malformed."""
    try:
        graph_def = GraphDef.FromString(bytes(data))
        for node in graph_def.node:        # nested messages are decoded lazily nowhere: check them now
            if not node.name or not node.op:
                raise wire.WireError("a node without a name or op type")
    except (wire.WireError, UnicodeDecodeError, ValueError, TypeError, IndexError) as exc:
        raise errors.DataLossError(None, None, "Unable to parse %s as a GraphDef protocol buffer (truncated "
                                   "or corrupted): %s" % (source, exc)) from None
    return graph_def


def _split_input(name):
    """('node', index, is_control) of a NodeDef input string."""
    if name.startswith("^"):
        return name[1:], -1, True
    op_name, _, index = name.partition(":")
    return op_name, int(index) if index else 0, False


def _tensor_key(name):
    op_name, index, control = _split_input(name)
    return ("^" + op_name) if control else "%s:%d" % (op_name, index)


def _constant_of(tensor, node, what):
    """The constant value of `tensor` (a Const op's output, possibly through Identity); InvalidArgumentError
    naming the node when it is computed at run time."""
    op = tensor.op
    while op.type == "Identity" and op.inputs:
        op = op.inputs[0].op
    if op.type != "Const":
        raise errors.InvalidArgumentError(
            None, None, "Node '%s' (%s): numflow needs its input '%s' (%s) to be a constant, but it is "
            "computed by '%s' (%s)" % (node.name, node.op, what, tensor.name, op.name, op.type))
    return op.attrs["value"]


class _Importer:
    def __init__(self, graph, prefix):
        self.graph = graph
        self.prefix = prefix

    def scoped(self, name):
        return self.prefix + name if self.prefix else name


def _topological_order(nodes, where):
    by_name = {}
    for node in nodes:
        if node.name in by_name:
            raise errors.InvalidArgumentError(None, None, "%s: node '%s' is defined twice" % (where, node.name))
        by_name[node.name] = node
    pending = {}
    consumers = {}
    for node in nodes:
        deps = set()
        for item in node.input:
            source = _split_input(item)[0]
            deps.add(source)
        pending[node.name] = len(deps)
        for source in deps:
            consumers.setdefault(source, []).append(node.name)
    ready = [node.name for node in nodes if pending[node.name] == 0]
    order = []
    while ready:
        name = ready.pop()
        order.append(by_name[name])
        for consumer in consumers.get(name, ()):
            pending[consumer] -= 1
            if pending[consumer] == 0:
                ready.append(consumer)
    if len(order) != len(nodes):
        stuck = sorted(name for name, count in pending.items() if count > 0)
        raise errors.InvalidArgumentError(
            None, None, "%s has a cycle (or inputs that name no node) among nodes %s: numflow imports "
            "acyclic graphs (TF1 while_loop's NextIteration cycles are not supported)"
            % (where, ", ".join(stuck[:10]) + (" ..." if len(stuck) > 10 else "")))
    # Keep the file's order where it is already topological: ready.pop() above reverses siblings.
    position = {node.name: i for i, node in enumerate(nodes)}
    return _stable_topological(order, position, by_name)


def _stable_topological(order, position, by_name):
    import heapq
    deps = {node.name: {_split_input(i)[0] for i in node.input} for node in order}
    consumers = {}
    for name, sources in deps.items():
        for source in sources:
            consumers.setdefault(source, []).append(name)
    waiting = {name: len(sources) for name, sources in deps.items()}
    heap = [(position[name], name) for name, count in waiting.items() if count == 0]
    heapq.heapify(heap)
    result = []
    while heap:
        _, name = heapq.heappop(heap)
        result.append(by_name[name])
        for consumer in consumers.get(name, ()):
            waiting[consumer] -= 1
            if waiting[consumer] == 0:
                heapq.heappush(heap, (position[consumer], consumer))
    return result


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None, op_dict=None,
                     producer_op_list=None):
    """`tf.import_graph_def`: adds the nodes of `graph_def` to the default graph.

    Names are prefixed with `name` ('import' when None; '' keeps them as they are). `input_map` maps
    input names of `graph_def` ('x:0', 'x', or '^x' for a control input) to Tensors (Operations for '^x')
    of the default graph that replace them. Returns the Tensors / Operations named in `return_elements`
    ('op:0' or 'op'), or None. Raises NotFoundError listing every op type numflow cannot run,
    ValueError for `input_map` or `return_elements` names that are not in `graph_def`."""
    _load_op_families()
    if isinstance(graph_def, (bytes, bytearray)):
        graph_def = parse_graph_def(graph_def)
    if not isinstance(graph_def, GraphDef):
        if hasattr(graph_def, "SerializeToString"):      # a generated protobuf GraphDef
            graph_def = parse_graph_def(graph_def.SerializeToString())
        else:
            raise TypeError("graph_def must be a GraphDef proto, got %s" % type(graph_def).__name__)
    input_map = dict(input_map or {})
    for key, value in input_map.items():
        if not isinstance(key, str):
            raise TypeError("input_map keys must be strings, got %r" % (key,))
        if key.startswith("^"):
            if not isinstance(value, Operation):
                raise ValueError("input_map entry %s must map to an Operation, got %r" % (key, value))
        elif not isinstance(value, Tensor):
            if hasattr(value, "_as_graph_element"):
                input_map[key] = value._as_graph_element()
            else:
                raise TypeError("input_map values must be Tensors, got %r for %s" % (value, key))
    input_map = {_tensor_key(k): v for k, v in input_map.items()}
    if return_elements is not None:
        return_elements = list(return_elements)
        for element in return_elements:
            if not isinstance(element, str):
                raise TypeError("return_elements must be a list of strings, got %r" % (element,))

    nodes = list(graph_def.node)
    node_names = {node.name for node in nodes}
    unknown = {}
    for node in nodes:
        if node.op not in _IMPORT_RULES:
            unknown.setdefault(node.op, []).append(node.name)
    if unknown:
        raise errors.NotFoundError(None, None, "Cannot import the GraphDef: numflow has no kernel for %d op "
                                   "type(s): %s" % (len(unknown), "; ".join(
                                       "Op type not registered '%s' (node%s %s)" % (
                                           op_type, "s" if len(names) > 1 else "",
                                           ", ".join("'%s'" % n for n in names[:5]) +
                                           (" ..." if len(names) > 5 else ""))
                                       for op_type, names in sorted(unknown.items()))))
    referenced = set()
    for node in nodes:
        for item in node.input:
            referenced.add(_tensor_key(item))
    missing_map = sorted(k for k in input_map if k not in referenced and
                         not (not k.startswith("^") and k.split(":")[0] in node_names))
    if missing_map:
        raise ValueError("Attempted to map inputs that were not found in graph_def: [%s]"
                         % ", ".join(missing_map))
    for node in nodes:
        for item in node.input:
            source = _split_input(item)[0]
            if source not in node_names and _tensor_key(item) not in input_map:
                raise ValueError("Node '%s': Unknown input node '%s'" % (node.name, item))

    graph = get_default_graph()
    prefix = _import_prefix(graph, name)
    order = _topological_order(nodes, "GraphDef")
    importer = _Importer(graph, prefix)
    tensors = {}    # original 'node:index' -> Tensor
    ops = {}        # original node name -> Operation
    with graph.name_scope(None):
        for node in order:
            inputs, controls = [], []
            for item in node.input:
                key = _tensor_key(item)
                source, index, is_control = _split_input(item)
                if key in input_map:
                    (controls if is_control else inputs).append(input_map[key])
                elif is_control:
                    controls.append(ops[source])
                else:
                    op = ops[source]
                    if index >= len(op.outputs):
                        raise ValueError("Node '%s': input '%s' names output %d of '%s', which has %d output(s)"
                                         % (node.name, item, index, source, len(op.outputs)))
                    inputs.append(op.outputs[index])
            op = _import_node(importer, node, inputs, controls)
            ops[node.name] = op
            for i, tensor in enumerate(op.outputs):
                tensors["%s:%d" % (node.name, i)] = tensor
    if return_elements is None:
        return None
    results = []
    for element in return_elements:
        if ":" in element:
            tensor = tensors.get(element)
            if tensor is None:
                raise ValueError("Requested return_element %r not found in graph_def." % element)
            results.append(tensor)
        else:
            op = ops.get(element)
            if op is None:
                raise ValueError("Requested return_element %r not found in graph_def." % element)
            results.append(op)
    return results


def _import_prefix(graph, name):
    if name == "":
        return ""
    base = "import" if name is None else name.rstrip("/")
    if name is not None and name.endswith("/"):
        return base + "/"
    with graph.name_scope(None):
        with graph.name_scope(base) as scope:
            return scope


def _node_attrs(rule, node):
    attrs = dict(rule.defaults)
    for nf_name, tf_name, codec in rule.attrs:
        if tf_name in node.attr:
            attrs[nf_name] = _CODECS[codec][1](node.attr[tf_name])
    return attrs


def _import_node(importer, node, inputs, controls):
    rule = _IMPORT_RULES[node.op]
    graph = importer.graph
    name = importer.scoped(node.name)
    if name in graph._ops_by_name:
        raise ValueError("Cannot import node '%s': the graph already has an operation named '%s'"
                         % (node.name, name))
    with graph.control_dependencies(controls or None) if controls else _nullcontext(), \
            graph.device(node.device or None):
        try:
            if rule.load is not None:
                return rule.load(importer, node, inputs, name)
            attrs = _node_attrs(rule, node)
            for position, tf_input, nf_attr, to_numflow, _ in sorted(rule.const_inputs, reverse=True):
                if position < len(inputs):
                    attrs[nf_attr] = to_numflow(_constant_of(inputs[position], node, tf_input))
                    del inputs[position]
            return graph.create_op(rule.nf_type, inputs, attrs, name=name + "/")
        except (ValueError, TypeError, KeyError) as exc:
            if isinstance(exc, errors.OpError):
                raise
            raise errors.InvalidArgumentError(None, None, "Cannot import node '%s' (%s): %s"
                                              % (node.name, node.op, exc)) from exc


class _nullcontext:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


# --- the table -----------------------------------------------------------------------------------------
def _axis_input(nf_attr="axis", tf_input="axis", position=1, dtype=dtypes.int32):
    """numflow's integer attr `nf_attr` <-> TF's int32 Const input at `position`."""
    return (position, tf_input, nf_attr, lambda value: int(np.reshape(value, [-1])[0]),
            lambda value, op: (np.array(value, dtype=np.int32), dtype))


def _axes_input(nf_attr="axis", tf_input="axis", position=1, as_tuple=True):
    return (position, tf_input, nf_attr,
            lambda value: (tuple if as_tuple else list)(int(v) for v in np.reshape(value, [-1])),
            lambda value, op: (np.array(list(value), dtype=np.int32), dtypes.int32))


_UNARY_T = """Abs Acos Asin Atan Ceil Cos Cosh Erf Exp Expm1 Floor IsFinite IsInf IsNan Log Log1p Neg
    Reciprocal Relu Relu6 Elu Selu Rint Round Rsqrt Sigmoid Sign Sin Sinh Softplus Softsign Sqrt Square Tan Tanh
    Identity StopGradient ZerosLike L2Loss Diag DiagPart MatrixDiag MatrixDiagPart MatrixDeterminant
    InvertPermutation Rank Fill""".split()
_BINARY_T = """Sub Mul RealDiv FloorDiv FloorMod TruncateDiv TruncateMod Maximum Minimum Pow SquaredDifference
    Equal NotEqual Greater GreaterEqual Less LessEqual DivNoNan Cross Select ClipByValue BroadcastTo
    ReluGrad Relu6Grad EluGrad SeluGrad SoftplusGrad SoftsignGrad MatrixSetDiag""".split()
_NO_TYPE = "LogicalNot LogicalAnd LogicalOr NoOp".split()

for _type in _UNARY_T + _BINARY_T:
    _rule(_type)
for _type in _NO_TYPE:
    _rule(_type, types=())
_rule("Add", tf_aliases=("AddV2",))
_rule("RealDiv", tf_aliases=("Div",))
_rule("OnesLike")
_rule("AddN", types=(("T", 0),), fixed=None,
      export=lambda ex, op, inputs: ex.node(op.name, "AddN", inputs, {
          "T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum), "N": AttrValue(i=len(op.inputs))}, op.device))
_rule("MatMul", attrs=[("transpose_a", "transpose_a", "b"), ("transpose_b", "transpose_b", "b")],
      defaults={"transpose_a": False, "transpose_b": False})
_rule("BatchMatMulV2", attrs=[("adj_x", "adj_x", "b"), ("adj_y", "adj_y", "b")],
      defaults={"adj_x": False, "adj_y": False}, tf_aliases=("BatchMatMul",))
_rule("MatrixInverse", attrs=[("adjoint", "adjoint", "b")], defaults={"adjoint": False})
_rule("Cast", attrs=[("DstT", "DstT", "type")], types=(("SrcT", 0),), fixed={"Truncate": AttrValue(b=False)})
_rule("Shape", attrs=[("out_type", "out_type", "type")], defaults={"out_type": dtypes.int32})
_rule("Size", attrs=[("out_type", "out_type", "type")], defaults={"out_type": dtypes.int32})
_rule("Reshape", types=(("T", 0), ("Tshape", 1)))
_rule("Tile", types=(("T", 0), ("Tmultiples", 1)))
_rule("Slice", types=(("T", 0), ("Index", 1)))
_rule("PadV2", types=(("T", 0), ("Tpaddings", 1)))
_rule("Range", types=(("Tidx", 0),))
_rule("LinSpace", types=(("T", 0), ("Tidx", 2)))
_rule("GatherNd", types=(("Tparams", 0), ("Tindices", 1)))
_rule("CheckNumerics", attrs=[("message", "message", "s")], defaults={"message": ""})
_rule("CheckPinned")
_rule("LeakyRelu", attrs=[("alpha", "alpha", "f")], defaults={"alpha": 0.2})
_rule("LeakyReluGrad", attrs=[("alpha", "alpha", "f")], defaults={"alpha": 0.2})
_rule("Einsum", attrs=[("equation", "equation", "s")],
      export=lambda ex, op, inputs: ex.node(op.name, "Einsum", inputs, {
          "equation": AttrValue(s=op.attrs["equation"].encode()), "N": AttrValue(i=len(op.inputs)),
          "T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum)}, op.device))
_rule("DepthToSpace", attrs=[("block_size", "block_size", "i")], fixed={"data_format": AttrValue(s=b"NHWC")})
_rule("SpaceToDepth", attrs=[("block_size", "block_size", "i")], fixed={"data_format": AttrValue(s=b"NHWC")})
_rule("MirrorPad", attrs=[("mode", "mode", "s")], types=(("T", 0), ("Tpaddings", 1)))
_rule("MirrorPadGrad", attrs=[("mode", "mode", "s")], types=(("T", 0), ("Tpaddings", 1)))
_rule("OneHot", attrs=[("axis", "axis", "i")], defaults={"axis": -1}, types=(("T", 2), ("TI", 0)))
_rule("Squeeze", attrs=[("squeeze_dims", "squeeze_dims", "int_tuple")], defaults={"squeeze_dims": ()})
_rule("Unique", attrs=[("out_idx", "out_idx", "type")], defaults={"out_idx": dtypes.int32})
_rule("StopGradient", tf_aliases=("PreventGradient",))
_rule("Identity", tf_aliases=("Snapshot",))

# reductions: an absent axes input means every axis; TF always has one
_REDUCE_ATTRS = [("keep_dims", "keep_dims", "b")]


def _export_reduction(ex, op, inputs):
    attrs = {"keep_dims": AttrValue(b=bool(op.attrs.get("keep_dims", False))),
             "T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum)}
    if len(op.inputs) == 1:
        rank = op.inputs[0].shape.ndims
        if rank is None:
            rank_name = ex.add("Rank", op.name + "/Rank", [inputs[0]],
                               {"T": attrs["T"]}, op)
            start = ex.const(op.name + "/range/start", 0, dtypes.int32, op.device)
            delta = ex.const(op.name + "/range/delta", 1, dtypes.int32, op.device)
            inputs.append(ex.add("Range", op.name + "/range", [start, rank_name, delta],
                                 {"Tidx": AttrValue(type=dtypes.int32.as_datatype_enum)}, op))
        else:
            inputs.append(ex.const(op.name + "/reduction_indices", np.arange(rank, dtype=np.int32),
                                   dtypes.int32, op.device))
        attrs["Tidx"] = AttrValue(type=dtypes.int32.as_datatype_enum)
    else:
        attrs["Tidx"] = AttrValue(type=op.inputs[1].dtype.as_datatype_enum)
    return ex.node(op.name, op.type, inputs, attrs, op.device)


for _type in ("Sum", "Mean", "Max", "Min", "Prod", "All", "Any"):
    _rule(_type, attrs=_REDUCE_ATTRS, defaults={"keep_dims": False}, export=_export_reduction)


def _export_arg_reduction(ex, op, inputs):
    return ex.node(op.name, op.type, inputs, {
        "T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum),
        "Tidx": AttrValue(type=op.inputs[1].dtype.as_datatype_enum),
        "output_type": AttrValue(type=op.attrs["output_type"].as_datatype_enum)}, op.device)


for _type in ("ArgMax", "ArgMin"):
    _rule(_type, attrs=[("output_type", "output_type", "type")], defaults={"output_type": dtypes.int64},
          export=_export_arg_reduction)

# axis as a Const input
_INT32_TYPE = AttrValue(type=dtypes.int32.as_datatype_enum)
_rule("ExpandDims", const_inputs=[_axis_input("axis", "dim")], fixed={"Tdim": _INT32_TYPE})
_rule("ReverseV2", const_inputs=[_axes_input("axis", "axis")], fixed={"Tidx": _INT32_TYPE})
_rule("GatherV2", const_inputs=[_axis_input("axis", "axis", 2)], types=(("Tparams", 0), ("Tindices", 1)),
      fixed={"Taxis": _INT32_TYPE, "batch_dims": AttrValue(i=0)})
_rule("Pack", attrs=[("axis", "axis", "i")], defaults={"axis": 0},
      export=lambda ex, op, inputs: ex.node(op.name, "Pack", inputs, {
          "T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum), "N": AttrValue(i=len(op.inputs)),
          "axis": AttrValue(i=op.attrs["axis"])}, op.device))
_rule("Unpack", attrs=[("num", "num", "i"), ("axis", "axis", "i")], defaults={"axis": 0})
_rule("Fill", types=(("T", 1), ("index_type", 0)))


def _export_transpose(ex, op, inputs):
    if len(inputs) == 1:
        rank = op.inputs[0].shape.ndims
        if rank is None:
            raise _NoTFForm("a transpose without perm of a tensor of unknown rank")
        inputs.append(ex.const(op.name + "/perm", np.arange(rank - 1, -1, -1, dtype=np.int32), dtypes.int32,
                               op.device))
        perm_type = _INT32_TYPE
    else:
        perm_type = AttrValue(type=op.inputs[1].dtype.as_datatype_enum)
    return ex.node(op.name, "Transpose", inputs, {"T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum),
                                                  "Tperm": perm_type}, op.device)


_rule("Transpose", export=_export_transpose)


def _export_concat(ex, op, inputs):
    axis = ex.const(op.name + "/axis", np.int32(op.attrs["axis"]), dtypes.int32, op.device)
    return ex.node(op.name, "ConcatV2", inputs + [axis], {
        "T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum), "N": AttrValue(i=len(op.inputs)),
        "Tidx": AttrValue(type=dtypes.int32.as_datatype_enum)}, op.device)


def _load_concat(importer, node, inputs, name):
    axis = int(_constant_of(inputs[-1], node, "axis"))
    return importer.graph.create_op("ConcatV2", inputs[:-1], {"axis": axis}, name=name + "/")


def _load_concat_v1(importer, node, inputs, name):
    axis = int(_constant_of(inputs[0], node, "concat_dim"))
    return importer.graph.create_op("ConcatV2", inputs[1:], {"axis": axis}, name=name + "/")


_rule("ConcatV2", export=_export_concat, load=_load_concat)
_rule("ConcatV2", tf_type="Concat", load=_load_concat_v1, import_only=True)


def _export_split(ex, op, inputs):
    dtype = AttrValue(type=op.inputs[0].dtype.as_datatype_enum)
    axis = ex.const(op.name + "/split_dim", np.int32(op.attrs["axis"]), dtypes.int32, op.device)
    if op.attrs.get("sizes") is None:
        return ex.node(op.name, "Split", [axis] + inputs, {"T": dtype, "num_split": AttrValue(i=op.attrs["num"])},
                       op.device)
    sizes = ex.const(op.name + "/size_splits", np.array(op.attrs["sizes"], np.int32), dtypes.int32, op.device)
    return ex.node(op.name, "SplitV", inputs + [sizes, axis], {
        "T": dtype, "num_split": AttrValue(i=len(op.attrs["sizes"])),
        "Tlen": AttrValue(type=dtypes.int32.as_datatype_enum)}, op.device)


def _load_split(importer, node, inputs, name):
    axis = int(_constant_of(inputs[0], node, "split_dim"))
    return importer.graph.create_op("Split", inputs[1:], {"axis": axis, "num": int(node.attr["num_split"].i),
                                                          "sizes": None}, name=name + "/")


def _load_split_v(importer, node, inputs, name):
    sizes = tuple(int(v) for v in np.reshape(_constant_of(inputs[1], node, "size_splits"), [-1]))
    axis = int(_constant_of(inputs[2], node, "split_dim"))
    return importer.graph.create_op("Split", inputs[:1], {"axis": axis, "num": len(sizes), "sizes": sizes},
                                    name=name + "/")


_rule("Split", export=_export_split, load=_load_split)
_rule("Split", tf_type="SplitV", load=_load_split_v, import_only=True)


def _load_pad(importer, node, inputs, name):
    from ..ops.constant import constant
    with importer.graph.name_scope(name + "/"):
        zero = constant(np.zeros((), inputs[0].dtype.np), name="constant_values")
    return importer.graph.create_op("PadV2", inputs + [zero], {}, name=name + "/")


_rule("PadV2", tf_type="Pad", load=_load_pad, import_only=True)
_rule("StridedSlice", attrs=[(k, k, "i") for k in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                                                    "shrink_axis_mask")],
      defaults={k: 0 for k in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")},
      types=(("T", 0), ("Index", 1)))
_rule("StridedSliceGrad", attrs=_EXPORT_RULES["StridedSlice"].attrs,
      defaults=_EXPORT_RULES["StridedSlice"].defaults, types=(("T", 4), ("Index", 0)))
_rule("Select", tf_aliases=("SelectV2",), types=(("T", 1),))
_rule("Where", types=(("T", 0),))
_rule("TopKV2", attrs=[("sorted", "sorted", "b")], defaults={"sorted": True})
_rule("InTopKV2", types=(("T", 1),))

# sources and state
_rule("Const", attrs=[("dtype", "dtype", "type")], types=(),
      export=lambda ex, op, inputs: ex.node(op.name, "Const", [], {
          "dtype": AttrValue(type=op.outputs[0].dtype.as_datatype_enum),
          "value": AttrValue(tensor=ndarray_to_tensor_proto(op.attrs["value"], op.outputs[0].dtype))}, op.device),
      load=lambda importer, node, inputs, name: importer.graph.create_op("Const", [], {
          "value": tensor_proto_to_ndarray(node.attr["value"].tensor, "node '%s'" % node.name),
          "dtype": dtypes.as_dtype(int(node.attr["dtype"].type))}, name=name + "/"))
_rule("Placeholder", attrs=[("dtype", "dtype", "type"), ("shape", "shape", "shape")],
      defaults={"shape": TensorShape(None)}, types=())
_rule("PlaceholderWithDefault", attrs=[("dtype", "dtype", "type"), ("shape", "shape", "shape")],
      defaults={"shape": TensorShape(None)}, types=())
_rule("VariableV2", attrs=[("dtype", "dtype", "type"), ("shape", "shape", "shape")], types=(),
      fixed={"container": AttrValue(s=b""), "shared_name": AttrValue(s=b"")}, tf_aliases=("Variable",))
_rule("Assign", attrs=[("validate_shape", "validate_shape", "b")], defaults={"validate_shape": True},
      fixed={"use_locking": AttrValue(b=True)})
_rule("AssignAdd", fixed={"use_locking": AttrValue(b=False)})
_rule("AssignSub", fixed={"use_locking": AttrValue(b=False)})
_rule("IsVariableInitialized", types=(("dtype", 0),))
_rule("CountUpTo", attrs=[("limit", "limit", "i")])
for _type, _extra in (("ApplyGradientDescent", ()), ("ApplyAdagrad", ()), ("ApplyAdam", ("use_nesterov",)),
                      ("ApplyMomentum", ("use_nesterov",)), ("ApplyRMSProp", ()), ("ApplyCenteredRMSProp", ()),
                      ("ApplyAdadelta", ()), ("ApplyFtrl", ()), ("ApplyFtrlV2", ()),
                      ("ApplyProximalGradientDescent", ()), ("ApplyProximalAdagrad", ()), ("ApplyAdagradDA", ())):
    _rule(_type, attrs=[(k, k, "b") for k in _extra], defaults={k: False for k in _extra},
          fixed={"use_locking": AttrValue(b=False)})
# The optimizers' sparse updates (ops/training_sparse.py), with the position of their `indices` input.
for _type, _indices, _extra in (("SparseApplyMomentum", 4, ("use_nesterov",)), ("SparseApplyAdagrad", 4, ()),
                                ("SparseApplyRMSProp", 8, ()), ("SparseApplyCenteredRMSProp", 9, ()),
                                ("SparseApplyAdadelta", 7, ()), ("SparseApplyFtrl", 4, ()),
                                ("SparseApplyFtrlV2", 4, ()), ("SparseApplyProximalGradientDescent", 5, ()),
                                ("SparseApplyProximalAdagrad", 6, ()), ("SparseApplyAdagradDA", 4, ())):
    _rule(_type, attrs=[(k, k, "b") for k in _extra], defaults={k: False for k in _extra},
          types=(("T", 0), ("Tindices", _indices)), fixed={"use_locking": AttrValue(b=False)})

# neural-network ops
_CONV_ATTRS = [("strides", "strides", "ints"), ("data_format", "data_format", "s"),
               ("dilations", "dilations", "ints")]
_CONV_DEFAULTS = {"data_format": "NHWC", "dilations": [1, 1, 1, 1]}


def _padding_codec(rule):
    """Conv padding: 'SAME'/'VALID', or 4 (before, after) pairs as TF's EXPLICIT + explicit_paddings."""
    base_export = rule.export

    def export(ex, op, inputs):
        padding = op.attrs["padding"]
        attrs = {tf: _CODECS[codec][0](op.attrs[nf]) for nf, tf, codec in rule.attrs if nf in op.attrs}
        attrs["T"] = AttrValue(type=op.inputs[rule.types[0][1]].dtype.as_datatype_enum)
        if isinstance(padding, tuple):
            attrs["padding"] = AttrValue(s=b"EXPLICIT")
            attrs["explicit_paddings"] = _CODECS["ints"][0]([v for pair in padding for v in pair])
        else:
            attrs["padding"] = AttrValue(s=padding.encode())
        return ex.node(op.name, rule.tf_type, inputs, attrs, op.device)

    def load(importer, node, inputs, name):
        attrs = _node_attrs(rule, node)
        padding = _text(node.attr["padding"].s)
        if padding == "EXPLICIT":
            flat = list(node.attr["explicit_paddings"].list.i)
            padding = tuple((int(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2))
        attrs["padding"] = padding
        return importer.graph.create_op(rule.nf_type, inputs, attrs, name=name + "/")
    assert base_export is None
    rule.export, rule.load = export, load


for _type, _t_input in (("Conv2D", 0), ("Conv2DBackpropInput", 1), ("Conv2DBackpropFilter", 0),
                        ("DepthwiseConv2dNative", 0), ("DepthwiseConv2dNativeBackpropInput", 1),
                        ("DepthwiseConv2dNativeBackpropFilter", 0)):
    _padding_codec(_rule(_type, attrs=_CONV_ATTRS, defaults=_CONV_DEFAULTS, types=(("T", _t_input),)))
_POOL_ATTRS = [("ksize", "ksize", "ints"), ("strides", "strides", "ints"), ("padding", "padding", "s"),
               ("data_format", "data_format", "s")]
_rule("MaxPool", attrs=_POOL_ATTRS, defaults={"data_format": "NHWC"})
_rule("AvgPool", attrs=_POOL_ATTRS, defaults={"data_format": "NHWC"})
_rule("MaxPoolGrad", attrs=_POOL_ATTRS, defaults={"data_format": "NHWC"})
_rule("AvgPoolGrad", attrs=_POOL_ATTRS, defaults={"data_format": "NHWC"}, types=(("T", 1),))


def _channel_axis_rule(nf_type):
    def export(ex, op, inputs):
        return ex.node(op.name, nf_type, inputs, {
            "T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum),
            "data_format": AttrValue(s=b"NHWC" if op.attrs["channel_axis"] == -1 else b"NCHW")}, op.device)

    def load(importer, node, inputs, name):
        data_format = _text(node.attr["data_format"].s) if "data_format" in node.attr else "NHWC"
        axis = 1 if data_format.startswith("NC") else -1
        return importer.graph.create_op(nf_type, inputs, {"channel_axis": axis}, name=name + "/")
    _rule(nf_type, export=export, load=load)


_channel_axis_rule("BiasAdd")
_channel_axis_rule("BiasAddGrad")
_rule("BiasAdd", tf_type="BiasAddV1", load=_IMPORT_RULES["BiasAdd"].load, import_only=True)


def _last_axis_rule(nf_type):
    """Softmax and LogSoftmax: TF's work on the last axis only."""
    def export(ex, op, inputs):
        axis = op.attrs.get("axis", -1)
        rank = op.inputs[0].shape.ndims
        if axis != -1 and (rank is None or axis != rank - 1):
            raise _NoTFForm("TF's %s takes the last axis; this one takes axis %d" % (nf_type, axis))
        return ex.node(op.name, nf_type, inputs, {"T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum)},
                       op.device)
    _rule(nf_type, defaults={"axis": -1}, export=export)


_last_axis_rule("Softmax")
_last_axis_rule("LogSoftmax")


def _export_xent(ex, op, inputs):
    axis = op.attrs.get("axis", -1)
    rank = op.inputs[0].shape.ndims
    if axis != -1 and (rank is None or axis != rank - 1):
        raise _NoTFForm("TF's SoftmaxCrossEntropyWithLogits takes the last axis; this one takes axis %d" % axis)
    return ex.node(op.name, "SoftmaxCrossEntropyWithLogits", inputs,
                   {"T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum)}, op.device)


_rule("SoftmaxCrossEntropyWithLogits", defaults={"axis": -1}, export=_export_xent)
_rule("SparseSoftmaxCrossEntropyWithLogits", types=(("T", 0), ("Tlabels", 1)))
_rule("LRN", attrs=[("depth_radius", "depth_radius", "i"), ("bias", "bias", "f"), ("alpha", "alpha", "f"),
                    ("beta", "beta", "f")], defaults={"depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5})
_rule("FusedBatchNorm", attrs=[("epsilon", "epsilon", "f"), ("is_training", "is_training", "b"),
                               ("data_format", "data_format", "s")],
      defaults={"epsilon": 0.0001, "is_training": True, "data_format": "NHWC"})

# composite exports of numflow-internal ops -------------------------------------------------------------


def _export_sum_to_shape_of(ex, op, inputs):
    """grad summed over the axes `like` was broadcast along: TF's BroadcastGradientArgs + Sum + Reshape."""
    t = AttrValue(type=op.inputs[0].dtype.as_datatype_enum)
    int32 = AttrValue(type=dtypes.int32.as_datatype_enum)
    grad_shape = ex.add("Shape", op.name + "/grad_shape", [inputs[0]], {"T": t, "out_type": int32}, op)
    like_shape = ex.add("Shape", op.name + "/like_shape", [inputs[1]],
                        {"T": AttrValue(type=op.inputs[1].dtype.as_datatype_enum), "out_type": int32}, op)
    args = ex.add("BroadcastGradientArgs", op.name + "/BroadcastGradientArgs", [grad_shape, like_shape],
                  {"T": int32}, op)
    summed = ex.add("Sum", op.name + "/Sum", [inputs[0], args + ":1"],
                    {"T": t, "Tidx": int32, "keep_dims": AttrValue(b=False)}, op)
    return ex.node(op.name, "Reshape", [summed, like_shape], {"T": t, "Tshape": int32}, op.device)


_rule("SumToShapeOf", export=_export_sum_to_shape_of, import_only=False)
del _IMPORT_RULES["SumToShapeOf"]


def _export_broadcast_to_shape_of(ex, op, inputs):
    """`value` broadcast to the shape of `like`: BroadcastTo(value, Shape(like))."""
    int32 = AttrValue(type=dtypes.int32.as_datatype_enum)
    shape = ex.add("Shape", op.name + "/shape", [inputs[1]],
                   {"T": AttrValue(type=op.inputs[1].dtype.as_datatype_enum), "out_type": int32}, op)
    return ex.node(op.name, "BroadcastTo", [inputs[0], shape],
                   {"T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum), "Tidx": int32}, op.device)


_rule("BroadcastToShapeOf", export=_export_broadcast_to_shape_of)
del _IMPORT_RULES["BroadcastToShapeOf"]
_EXPORT_RULES["BroadcastTo"].types = [("T", 0), ("Tidx", 1)]


# --- files ---------------------------------------------------------------------------------------------
def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """`tf.train.write_graph` / `tf.io.write_graph`: writes a Graph's (or a GraphDef's) GraphDef to
    `logdir/name`, in the protobuf text format when `as_text`, else binary; returns the path written.
    The file is replaced atomically, so a reader never sees half of it."""
    import os
    import tempfile
    from ..io.graph_proto import to_text
    if isinstance(graph_or_graph_def, Graph):
        graph_def = graph_or_graph_def.as_graph_def()
    elif isinstance(graph_or_graph_def, GraphDef):
        graph_def = graph_or_graph_def
    else:
        raise TypeError("write_graph expects a tf.Graph or a GraphDef, got %s" % type(graph_or_graph_def).__name__)
    logdir = os.fspath(logdir)
    path = os.path.join(logdir, name)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    data = to_text(graph_def).encode("utf-8") if as_text else graph_def.SerializeToString()
    handle, temporary = tempfile.mkstemp(prefix=".tmp_" + os.path.basename(path), dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path


def read_graph_def(path):
    """Reads a GraphDef file, binary (.pb) or text (.pbtxt): DataLossError naming the file when it is
    neither."""
    import os
    from ..io.graph_proto import TextFormatError, parse_text
    path = os.fspath(path)
    with open(path, "rb") as stream:
        data = stream.read()
    if path.endswith((".pbtxt", ".txt")):
        try:
            return parse_text(data.decode("utf-8"), GraphDef)
        except (TextFormatError, UnicodeDecodeError) as exc:
            raise errors.DataLossError(None, None, "Unable to parse %s as a text GraphDef: %s" % (path, exc)) \
                from None
    return parse_graph_def(data, path)


# --- TF's gradient, Saver and resource-variable ops (ops/tf_compat_ops.py) ------------------------------
_rule("BroadcastGradientArgs")
_rule("SigmoidGrad")
_rule("TanhGrad")
_rule("ShapeN", attrs=[("out_type", "out_type", "type")], defaults={"out_type": dtypes.int32},
      fixed=None, export=lambda ex, op, inputs: ex.node(op.name, "ShapeN", inputs, {
          "T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum), "N": AttrValue(i=len(op.inputs)),
          "out_type": AttrValue(type=op.attrs.get("out_type", dtypes.int32).as_datatype_enum)}, op.device))
_rule("DynamicStitch", attrs=[("N", "N", "i")], types=(("T", "out0"),))
_rule("StringJoin", attrs=[("separator", "separator", "bytes")], defaults={"separator": b""}, types=(),
      export=lambda ex, op, inputs: ex.node(op.name, "StringJoin", inputs, {
          "N": AttrValue(i=len(op.inputs)), "separator": _CODECS["bytes"][0](op.attrs.get("separator", b""))},
          op.device))
_rule("ShardedFilename", types=())
_rule("SaveV2", types=(), export=lambda ex, op, inputs: ex.node(op.name, "SaveV2", inputs, {
    "dtypes": _CODECS["types"][0]([t.dtype for t in op.inputs[3:]])}, op.device))
_rule("RestoreV2", attrs=[("dtypes", "dtypes", "types")], types=())
_rule("MergeV2Checkpoints", attrs=[("delete_old_dirs", "delete_old_dirs", "b")], defaults={"delete_old_dirs": True},
      types=())

# Resource variables (TF2's compat.v1 graphs) read as numflow's ref variables: the handle is the variable.
_rule("VariableV2", tf_type="VarHandleOp", attrs=[("dtype", "dtype", "type"), ("shape", "shape", "shape")],
      types=(), import_only=True)
_rule("Identity", tf_type="ReadVariableOp", types=(), import_only=True)
_rule("Assign", tf_type="AssignVariableOp", defaults={"validate_shape": True}, types=(), import_only=True)
_rule("AssignAdd", tf_type="AssignAddVariableOp", types=(), import_only=True)
_rule("AssignSub", tf_type="AssignSubVariableOp", types=(), import_only=True)
_rule("IsVariableInitialized", tf_type="VarIsInitializedOp", types=(), import_only=True)
for _type in ("ApplyGradientDescent", "ApplyAdagrad", "ApplyAdam", "ApplyMomentum", "ApplyRMSProp",
              "ApplyCenteredRMSProp", "ApplyAdadelta", "ApplyFtrl", "ApplyFtrlV2", "ApplyProximalGradientDescent",
              "ApplyProximalAdagrad", "ApplyAdagradDA"):
    _rule(_type, tf_type="Resource" + _type, attrs=_EXPORT_RULES[_type].attrs,
          defaults=_EXPORT_RULES[_type].defaults, import_only=True)


def _export_broadcast_reduced(ex, op, inputs):
    """A Sum/Mean gradient spread back over x: Reshape(dy, shape of x with the reduced axes 1), BroadcastTo
    shape of x, divided by Size(x) / Size(dy) for a mean (TF's own Mean gradient uses the same ops)."""
    dy, x = op.inputs[0], op.inputs[1]
    rank = x.shape.ndims
    if rank is None:
        raise _NoTFForm("the gradient of a reduction of a tensor of unknown rank")
    if len(op.inputs) == 3:
        axes = op.inputs[2].op.attrs.get("value") if op.inputs[2].op.type == "Const" else None
        if axes is None:
            raise _NoTFForm("the gradient of a reduction over axes computed at run time")
        reduced = {int(a) % rank for a in np.reshape(axes, [-1])}
    else:
        reduced = set(range(rank))
    t = AttrValue(type=dy.dtype.as_datatype_enum)
    int32 = AttrValue(type=dtypes.int32.as_datatype_enum)
    x_shape = ex.add("Shape", op.name + "/x_shape", [inputs[1]],
                     {"T": AttrValue(type=x.dtype.as_datatype_enum), "out_type": int32}, op)
    keep = np.array([0 if axis in reduced else 1 for axis in range(rank)], np.int32)
    keep_mask = ex.const(op.name + "/keep_mask", keep, dtypes.int32, op.device)
    ones = ex.const(op.name + "/reduced_ones", 1 - keep, dtypes.int32, op.device)
    kept = ex.add("Mul", op.name + "/kept_dims", [x_shape, keep_mask], {"T": int32}, op)
    target = ex.add("Add", op.name + "/kept_shape", [kept, ones], {"T": int32}, op)
    spread = ex.add("Reshape", op.name + "/reshape", [inputs[0], target], {"T": t, "Tshape": int32}, op)
    if not op.attrs.get("mean"):
        return ex.node(op.name, "BroadcastTo", [spread, x_shape], {"T": t, "Tidx": int32}, op.device)
    tiled = ex.add("BroadcastTo", op.name + "/broadcast", [spread, x_shape], {"T": t, "Tidx": int32}, op)
    x_size = ex.add("Size", op.name + "/x_size", [inputs[1]],
                    {"T": AttrValue(type=x.dtype.as_datatype_enum), "out_type": int32}, op)
    dy_size = ex.add("Size", op.name + "/dy_size", [inputs[0]], {"T": t, "out_type": int32}, op)
    count = ex.add("FloorDiv", op.name + "/count", [x_size, dy_size], {"T": int32}, op)
    count = ex.add("Cast", op.name + "/count_cast", [count],
                   {"SrcT": int32, "DstT": t, "Truncate": AttrValue(b=False)}, op)
    return ex.node(op.name, "RealDiv", [tiled, count], {"T": t}, op.device)


_rule("BroadcastReduced", export=_export_broadcast_reduced)
del _IMPORT_RULES["BroadcastReduced"]


def _export_scale_along_axis(ex, op, inputs):
    """expand_dims(d, axis) * t, as TF's softmax cross-entropy gradient writes it."""
    t = AttrValue(type=op.inputs[1].dtype.as_datatype_enum)
    axis = ex.const(op.name + "/dim", np.int32(op.attrs["axis"]), dtypes.int32, op.device)
    expanded = ex.add("ExpandDims", op.name + "/ExpandDims", [inputs[0], axis], {"T": t, "Tdim": _INT32_TYPE}, op)
    return ex.node(op.name, "Mul", [expanded, inputs[1]], {"T": t}, op.device)


_rule("ScaleAlongAxis", export=_export_scale_along_axis)
del _IMPORT_RULES["ScaleAlongAxis"]


# --- random and summary ops -------------------------------------------------------------------------------
_SEED_ATTRS = [("seed", "seed", "i"), ("seed2", "seed2", "i")]
for _type in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal"):
    _rule(_type, attrs=_SEED_ATTRS + [("dtype", "dtype", "type")], defaults={"seed": 0, "seed2": 0})
_rule("RandomUniformInt", attrs=_SEED_ATTRS, defaults={"seed": 0, "seed2": 0}, types=(("T", 0), ("Tout", 1)))
_rule("RandomShuffle", attrs=_SEED_ATTRS, defaults={"seed": 0, "seed2": 0})
_rule("Multinomial", attrs=_SEED_ATTRS + [("output_dtype", "output_dtype", "type")],
      defaults={"seed": 0, "seed2": 0, "output_dtype": dtypes.int64})


def _tag_input(nf_attr="tag", tf_input="tag"):
    """numflow's string attr <-> TF's scalar string Const input 0 (a summary's tag)."""
    return (0, tf_input, nf_attr, lambda value: _text(np.asarray(value).reshape(-1)[0]),
            lambda value, op: (np.array(_text(value).encode("utf-8"), dtype=object), dtypes.string))


_rule("ScalarSummary", const_inputs=[_tag_input("tag", "tags")], types=(("T", 0),))
_rule("HistogramSummary", const_inputs=[_tag_input()], types=(("T", 0),))
_rule("ImageSummary", attrs=[("max_images", "max_images", "i")], defaults={"max_images": 3},
      const_inputs=[_tag_input()], types=(("T", 0),))
_rule("MergeSummary", types=(), export=lambda ex, op, inputs: ex.node(op.name, "MergeSummary", inputs, {
    "N": AttrValue(i=len(op.inputs))}, op.device))


def _export_tensor_summary(ex, op, inputs):
    from ..io.proto import SummaryMetadata
    metadata = SummaryMetadata()
    if op.attrs.get("plugin_name"):
        metadata.plugin_data = SummaryMetadata.PluginData(plugin_name=op.attrs["plugin_name"])
    tag = ex.const(op.name + "/tag", np.array(_text(op.attrs["tag"]).encode(), dtype=object), dtypes.string,
                   op.device)
    serialized = ex.const(op.name + "/serialized_summary_metadata",
                          np.array(metadata.SerializeToString(), dtype=object), dtypes.string, op.device)
    return ex.node(op.name, "TensorSummaryV2", [tag] + inputs + [serialized],
                   {"T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum)}, op.device)


def _load_tensor_summary(importer, node, inputs, name):
    from ..io.proto import SummaryMetadata
    tag = _text(np.asarray(_constant_of(inputs[0], node, "tag")).reshape(-1)[0])
    metadata = SummaryMetadata.FromString(bytes(np.asarray(_constant_of(inputs[2], node,
                                                                        "serialized_summary_metadata")).item()))
    attrs = {"tag": tag}
    if metadata.plugin_data.plugin_name:
        attrs["plugin_name"] = metadata.plugin_data.plugin_name
    return importer.graph.create_op("TensorSummaryV2", [inputs[1]], attrs, name=name + "/")


_rule("TensorSummaryV2", export=_export_tensor_summary, load=_load_tensor_summary)


def _export_boolean_mask(ex, op, inputs):
    """tensor[mask] for a 1-D mask along `axis`: GatherV2(tensor, Reshape(Where(mask), [-1]), axis), the
    ops TF's boolean_mask is made of."""
    if op.inputs[1].shape.ndims != 1:
        raise _NoTFForm("a boolean mask of rank %s (TF's composition is written for 1-D masks)"
                        % op.inputs[1].shape.ndims)
    int64 = AttrValue(type=dtypes.int64.as_datatype_enum)
    where = ex.add("Where", op.name + "/Where", [inputs[1]], {"T": AttrValue(type=dtypes.bool.as_datatype_enum)},
                   op)
    flat = ex.const(op.name + "/flat_shape", np.array([-1], np.int32), dtypes.int32, op.device)
    indices = ex.add("Reshape", op.name + "/indices", [where, flat], {"T": int64, "Tshape": _INT32_TYPE}, op)
    axis = ex.const(op.name + "/axis", np.int32(op.attrs.get("axis", 0)), dtypes.int32, op.device)
    return ex.node(op.name, "GatherV2", [inputs[0], indices, axis], {
        "Tparams": AttrValue(type=op.inputs[0].dtype.as_datatype_enum), "Tindices": int64, "Taxis": _INT32_TYPE,
        "batch_dims": AttrValue(i=0)}, op.device)


_rule("BooleanMask", export=_export_boolean_mask)
del _IMPORT_RULES["BooleanMask"]


# --- ops whose TF NodeDef has the inputs and attr names numflow's op has ----------------------------------
def _same(nf_type, attrs="", types=(("T", 0),), **kwargs):
    """A rule for an op whose TF form takes numflow's inputs in order and its attrs under the same names;
    `attrs` is 'name:codec ...', a missing attr on import taking TF's default from `defaults`."""
    pairs = [item.split(":") for item in attrs.split()]
    return _rule(nf_type, attrs=[(name, name, codec) for name, codec in pairs], types=types, **kwargs)


for _type in """Acosh Asinh Atanh Erfc Lgamma Digamma Erfinv Ndtri BesselI0 BesselI1 BesselI0e BesselI1e Invert
        Cholesky LogMatrixDeterminant MatrixLogarithm RGBToHSV HSVToRGB Conj Atan2 Xlogy Xdivy Xlog1py MulNoNan
        NextAfter Igamma Igammac Zeta Polygamma Betainc BitwiseAnd BitwiseOr BitwiseXor LeftShift
        RightShift""".split():
    _same(_type)
for _type in "StringStrip ReadFile WriteFile MatchingFiles DecodeBase64 UnicodeScript RegexFullMatch".split():
    _same(_type, types=())
for _type in ("Complex", "Real", "Imag", "Angle", "ComplexAbs"):
    _same(_type, types=(("T", 0), ("Tout", "out0")))

# scans: TF passes the axis as an input (numflow's Cumsum/Cumprod do too; CumulativeLogsumexp keeps an attr)
_same("Cumsum", "exclusive:b reverse:b", types=(("T", 0), ("Tidx", 1)), defaults={"exclusive": False, "reverse": False})
_same("Cumprod", "exclusive:b reverse:b", types=(("T", 0), ("Tidx", 1)),
      defaults={"exclusive": False, "reverse": False})
_same("CumulativeLogsumexp", "exclusive:b reverse:b", const_inputs=[_axis_input()], fixed={"Tidx": _INT32_TYPE},
      defaults={"exclusive": False, "reverse": False})

# segments and scatters
for _type in ("SegmentSum", "SegmentMean", "SegmentMax", "SegmentMin", "SegmentProd"):
    _same(_type, types=(("T", 0), ("Tindices", 1)))
for _type in ("UnsortedSegmentSum", "UnsortedSegmentMax", "UnsortedSegmentMin", "UnsortedSegmentProd"):
    _same(_type, types=(("T", 0), ("Tindices", 1), ("Tnumsegments", 2)))
_same("ScatterNd", types=(("T", 1), ("Tindices", 0)))
for _type in ("TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub", "TensorScatterMax", "TensorScatterMin"):
    _same(_type, types=(("T", 0), ("Tindices", 1)))
for _type in ("ScatterUpdate", "ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv", "ScatterMax", "ScatterMin",
              "ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub"):
    _same(_type, types=(("T", 2), ("Tindices", 1)), fixed={"use_locking": AttrValue(b=True)})
_same("DynamicPartition", "num_partitions:i")
_same("SparseToDense", "validate_indices:b", types=(("T", 2), ("Tindices", 0)), defaults={"validate_indices": True})
_same("HistogramFixedWidth", "dtype:type", defaults={"dtype": dtypes.int32})
_same("Bincount", types=(("T", 2),))
_same("ReverseSequence", "seq_dim:i batch_dim:i", types=(("T", 0), ("Tlen", 1)), defaults={"batch_dim": 0})

# linear algebra
_same("Qr", "full_matrices:b", defaults={"full_matrices": False})
_same("Svd", "compute_uv:b full_matrices:b", defaults={"compute_uv": True, "full_matrices": False})
_same("MatrixSolve", "adjoint:b", defaults={"adjoint": False})
_same("MatrixTriangularSolve", "lower:b adjoint:b", defaults={"lower": True, "adjoint": False})
_same("MatrixBandPart", types=(("T", 0), ("Tindex", 1)))
_same("SelfAdjointEigV2", "compute_v:b", defaults={"compute_v": True})

# spectral
for _type in ("FFT", "IFFT", "FFT2D", "IFFT2D", "FFT3D", "IFFT3D"):
    _same(_type, types=(("Tcomplex", 0),))
for _rank in ("", "2D", "3D"):
    _same("RFFT" + _rank, types=(("Treal", 0), ("Tcomplex", "out0")))
    _same("IRFFT" + _rank, types=(("Tcomplex", 0), ("Treal", "out0")))

# 3-D convolution and pooling, space/batch, dilation
_CONV3D = "strides:ints padding:s data_format:s dilations:ints"
_CONV3D_DEFAULTS = {"data_format": "NDHWC", "dilations": [1, 1, 1, 1, 1]}
_same("Conv3D", _CONV3D, defaults=_CONV3D_DEFAULTS)
_same("Conv3DBackpropInputV2", _CONV3D, types=(("T", 1), ("Tshape", 0)), defaults=_CONV3D_DEFAULTS)
_same("Conv3DBackpropFilterV2", _CONV3D, defaults=_CONV3D_DEFAULTS)
_POOL3D = "ksize:ints strides:ints padding:s data_format:s"
_same("MaxPool3D", _POOL3D, defaults={"data_format": "NDHWC"})
_same("AvgPool3D", _POOL3D, defaults={"data_format": "NDHWC"})
_same("MaxPool3DGrad", _POOL3D, types=(("T", 2), ("TInput", 0)), defaults={"data_format": "NDHWC"})
_same("AvgPool3DGrad", _POOL3D, types=(("T", 1),), defaults={"data_format": "NDHWC"})
_same("SpaceToBatchND", types=(("T", 0), ("Tblock_shape", 1), ("Tpaddings", 2)))
_same("BatchToSpaceND", types=(("T", 0), ("Tblock_shape", 1), ("Tcrops", 2)))
_DILATION = "strides:ints rates:ints padding:s"
_same("Dilation2D", _DILATION)
_same("Dilation2DBackpropInput", _DILATION)
_same("Dilation2DBackpropFilter", _DILATION)

# images
_RESIZE = "align_corners:b half_pixel_centers:b"
_RESIZE_DEFAULTS = {"align_corners": False, "half_pixel_centers": False}
for _type in ("ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic"):
    _same(_type, _RESIZE, defaults=_RESIZE_DEFAULTS)
_same("ResizeArea", "align_corners:b", defaults={"align_corners": False})
_same("ResizeBilinearGrad", _RESIZE, types=(("T", 1),), defaults=_RESIZE_DEFAULTS)
_same("ResizeNearestNeighborGrad", _RESIZE, defaults=_RESIZE_DEFAULTS)
_same("ResizeBicubicGrad", _RESIZE, types=(("T", 1),), defaults=_RESIZE_DEFAULTS)
_same("DecodePng", "channels:i dtype:type", types=(), defaults={"channels": 0, "dtype": dtypes.uint8})
_same("DecodeBmp", "channels:i", types=(), defaults={"channels": 0})
_same("DecodeGif", types=())
_same("DecodeJpeg", "channels:i ratio:i", types=(), defaults={"channels": 0, "ratio": 1})
_same("DecodeImage", "channels:i dtype:type expand_animations:b", types=(),
      defaults={"channels": 0, "dtype": dtypes.uint8, "expand_animations": True})
_same("EncodePng", "compression:i", defaults={"compression": -1})
_same("EncodeJpeg", "format:s quality:i progressive:b optimize_size:b chroma_downsampling:b density_unit:s "
      "x_density:i y_density:i xmp_metadata:s", types=(),
      defaults={"format": "", "quality": 95, "progressive": False, "optimize_size": False,
                "chroma_downsampling": True, "density_unit": "in", "x_density": 300, "y_density": 300,
                "xmp_metadata": ""})

# parsing and strings
_same("DecodeRaw", "out_type:type little_endian:b", types=(), defaults={"little_endian": True})
_same("StringToNumber", "out_type:type", types=(), defaults={"out_type": dtypes.float32})
_same("Substr", "unit:s", types=(("T", 1),), defaults={"unit": "BYTE"})
_same("StringLength", "unit:s", types=(), defaults={"unit": "BYTE"})
_same("StringLower", "encoding:s", types=(), defaults={"encoding": ""})
_same("StringUpper", "encoding:s", types=(), defaults={"encoding": ""})
_same("EncodeBase64", "pad:b", types=(), defaults={"pad": False})
_same("StringToHashBucketFast", "num_buckets:i", types=())
_same("StringToHashBucket", "num_buckets:i", types=())
_same("StringToHashBucketStrong", "num_buckets:i key:ints", types=())
_same("StringSplit", "skip_empty:b", types=(), defaults={"skip_empty": True})
_same("StringSplitV2", "maxsplit:i", types=(), defaults={"maxsplit": -1})
_same("RegexReplace", "replace_global:b", types=(), defaults={"replace_global": True})
_same("ReduceJoin", "keep_dims:b separator:bytes", types=(), defaults={"keep_dims": False, "separator": b""})


# --- tf.parse_example / tf.parse_single_example ---------------------------------------------------------
# numflow's ParseExample keeps its features as attrs: sparse [(key, dtype)] and dense [(key, dtype, shape,
# default or None, is_sequence, required)]; TF passes keys and defaults as Const inputs. Both put the outputs
# in the same order: sparse indices, sparse values, sparse shapes, dense values.
def _string_scalar(value):
    return np.array(_text(value).encode("utf-8"), dtype=object)


def _dense_default_array(spec, op):
    """TF's dense_defaults entry: empty for a required feature, the padding scalar for a sequence feature,
    else the default in the feature's shape."""
    key, dtype, shape, default, is_sequence, required = spec
    if required:
        if is_sequence:
            raise _NoTFForm("FixedLenSequenceFeature %r without allow_missing (TF's op has no required "
                            "sequence features)" % key)
        return np.zeros([0], dtype=object if dtype.name == "string" else dtype.np)
    if is_sequence:
        return np.asarray(default).reshape([])
    return np.asarray(default).reshape(shape)


def _dense_shapes_attr(dense):
    return AttrValue(list=AttrValue.ListValue(shape=[
        shape_to_proto(([None] if is_sequence else []) + list(shape))
        for _, _, shape, _, is_sequence, _ in dense]))


def _export_parse_example(ex, op, inputs):
    sparse, dense = op.attrs["sparse"], op.attrs["dense"]
    names = inputs[1] if len(inputs) > 1 else ex.const(op.name + "/names", np.zeros([0], dtype=object),
                                                      dtypes.string, op.device)
    keys = [ex.const("%s/key_%s" % (op.name, key), _string_scalar(key), dtypes.string, op.device)
            for key in [key for key, _ in sparse] + [spec[0] for spec in dense]]
    defaults = [ex.const("%s/padding_%s" % (op.name, spec[0]) if spec[4] else "%s/default_%s" % (op.name, spec[0]),
                         _dense_default_array(spec, op), spec[1], op.device) for spec in dense]
    return ex.node(op.name, "ParseExample", [inputs[0], names] + keys + defaults, {
        "Nsparse": AttrValue(i=len(sparse)), "Ndense": AttrValue(i=len(dense)),
        "sparse_types": _CODECS["types"][0]([dtype for _, dtype in sparse]),
        "Tdense": _CODECS["types"][0]([spec[1] for spec in dense]),
        "dense_shapes": _dense_shapes_attr(dense)}, op.device)


def _export_parse_single_example(ex, op, inputs):
    sparse, dense = op.attrs["sparse"], op.attrs["dense"]
    defaults = [ex.const("%s/default_%s" % (op.name, spec[0]), _dense_default_array(spec, op), spec[1], op.device)
                for spec in dense]
    return ex.node(op.name, "ParseSingleExample", [inputs[0]] + defaults, {
        "num_sparse": AttrValue(i=len(sparse)),
        "sparse_keys": AttrValue(list=AttrValue.ListValue(s=[key.encode("utf-8") for key, _ in sparse])),
        "dense_keys": AttrValue(list=AttrValue.ListValue(s=[spec[0].encode("utf-8") for spec in dense])),
        "sparse_types": _CODECS["types"][0]([dtype for _, dtype in sparse]),
        "Tdense": _CODECS["types"][0]([spec[1] for spec in dense]),
        "dense_shapes": _dense_shapes_attr(dense)}, op.device)


def _feature_specs(node, sparse_keys, dense_keys, defaults):
    """numflow's (sparse, dense) feature attrs from a TF parse node's keys, types, shapes and defaults."""
    sparse_types = _CODECS["types"][1](node.attr["sparse_types"])
    dense_types = _CODECS["types"][1](node.attr["Tdense"])
    shapes = [shape_from_proto(proto) for proto in node.attr["dense_shapes"].list.shape]
    if not (len(sparse_keys) == len(sparse_types) and len(dense_keys) == len(dense_types) == len(shapes)
            == len(defaults)):
        raise ValueError("the numbers of keys, types, shapes and defaults differ")
    sparse = [(_text(key), dtype) for key, dtype in zip(sparse_keys, sparse_types)]
    dense = []
    for key, dtype, shape, default in zip(dense_keys, dense_types, shapes, defaults):
        dims = shape.as_list()
        is_sequence = bool(dims) and dims[0] is None
        dims = dims[1:] if is_sequence else dims
        if any(d is None for d in dims):
            raise ValueError("dense feature %r has shape %s: only the first dimension may be unknown"
                             % (_text(key), shape))
        default = np.asarray(default)
        if dtype.name == "string":
            default = default.astype(object)
        required = default.size == 0 and not is_sequence
        flat = None if required else default.reshape(-1)
        if is_sequence and flat is not None and flat.size == 0:
            flat = np.array([b"" if dtype.name == "string" else 0], dtype=object if dtype.name == "string"
                            else dtype.np)
        dense.append((_text(key), dtype, tuple(dims), flat, is_sequence, required))
    return sparse, dense


def _constants(inputs, node, what):
    return [_reshaped_constant(tensor, node, "%s_%d" % (what, i)) for i, tensor in enumerate(inputs)]


def _reshaped_constant(tensor, node, what):
    """A constant input, also through the Reshape of a constant by a constant shape TF's parse_example
    writes for each dense default."""
    op = tensor.op
    while op.type == "Identity" and op.inputs:
        op = op.inputs[0].op
    if op.type == "Reshape":
        value = _reshaped_constant(op.inputs[0], node, what)
        return np.reshape(value, [int(d) for d in np.reshape(_constant_of(op.inputs[1], node, what), [-1])])
    return _constant_of(tensor, node, what)


def _one_key(value, index):
    flat = np.asarray(value).reshape(-1)
    if flat.size != 1:
        raise ValueError("key input %d must be one string, got %d values" % (index, flat.size))
    return flat[0]


def _load_parse_example(importer, node, inputs, name):
    count_sparse, count_dense = int(node.attr["Nsparse"].i), int(node.attr["Ndense"].i)
    keys = [_one_key(v, i) for i, v in enumerate(_constants(inputs[2:2 + count_sparse + count_dense], node, "key"))]
    defaults = _constants(inputs[2 + count_sparse + count_dense:], node, "dense_defaults")
    sparse, dense = _feature_specs(node, keys[:count_sparse], keys[count_sparse:], defaults)
    return importer.graph.create_op("ParseExample", inputs[:2], {"sparse": sparse, "dense": dense}, name=name + "/")


def _load_parse_example_v2(importer, node, inputs, name):
    sparse_keys, dense_keys, ragged_keys = [np.asarray(v).reshape(-1) for v in
                                            _constants(inputs[2:5], node, "keys")]
    if ragged_keys.size:
        raise ValueError("ragged features (%s) are not supported" % ", ".join(_text(k) for k in ragged_keys))
    sparse, dense = _feature_specs(node, list(sparse_keys), list(dense_keys),
                                   _constants(inputs[5:], node, "dense_defaults"))
    # ParseExampleV2 also parses one scalar Example (TF 2's parse_single_example), without a batch dimension.
    if inputs[0].shape.ndims == 0:
        return importer.graph.create_op("ParseSingleExample", inputs[:1], {"sparse": sparse, "dense": dense},
                                        name=name + "/")
    return importer.graph.create_op("ParseExample", inputs[:2], {"sparse": sparse, "dense": dense}, name=name + "/")


def _load_parse_single_example(importer, node, inputs, name):
    sparse, dense = _feature_specs(node, list(node.attr["sparse_keys"].list.s), list(node.attr["dense_keys"].list.s),
                                   _constants(inputs[1:], node, "dense_defaults"))
    return importer.graph.create_op("ParseSingleExample", inputs[:1], {"sparse": sparse, "dense": dense},
                                    name=name + "/")


_rule("ParseExample", export=_export_parse_example, load=_load_parse_example)
_rule("ParseExample", tf_type="ParseExampleV2", load=_load_parse_example_v2, import_only=True)
_rule("ParseSingleExample", export=_export_parse_single_example, load=_load_parse_single_example)


# --- more ops TF has under the same inputs and attrs -------------------------------------------------------
_same("AsString", "precision:i scientific:b shortest:b width:i fill:s",
      defaults={"precision": -1, "scientific": False, "shortest": False, "width": -1, "fill": ""})
_same("UnsortedSegmentJoin", "separator:bytes", types=(("Tindices", 1), ("Tnumsegments", 2)),
      defaults={"separator": b""})
_same("StringNGrams", "ngram_widths:int_tuple separator:bytes left_pad:bytes right_pad:bytes pad_width:i "
      "preserve_short_sequences:b", types=(("Tsplits", 1),))
_same("MaxPoolWithArgmax", "ksize:ints strides:ints padding:s Targmax:type include_batch_in_index:b",
      defaults={"Targmax": dtypes.int64, "include_batch_in_index": False})
_same("MaxPoolGradWithArgmax", "ksize:ints strides:ints padding:s include_batch_in_index:b",
      types=(("T", 0), ("Targmax", 2)), defaults={"include_batch_in_index": False})
_same("FusedBatchNormGrad", "epsilon:f is_training:b data_format:s",
      defaults={"epsilon": 0.0001, "is_training": True, "data_format": "NHWC"})
_same("DenseToDenseSetOperation", "set_operation:s validate_indices:b", defaults={"validate_indices": True})
_same("DenseToSparseSetOperation", "set_operation:s validate_indices:b", defaults={"validate_indices": True})
_same("SparseToSparseSetOperation", "set_operation:s validate_indices:b", types=(("T", 1),),
      defaults={"validate_indices": True})
_same("SetSize", "validate_indices:b", types=(("T", 1),), defaults={"validate_indices": True})
# Stateless random ops: TF's counter-based generator and numflow's differ, so the same seed gives other
# samples of the same distribution (as for the stateful random ops above).
for _type in ("StatelessRandomNormal", "StatelessRandomUniform", "StatelessTruncatedNormal"):
    _same(_type, "dtype:type", types=(("T", 0), ("Tseed", 1)), defaults={"dtype": dtypes.float32})
_same("ComputeAccidentalHits", "num_true:i", types=(), fixed={"seed": AttrValue(i=0), "seed2": AttrValue(i=0)})
_same("Assert", "summarize:i", types=(), defaults={"summarize": 3},
      export=lambda ex, op, inputs: ex.node(op.name, "Assert", inputs, {
          "T": _CODECS["types"][0]([t.dtype for t in op.inputs[1:]]),
          "summarize": AttrValue(i=op.attrs.get("summarize", 3))}, op.device))
_same("Print", "message:s first_n:i summarize:i", types=(), defaults={"message": "", "first_n": -1, "summarize": 3},
      export=lambda ex, op, inputs: ex.node(op.name, "Print", inputs, {
          "T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum),
          "U": _CODECS["types"][0]([t.dtype for t in op.inputs[1:]]),
          "message": AttrValue(s=op.attrs.get("message", "").encode("utf-8")),
          "first_n": AttrValue(i=op.attrs.get("first_n", -1)), "summarize": AttrValue(i=op.attrs.get("summarize", 3))},
          op.device))


def _export_dense_row_splits(ex, op, inputs):
    """[0, n, 2n, ..., rows * n]: Range(rows + 1) * n with n = Shape(x)[-1], rows = Prod(Shape(x)[:-1])
    (the ops TF's RaggedTensor.from_tensor computes its row splits with)."""
    int64 = AttrValue(type=dtypes.int64.as_datatype_enum)
    device = op.device

    def vector(base, values):
        return ex.const(op.name + "/" + base, np.array(values, np.int32), dtypes.int32, device)

    def strided(base, begin, end, shrink):
        return ex.add("StridedSlice", op.name + "/" + base, [shape, vector(base + "/begin", [begin]),
                                                             vector(base + "/end", [end]), vector(base + "/strides", [1])],
                      {"T": int64, "Index": _INT32_TYPE, "begin_mask": AttrValue(i=0),
                       "end_mask": AttrValue(i=1 if shrink else 0), "ellipsis_mask": AttrValue(i=0),
                       "new_axis_mask": AttrValue(i=0), "shrink_axis_mask": AttrValue(i=1 if shrink else 0)}, op)
    shape = ex.add("Shape", op.name + "/shape", inputs[:1],
                   {"T": AttrValue(type=op.inputs[0].dtype.as_datatype_enum), "out_type": int64}, op)
    leading = strided("leading_dims", 0, -1, False)
    rows = ex.add("Prod", op.name + "/rows", [leading, vector("rows/axis", [0])],
                  {"T": int64, "Tidx": _INT32_TYPE, "keep_dims": AttrValue(b=False)}, op)
    one = ex.const(op.name + "/one", np.int64(1), dtypes.int64, device)
    zero = ex.const(op.name + "/zero", np.int64(0), dtypes.int64, device)
    limit = ex.add("AddV2", op.name + "/limit", [rows, one], {"T": int64}, op)
    row_starts = ex.add("Range", op.name + "/row_starts", [zero, limit, one], {"Tidx": int64}, op)
    width = strided("row_length", -1, 0, True)
    return ex.node(op.name, "Mul", [row_starts, width], {"T": int64}, device)


_rule("DenseRowSplits", export=_export_dense_row_splits)
del _IMPORT_RULES["DenseRowSplits"]
for _type in ("MaxPoolWithArgmax", "MaxPoolGradWithArgmax"):
    _EXPORT_RULES[_type].defaults["data_format"] = "NHWC"


def _static_regex_loader(nf_type, attr_inputs):
    """TF's StaticRegexReplace / StaticRegexFullMatch keep the pattern (and rewrite) as attrs: numflow's op
    takes them as scalar string Const inputs, made here beside the op."""
    def load(importer, node, inputs, name):
        from ..ops.constant import constant
        with importer.graph.name_scope(name + "/"):
            extra = [constant(np.array(bytes(node.attr[key].s), dtype=object), dtype=dtypes.string, name=key)
                     for key in attr_inputs]
        attrs = {"replace_global": bool(node.attr["replace_global"].b) if "replace_global" in node.attr else True} \
            if nf_type == "RegexReplace" else {}
        return importer.graph.create_op(nf_type, inputs + extra, attrs, name=name + "/")
    return load


_rule("RegexReplace", tf_type="StaticRegexReplace", load=_static_regex_loader("RegexReplace", ("pattern", "rewrite")),
      import_only=True)
_rule("RegexFullMatch", tf_type="StaticRegexFullMatch", load=_static_regex_loader("RegexFullMatch", ("pattern",)),
      import_only=True)


# --- numflow ops TF builds from several ops: written as that composition (read back as its parts) ---------
def _dtype_attr(dtype):
    return AttrValue(type=dtypes.as_dtype(dtype).as_datatype_enum)


def _composite(nf_type):
    """Registers `export(ex, op, inputs)` as the composition of numflow op `nf_type` (export only: TF's
    graphs hold the parts, which import as themselves)."""
    def register(export):
        _rule(nf_type, export=export)
        del _IMPORT_RULES[nf_type]
        return export
    return register


@_composite("Swish")
def _export_swish(ex, op, inputs):
    """x * sigmoid(x), as tf.nn.swish writes it."""
    t = _dtype_attr(op.inputs[0].dtype)
    sigmoid = ex.add("Sigmoid", op.name + "/Sigmoid", inputs[:1], {"T": t}, op)
    return ex.node(op.name, "Mul", [inputs[0], sigmoid], {"T": t}, op.device)


@_composite("LogicalXor")
def _export_logical_xor(ex, op, inputs):
    """(x or y) and not (x and y), as tf.math.logical_xor writes it."""
    either = ex.add("LogicalOr", op.name + "/LogicalOr", inputs, {}, op)
    both = ex.add("LogicalAnd", op.name + "/LogicalAnd", inputs, {}, op)
    not_both = ex.add("LogicalNot", op.name + "/LogicalNot", [both], {}, op)
    return ex.node(op.name, "LogicalAnd", [either, not_both], {}, op.device)


@_composite("SigmoidCrossEntropyWithLogits")
def _export_sigmoid_xent(ex, op, inputs):
    """max(x, 0) - x * z + log1p(exp(-|x|)) with the Selects tf.nn.sigmoid_cross_entropy_with_logits uses."""
    t = _dtype_attr(op.inputs[0].dtype)
    logits, labels = inputs
    zeros = ex.add("ZerosLike", op.name + "/zeros_like", [logits], {"T": t}, op)
    positive = ex.add("GreaterEqual", op.name + "/GreaterEqual", [logits, zeros], {"T": t}, op)
    relu = ex.add("Select", op.name + "/Select", [positive, logits, zeros], {"T": t}, op)
    negated = ex.add("Neg", op.name + "/Neg", [logits], {"T": t}, op)
    minus_abs = ex.add("Select", op.name + "/Select_1", [positive, negated, logits], {"T": t}, op)
    product = ex.add("Mul", op.name + "/mul", [logits, labels], {"T": t}, op)
    difference = ex.add("Sub", op.name + "/sub", [relu, product], {"T": t}, op)
    softplus = ex.add("Log1p", op.name + "/Log1p", [ex.add("Exp", op.name + "/Exp", [minus_abs], {"T": t}, op)],
                      {"T": t}, op)
    return ex.node(op.name, "AddV2", [difference, softplus], {"T": t}, op.device)


def _all_axes(ex, op, tensor_name, dtype, base):
    """An int32 Range over every axis of `tensor_name` (Rank-based: its rank may be unknown)."""
    rank = ex.add("Rank", "%s/%s/Rank" % (op.name, base), [tensor_name], {"T": _dtype_attr(dtype)}, op)
    start = ex.const("%s/%s/start" % (op.name, base), np.int32(0), dtypes.int32, op.device)
    delta = ex.const("%s/%s/delta" % (op.name, base), np.int32(1), dtypes.int32, op.device)
    return ex.add("Range", "%s/%s" % (op.name, base), [start, rank, delta], {"Tidx": _INT32_TYPE}, op)


@_composite("ZeroFraction")
def _export_zero_fraction(ex, op, inputs):
    """mean(cast(x == 0, float32)) over every element."""
    dtype = op.inputs[0].dtype
    zeros = ex.add("ZerosLike", op.name + "/zeros_like", inputs[:1], {"T": _dtype_attr(dtype)}, op)
    is_zero = ex.add("Equal", op.name + "/Equal", [inputs[0], zeros], {"T": _dtype_attr(dtype)}, op)
    as_float = ex.add("Cast", op.name + "/Cast", [is_zero], {"SrcT": _dtype_attr(dtypes.bool),
                                                            "DstT": _dtype_attr(dtypes.float32),
                                                            "Truncate": AttrValue(b=False)}, op)
    axes = _all_axes(ex, op, as_float, dtypes.float32, "axes")
    return ex.node(op.name, "Mean", [as_float, axes], {"T": _dtype_attr(dtypes.float32), "Tidx": _INT32_TYPE,
                                                       "keep_dims": AttrValue(b=False)}, op.device)


@_composite("L2Normalize")
def _export_l2_normalize(ex, op, inputs):
    """x * rsqrt(max(sum(x ** 2, axis, keepdims), epsilon)), as tf.nn.l2_normalize writes it."""
    dtype = op.inputs[0].dtype
    t = _dtype_attr(dtype)
    squared = ex.add("Square", op.name + "/Square", inputs[:1], {"T": t}, op)
    axes = ex.const(op.name + "/axes", np.array(list(op.attrs["axis"]), np.int32), dtypes.int32, op.device)
    total = ex.add("Sum", op.name + "/Sum", [squared, axes], {"T": t, "Tidx": _INT32_TYPE,
                                                              "keep_dims": AttrValue(b=True)}, op)
    epsilon = ex.const(op.name + "/epsilon", np.asarray(op.attrs["epsilon"], dtype.np), dtype, op.device)
    bounded = ex.add("Maximum", op.name + "/Maximum", [total, epsilon], {"T": t}, op)
    scale = ex.add("Rsqrt", op.name + "/Rsqrt", [bounded], {"T": t}, op)
    return ex.node(op.name, "Mul", [inputs[0], scale], {"T": t}, op.device)


@_composite("SequenceMask")
def _export_sequence_mask(ex, op, inputs):
    """range(maxlen) < expand_dims(lengths, -1), cast to dtype; maxlen defaults to max(lengths)."""
    lengths_type = op.inputs[0].dtype
    t = _dtype_attr(lengths_type)
    if len(inputs) > 1:
        maxlen = inputs[1]
        if op.inputs[1].dtype is not lengths_type:
            maxlen = ex.add("Cast", op.name + "/maxlen", [maxlen], {"SrcT": _dtype_attr(op.inputs[1].dtype),
                                                                   "DstT": t, "Truncate": AttrValue(b=False)}, op)
    else:
        maxlen = ex.add("Max", op.name + "/Max", [inputs[0], _all_axes(ex, op, inputs[0], lengths_type, "axes")],
                        {"T": t, "Tidx": _INT32_TYPE, "keep_dims": AttrValue(b=False)}, op)
    start = ex.const(op.name + "/Const", np.zeros((), lengths_type.np), lengths_type, op.device)
    delta = ex.const(op.name + "/Const_1", np.ones((), lengths_type.np), lengths_type, op.device)
    positions = ex.add("Range", op.name + "/Range", [start, maxlen, delta], {"Tidx": t}, op)
    last = ex.const(op.name + "/ExpandDims/dim", np.int32(-1), dtypes.int32, op.device)
    column = ex.add("ExpandDims", op.name + "/ExpandDims", [inputs[0], last], {"T": t, "Tdim": _INT32_TYPE}, op)
    dtype = op.attrs["dtype"]
    if dtype is dtypes.bool:
        return ex.node(op.name, "Less", [positions, column], {"T": t}, op.device)
    mask = ex.add("Less", op.name + "/Less", [positions, column], {"T": t}, op)
    return ex.node(op.name, "Cast", [mask], {"SrcT": _dtype_attr(dtypes.bool), "DstT": _dtype_attr(dtype),
                                             "Truncate": AttrValue(b=False)}, op.device)


@_composite("Eye")
def _export_eye(ex, op, inputs):
    """cast(expand_dims(range(rows), 1) == range(cols), dtype), broadcast over batch_shape."""
    rows, cols = inputs
    index_type = op.inputs[0].dtype
    t = _dtype_attr(index_type)
    start = ex.const(op.name + "/start", np.zeros((), index_type.np), index_type, op.device)
    delta = ex.const(op.name + "/delta", np.ones((), index_type.np), index_type, op.device)
    row_ids = ex.add("Range", op.name + "/rows", [start, rows, delta], {"Tidx": t}, op)
    if op.inputs[1].dtype is not index_type:
        cols = ex.add("Cast", op.name + "/cols_cast", [cols], {"SrcT": _dtype_attr(op.inputs[1].dtype), "DstT": t,
                                                               "Truncate": AttrValue(b=False)}, op)
    col_ids = ex.add("Range", op.name + "/cols", [start, cols, delta], {"Tidx": t}, op)
    axis = ex.const(op.name + "/column_axis", np.int32(1), dtypes.int32, op.device)
    row_column = ex.add("ExpandDims", op.name + "/ExpandDims", [row_ids, axis], {"T": t, "Tdim": _INT32_TYPE}, op)
    diagonal = ex.add("Equal", op.name + "/Equal", [row_column, col_ids], {"T": t}, op)
    batch = list(op.attrs.get("batch_shape") or ())
    dtype = op.attrs["dtype"]
    name = ex.unique(op.name + "/matrix") if batch else op.name
    if dtype is dtypes.bool:
        matrix = ex.node(name, "Identity", [diagonal], {"T": _dtype_attr(dtype)}, op.device)
    else:
        matrix = ex.node(name, "Cast", [diagonal], {"SrcT": _dtype_attr(dtypes.bool), "DstT": _dtype_attr(dtype),
                                                    "Truncate": AttrValue(b=False)}, op.device)
    if not batch:
        return matrix
    matrix = matrix.name
    matrix_shape = ex.add("Shape", op.name + "/matrix_shape", [matrix], {"T": _dtype_attr(dtype),
                                                                        "out_type": _INT32_TYPE}, op)
    leading = ex.const(op.name + "/batch_shape", np.array(batch, np.int32), dtypes.int32, op.device)
    concat_axis = ex.const(op.name + "/concat_axis", np.int32(0), dtypes.int32, op.device)
    shape = ex.add("ConcatV2", op.name + "/shape", [leading, matrix_shape, concat_axis],
                   {"T": _INT32_TYPE, "N": AttrValue(i=2), "Tidx": _INT32_TYPE}, op)
    return ex.node(op.name, "BroadcastTo", [matrix, shape], {"T": _dtype_attr(dtype), "Tidx": _INT32_TYPE}, op.device)


def _export_decode_csv(ex, op, inputs):
    select = op.attrs.get("select_cols")
    return ex.node(op.name, "DecodeCSV", inputs, {
        "OUT_TYPE": _CODECS["types"][0]([t.dtype for t in op.inputs[1:]]),
        "field_delim": AttrValue(s=_text(op.attrs.get("field_delim", ",")).encode("utf-8")),
        "use_quote_delim": AttrValue(b=bool(op.attrs.get("use_quote_delim", True))),
        "na_value": AttrValue(s=_text(op.attrs.get("na_value", "")).encode("utf-8")),
        "select_cols": _CODECS["ints"][0](list(select or []))}, op.device)


def _load_decode_csv(importer, node, inputs, name):
    select = [int(v) for v in node.attr["select_cols"].list.i] if "select_cols" in node.attr else []
    return importer.graph.create_op("DecodeCSV", inputs, {
        "field_delim": _text(node.attr["field_delim"].s) if "field_delim" in node.attr else ",",
        "use_quote_delim": bool(node.attr["use_quote_delim"].b) if "use_quote_delim" in node.attr else True,
        "na_value": _text(node.attr["na_value"].s) if "na_value" in node.attr else "",
        "select_cols": select or None}, name=name + "/")


_rule("DecodeCSV", export=_export_decode_csv, load=_load_decode_csv)


# --- unicode, formatting, beam search, LRN's gradient, Poisson and Gamma samples ---------------------------
# numflow keeps Python's codec names ('utf-8'); TF's attrs spell them 'UTF-8'.
_CODECS["encoding"] = (lambda v: AttrValue(s=_text(v).upper().encode("ascii")), lambda a: _text(a.s).lower())
_UNICODE_DECODE = "input_encoding:encoding errors:s replacement_char:i replace_control_characters:b"
_UNICODE_DEFAULTS = {"errors": "replace", "replacement_char": 65533, "replace_control_characters": False}
_same("UnicodeDecode", _UNICODE_DECODE, types=(("Tsplits", "out0"),), defaults=_UNICODE_DEFAULTS)
_same("UnicodeDecodeWithOffsets", _UNICODE_DECODE, types=(("Tsplits", "out0"),), defaults=_UNICODE_DEFAULTS)
_same("UnicodeTranscode", _UNICODE_DECODE + " output_encoding:encoding", types=(), defaults=_UNICODE_DEFAULTS)
_same("UnicodeEncode", "output_encoding:encoding errors:s replacement_char:i", types=(("Tsplits", 1),),
      defaults={"errors": "replace", "replacement_char": 65533})
_same("GatherTree")
_same("StringFormat", "template:s placeholder:s summarize:i", defaults={"placeholder": "{}", "summarize": 3},
      export=lambda ex, op, inputs: ex.node(op.name, "StringFormat", inputs, {
          "T": _CODECS["types"][0]([t.dtype for t in op.inputs]),
          "template": AttrValue(s=_text(op.attrs["template"]).encode("utf-8")),
          "placeholder": AttrValue(s=_text(op.attrs.get("placeholder", "{}")).encode("utf-8")),
          "summarize": AttrValue(i=int(op.attrs.get("summarize", 3)))}, op.device))
_same("RandomPoisson", tf_type="RandomPoissonV2", attrs="seed:i seed2:i dtype:type", types=(("S", 0), ("R", 1)),
      defaults={"seed": 0, "seed2": 0})
_LRN_ATTRS = _EXPORT_RULES["LRN"].attrs


def _export_lrn_grad(ex, op, inputs):
    """TF's LRNGrad also takes LRN's output: recomputed here by an LRN node of the same attrs."""
    attrs = {tf_name: _CODECS[codec][0](op.attrs[nf]) for nf, tf_name, codec in _LRN_ATTRS if nf in op.attrs}
    attrs["T"] = _dtype_attr(op.inputs[1].dtype)
    output = ex.add("LRN", op.name + "/LRN", [inputs[1]], dict(attrs), op)
    return ex.node(op.name, "LRNGrad", inputs + [output], attrs, op.device)


def _load_lrn_grad(importer, node, inputs, name):
    return importer.graph.create_op("LRNGrad", inputs[:2], _node_attrs(_IMPORT_RULES["LRN"], node), name=name + "/")


_rule("LRNGrad", export=_export_lrn_grad, load=_load_lrn_grad)


@_composite("RandomGamma")
def _export_random_gamma(ex, op, inputs):
    """RandomGamma(shape, alpha + zeros_like(beta)) / beta: TF's op samples Gamma(alpha, 1), and
    tf.random_gamma broadcasts alpha against beta and divides by it."""
    t = _dtype_attr(op.inputs[1].dtype)
    zeros = ex.add("ZerosLike", op.name + "/zeros_like", [inputs[2]], {"T": t}, op)
    alpha = ex.add("AddV2", op.name + "/alpha_broadcast", [inputs[1], zeros], {"T": t}, op)
    samples = ex.add("RandomGamma", op.name + "/RandomGamma", [inputs[0], alpha], {
        "S": _dtype_attr(op.inputs[0].dtype), "T": t, "seed": AttrValue(i=int(op.attrs.get("seed", 0))),
        "seed2": AttrValue(i=int(op.attrs.get("seed2", 0)))}, op)
    return ex.node(op.name, "RealDiv", [samples, inputs[2]], {"T": t}, op.device)


def _load_random_gamma(importer, node, inputs, name):
    """TF's RandomGamma(shape, alpha) is numflow's with beta 1."""
    from ..ops.constant import constant
    with importer.graph.name_scope(name + "/"):
        beta = constant(np.ones((), inputs[1].dtype.np), name="beta")
    return importer.graph.create_op("RandomGamma", inputs + [beta], {
        "seed": int(node.attr["seed"].i), "seed2": int(node.attr["seed2"].i)}, name=name + "/")


_rule("RandomGamma", load=_load_random_gamma, import_only=True)


def _export_matrix_solve_ls(ex, op, inputs):
    """TF's MatrixSolveLs takes l2_regularizer as float64 whatever T is; numflow's op is lstsq(fast=False)."""
    t = _dtype_attr(op.inputs[0].dtype)
    regularizer = ex.add("Cast", op.name + "/l2_regularizer", [inputs[2]], {
        "SrcT": t, "DstT": _dtype_attr(dtypes.float64), "Truncate": AttrValue(b=False)}, op)
    return ex.node(op.name, "MatrixSolveLs", inputs[:2] + [regularizer], {"T": t, "fast": AttrValue(b=False)},
                   op.device)


def _load_matrix_solve_ls(importer, node, inputs, name):
    """TF's MatrixSolveLs as numflow's minimum-norm solver (lstsq fast=False): for the full-rank matrices
    TF's fast path requires the solutions agree; a nonzero l2_regularizer is an InvalidArgumentError at run
    time, as numflow's op supports only 0."""
    from ..ops.math import cast
    with importer.graph.name_scope(name + "/"):
        regularizer = cast(inputs[2], inputs[0].dtype, name="l2_regularizer")
    return importer.graph.create_op("MatrixSolveLs", inputs[:2] + [regularizer], {}, name=name + "/")


_rule("MatrixSolveLs", export=_export_matrix_solve_ls, load=_load_matrix_solve_ls)


@_composite("ReduceLogSumExp")
def _export_reduce_logsumexp(ex, op, inputs):
    """log(sum(exp(x - m))) + m with m = max(x) where finite, else 0, as tf.reduce_logsumexp writes it."""
    dtype = op.inputs[0].dtype
    t = _dtype_attr(dtype)
    keep = bool(op.attrs.get("keep_dims", False))
    axes = inputs[1] if len(inputs) > 1 else _all_axes(ex, op, inputs[0], dtype, "axes")
    tidx = _dtype_attr(op.inputs[1].dtype) if len(inputs) > 1 else _INT32_TYPE
    top = ex.add("Max", op.name + "/Max", [inputs[0], axes], {"T": t, "Tidx": tidx, "keep_dims": AttrValue(b=True)}, op)
    finite = ex.add("IsFinite", op.name + "/IsFinite", [top], {"T": t}, op)
    zeros = ex.add("ZerosLike", op.name + "/zeros_like", [top], {"T": t}, op)
    shift = ex.add("Select", op.name + "/Select", [finite, top, zeros], {"T": t}, op)
    shift = ex.add("StopGradient", op.name + "/StopGradient", [shift], {"T": t}, op)
    centered = ex.add("Sub", op.name + "/sub", [inputs[0], shift], {"T": t}, op)
    exps = ex.add("Exp", op.name + "/Exp", [centered], {"T": t}, op)
    total = ex.add("Sum", op.name + "/Sum", [exps, axes], {"T": t, "Tidx": tidx, "keep_dims": AttrValue(b=keep)}, op)
    logs = ex.add("Log", op.name + "/Log", [total], {"T": t}, op)
    if not keep:
        shape = ex.add("Shape", op.name + "/Shape", [logs], {"T": t, "out_type": _INT32_TYPE}, op)
        shift = ex.add("Reshape", op.name + "/Reshape", [shift, shape], {"T": t, "Tshape": _INT32_TYPE}, op)
    return ex.node(op.name, "AddV2", [logs, shift], {"T": t}, op.device)


@_composite("Dropout")
def _export_dropout(ex, op, inputs):
    """TF 1's tf.nn.dropout: mask = floor(keep_prob + RandomUniform(noise shape)) / keep_prob, out = x * mask.
    The mask (numflow's second output, read by the gradient) is its own node."""
    dtype = op.inputs[0].dtype
    t = _dtype_attr(dtype)
    if len(inputs) > 2:
        shape, shape_type = inputs[2], _dtype_attr(op.inputs[2].dtype)
    else:
        shape = ex.add("Shape", op.name + "/Shape", inputs[:1], {"T": t, "out_type": _INT32_TYPE}, op)
        shape_type = _INT32_TYPE
    uniform = ex.add("RandomUniform", op.name + "/random_uniform", [shape], {
        "T": shape_type, "dtype": t, "seed": AttrValue(i=int(op.attrs.get("seed", 0))),
        "seed2": AttrValue(i=int(op.attrs.get("seed2", 0)))}, op)
    shifted = ex.add("AddV2", op.name + "/add", [inputs[1], uniform], {"T": t}, op)
    kept = ex.add("Floor", op.name + "/Floor", [shifted], {"T": t}, op)
    mask = ex.add("RealDiv", op.name + "/mask", [kept, inputs[1]], {"T": t}, op)
    ex.renamed[op.name + ":1"] = mask
    return ex.node(op.name, "Mul", [inputs[0], mask], {"T": t}, op.device)


@_composite("Moments")
def _export_moments(ex, op, inputs):
    """tf.nn.moments: mean = Mean(x, axes, keep_dims=True), variance = Mean(SquaredDifference(x,
    StopGradient(mean)), axes), the mean squeezed unless keep_dims. The variance is its own node."""
    t = _dtype_attr(op.inputs[0].dtype)
    keep = bool(op.attrs.get("keep_dims", False))
    axes_list = [int(a) for a in op.attrs["axes"]]
    axes = ex.const(op.name + "/reduction_indices", np.array(axes_list, np.int32), dtypes.int32, op.device)
    reduce_attrs = {"T": t, "Tidx": _INT32_TYPE}
    mean_name = op.name if keep else ex.unique(op.name + "/mean")
    mean = ex.node(mean_name, "Mean", [inputs[0], axes], dict(reduce_attrs, keep_dims=AttrValue(b=True)),
                   op.device)
    fixed = ex.add("StopGradient", op.name + "/StopGradient", [mean.name], {"T": t}, op)
    squared = ex.add("SquaredDifference", op.name + "/SquaredDifference", [inputs[0], fixed], {"T": t}, op)
    ex.renamed[op.name + ":1"] = ex.add("Mean", op.name + "/variance", [squared, axes],
                                         dict(reduce_attrs, keep_dims=AttrValue(b=keep)), op)
    if keep:
        return mean
    return ex.node(op.name, "Squeeze", [mean.name], {"T": t, "squeeze_dims": _CODECS["ints"][0](axes_list)},
                   op.device)


@_composite("MomentsGrad")
def _export_moments_grad(ex, op, inputs):
    """dmean / N + dvariance * 2 (x - mean) / N over moments' axes, N = Size(x) / Size(dmean), with the
    incoming gradients reshaped to x's shape with the reduced axes 1 (TF's own moments gradient)."""
    x = op.inputs[0]
    rank = x.shape.ndims
    if rank is None:
        raise _NoTFForm("the gradient of moments of a tensor of unknown rank")
    t = _dtype_attr(x.dtype)
    reduced = {int(a) % rank for a in op.attrs["axes"]}
    keep = np.array([0 if axis in reduced else 1 for axis in range(rank)], np.int32)
    x_shape = ex.add("Shape", op.name + "/x_shape", inputs[:1], {"T": t, "out_type": _INT32_TYPE}, op)
    keep_mask = ex.const(op.name + "/keep_mask", keep, dtypes.int32, op.device)
    ones = ex.const(op.name + "/reduced_ones", 1 - keep, dtypes.int32, op.device)
    kept = ex.add("Mul", op.name + "/kept_dims", [x_shape, keep_mask], {"T": _INT32_TYPE}, op)
    target = ex.add("AddV2", op.name + "/kept_shape", [kept, ones], {"T": _INT32_TYPE}, op)
    dmean = ex.add("Reshape", op.name + "/dmean", [inputs[1], target], {"T": t, "Tshape": _INT32_TYPE}, op)
    dvariance = ex.add("Reshape", op.name + "/dvariance", [inputs[2], target], {"T": t, "Tshape": _INT32_TYPE}, op)

    def as_t(name, tensor, source_type):
        size = ex.add("Size", "%s/%s_size" % (op.name, name), [tensor], {"T": source_type, "out_type": _INT32_TYPE},
                      op)
        return ex.add("Cast", "%s/%s_count" % (op.name, name), [size], {"SrcT": _INT32_TYPE, "DstT": t,
                                                                        "Truncate": AttrValue(b=False)}, op)
    count = ex.add("RealDiv", op.name + "/count", [as_t("x", inputs[0], t), as_t("dmean", inputs[1], t)], {"T": t}, op)
    axes = ex.const(op.name + "/axes", np.array(sorted(reduced), np.int32), dtypes.int32, op.device)
    mean = ex.add("Mean", op.name + "/mean", [inputs[0], axes], {"T": t, "Tidx": _INT32_TYPE,
                                                                 "keep_dims": AttrValue(b=True)}, op)
    centered = ex.add("Sub", op.name + "/centered", [inputs[0], mean], {"T": t}, op)
    two = ex.const(op.name + "/two", np.asarray(2, x.dtype.np), x.dtype, op.device)
    scale = ex.add("RealDiv", op.name + "/scale", [ex.add("Mul", op.name + "/twice", [dvariance, two], {"T": t}, op),
                                                   count], {"T": t}, op)
    from_variance = ex.add("Mul", op.name + "/from_variance", [centered, scale], {"T": t}, op)
    from_mean = ex.add("RealDiv", op.name + "/from_mean", [dmean, count], {"T": t}, op)
    return ex.node(op.name, "AddV2", [from_variance, from_mean], {"T": t}, op.device)


def _export_print_v2(ex, op, inputs):
    """tf.print as TF writes it: a StringFormat of the pieces joined by `sep`, printed by PrintV2."""
    template = op.attrs["template"]
    placeholder = "{}"
    while any(piece is not None and placeholder in piece for piece in template):
        placeholder = "{" + placeholder + "}"
    text = op.attrs.get("sep", " ").join(placeholder if piece is None else piece for piece in template)
    summarize = op.attrs.get("summarize")
    formatted = ex.add("StringFormat", op.name + "/StringFormat", inputs, {
        "T": _CODECS["types"][0]([t.dtype for t in op.inputs]), "template": AttrValue(s=text.encode("utf-8")),
        "placeholder": AttrValue(s=placeholder.encode("utf-8")),
        "summarize": AttrValue(i=-1 if summarize is None else int(summarize))}, op)
    stream = op.attrs.get("stream", "stderr")
    if not isinstance(stream, str):
        raise _NoTFForm("printing to a Python stream object")
    return ex.node(op.name, "PrintV2", [formatted], {"output_stream": AttrValue(s=stream.encode("utf-8")),
                                                     "end": AttrValue(s=op.attrs.get("end", "\n").encode("utf-8"))},
                   op.device)


def _load_print_v2(importer, node, inputs, name):
    """TF's PrintV2 prints one formatted string (made by its StringFormat input)."""
    return importer.graph.create_op("PrintV2", inputs, {
        "template": (None,), "sep": "", "summarize": None,
        "stream": _text(node.attr["output_stream"].s) if "output_stream" in node.attr else "stderr",
        "end": _text(node.attr["end"].s) if "end" in node.attr else "\n"}, name=name + "/")


_rule("PrintV2", export=_export_print_v2, load=_load_print_v2)


# --- candidate samplers: TF's attrs; the samples come from each side's own generator ------------------------
_SAMPLER = "num_true:i num_sampled:i unique:b range_max:i seed:i seed2:i"
_SAMPLER_DEFAULTS = {"seed": 0, "seed2": 0}
for _type in ("UniformCandidateSampler", "LogUniformCandidateSampler", "LearnedUnigramCandidateSampler"):
    _same(_type, _SAMPLER, types=(), defaults=_SAMPLER_DEFAULTS)
_same("FixedUnigramCandidateSampler", _SAMPLER + " unigrams:floats distortion:f num_reserved_ids:i num_shards:i "
      "shard:i", types=(), fixed={"vocab_file": AttrValue(s=b"")},
      defaults=dict(_SAMPLER_DEFAULTS, distortion=1.0, num_reserved_ids=0, num_shards=1, shard=0))


def _load_all_candidate_sampler(importer, node, inputs, name):
    """TF's AllCandidateSampler has no range_max: numflow's is num_sampled."""
    attrs = _node_attrs(_EXPORT_RULES["AllCandidateSampler"], node)
    attrs["range_max"] = attrs["num_sampled"]
    return importer.graph.create_op("AllCandidateSampler", inputs, attrs, name=name + "/")


_same("AllCandidateSampler", "num_true:i num_sampled:i unique:b seed:i seed2:i", types=(),
      defaults=_SAMPLER_DEFAULTS, load=_load_all_candidate_sampler)


# --- tf.image box, patch and JPEG ops (ops/image_extra.py): TF's ops of the same inputs and attrs ------------
_same("NonMaxSuppressionV5", "pad_to_max_output_size:b", defaults={"pad_to_max_output_size": False})
_same("NonMaxSuppressionWithOverlaps", types=())
_same("CombinedNonMaxSuppression", "pad_per_class:b clip_boxes:b", types=(),
      defaults={"pad_per_class": False, "clip_boxes": True})
_same("CropAndResize", "method:s extrapolation_value:f", defaults={"method": "bilinear", "extrapolation_value": 0.0})
_same("CropAndResizeGradImage", "T:type method:s", types=(), defaults={"method": "bilinear"})
_same("CropAndResizeGradBoxes", "method:s", types=(("T", 1),), defaults={"method": "bilinear"})
_same("DrawBoundingBoxesV2")
_same("SampleDistortedBoundingBoxV2", "seed:i seed2:i aspect_ratio_range:floats area_range:floats max_attempts:i "
      "use_image_if_no_bounding_boxes:b", defaults={"seed": 0, "seed2": 0, "aspect_ratio_range": [0.75, 1.33],
                                                     "area_range": [0.05, 1.0], "max_attempts": 100,
                                                     "use_image_if_no_bounding_boxes": False})
_same("ExtractImagePatches", "ksizes:ints strides:ints rates:ints padding:s")
_same("ExtractJpegShape", "output_type:type", types=(), defaults={"output_type": dtypes.int32})
_same("DecodeAndCropJpeg", "channels:i ratio:i", types=(), defaults={"channels": 0, "ratio": 1},
      fixed={"fancy_upscaling": AttrValue(b=True), "try_recover_truncated": AttrValue(b=False),
             "acceptable_fraction": AttrValue(f=1.0), "dct_method": AttrValue(s=b"")})
_same("EncodeJpegVariableQuality", types=())

# --- CTC and fractional pooling (ops/ctc.py, ops/fractional_pool.py): TF's ops of the same inputs and attrs ---
_same("CTCLoss", "preprocess_collapse_repeated:b ctc_merge_repeated:b ignore_longer_outputs_than_inputs:b",
      defaults={"preprocess_collapse_repeated": False, "ctc_merge_repeated": True,
                "ignore_longer_outputs_than_inputs": False})
_same("CTCGreedyDecoder", "merge_repeated:b blank_index:i", defaults={"merge_repeated": False, "blank_index": -1})
_same("CTCBeamSearchDecoder", "beam_width:i top_paths:i merge_repeated:b", defaults={"merge_repeated": True})
_FRACTIONAL = "pooling_ratio:floats pseudo_random:b overlapping:b deterministic:b seed:i seed2:i"
_FRACTIONAL_DEFAULTS = {"pseudo_random": False, "overlapping": False, "deterministic": False, "seed": 0, "seed2": 0}
_same("FractionalMaxPool", _FRACTIONAL, defaults=_FRACTIONAL_DEFAULTS)
_same("FractionalAvgPool", _FRACTIONAL, defaults=_FRACTIONAL_DEFAULTS)
_same("FractionalMaxPoolGrad", "overlapping:b", defaults={"overlapping": False})
_same("FractionalAvgPoolGrad", "overlapping:b", types=(("T", 1),), defaults={"overlapping": False})

# --- tensors as bytes (ops/tensor_io_ops.py) ---------------------------------------------------------------
_same("SerializeTensor")
_same("ParseTensor", "out_type:type", types=())
_same("DecodeCompressed", "compression_type:s", types=(), defaults={"compression_type": ""})
_rule("AudioSummaryV2", attrs=[("max_outputs", "max_outputs", "i")], defaults={"max_outputs": 3},
      const_inputs=[_tag_input()], types=())
_same("Lu", "output_idx_type:type", defaults={"output_idx_type": dtypes.int32})
_same("MatrixSquareRoot")
_same("DecodeJSONExample", types=())

# --- fake quantization (ops/quant_and_misc.py): float32 only, so no T attr -------------------------------
_FAKE_QUANT_DEFAULTS = {"num_bits": 8, "narrow_range": False}
for _type in ("FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxArgsGradient"):
    _same(_type, "min:f max:f num_bits:i narrow_range:b", types=(),
          defaults=dict(_FAKE_QUANT_DEFAULTS, min=-6.0, max=6.0))
for _type in ("FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxVarsGradient", "FakeQuantWithMinMaxVarsPerChannel",
              "FakeQuantWithMinMaxVarsPerChannelGradient"):
    _same(_type, "num_bits:i narrow_range:b", types=(), defaults=_FAKE_QUANT_DEFAULTS)
_same("ExtractVolumePatches", "ksizes:ints strides:ints padding:s")
_same("ApproxTopK", "k:i reduction_dimension:i recall_target:f is_max_k:b reduction_input_size_override:i "
      "aggregate_to_topk:b", defaults={"reduction_dimension": -1, "recall_target": 0.95, "is_max_k": True,
                                        "reduction_input_size_override": -1, "aggregate_to_topk": True})
_same("SobolSample", "dtype:type", types=(), defaults={"dtype": dtypes.float32})
_same("Conv", "strides:ints padding:s explicit_paddings:ints data_format:s dilations:ints batch_dims:i groups:i",
      defaults={"explicit_paddings": [], "data_format": "CHANNELS_LAST", "dilations": [], "batch_dims": 1,
                "groups": 1})
_same("SdcaFprint", types=())

# --- fused LSTM / GRU kernels (ops/rnn_block.py): TF's ops of the same inputs and attrs -----------------
_LSTM_BLOCK = "forget_bias:f cell_clip:f use_peephole:b"
_LSTM_BLOCK_DEFAULTS = {"forget_bias": 1.0, "cell_clip": 3.0, "use_peephole": False}
_same("LSTMBlockCell", _LSTM_BLOCK, defaults=_LSTM_BLOCK_DEFAULTS)
_same("BlockLSTM", _LSTM_BLOCK, types=(("T", 1),), defaults=_LSTM_BLOCK_DEFAULTS)
_same("BlockLSTMV2", "cell_clip:f use_peephole:b", types=(("T", 1),),
      defaults={"cell_clip": 0.0, "use_peephole": False})
_same("LSTMBlockCellGrad", "use_peephole:b")
_same("BlockLSTMGrad", "use_peephole:b", types=(("T", 1),))
_same("BlockLSTMGradV2", "use_peephole:b", types=(("T", 1),))
_same("GRUBlockCell")
_same("GRUBlockCellGrad")
