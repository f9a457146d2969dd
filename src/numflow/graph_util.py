"""`tf.graph_util`: rewriting GraphDefs (freezing variables into constants, pruning, training-node removal).

Every function takes and returns `GraphDef` messages (framework/graph_def.py), so their results are what
TensorFlow's loaders read, and they accept GraphDefs written by TensorFlow.
"""
import copy

from .framework import dtypes
from .framework.graph_def import GraphDef, NodeDef, import_graph_def, ndarray_to_tensor_proto  # noqa: F401
from .io.graph_proto import AttrValue

__all__ = ["convert_variables_to_constants", "extract_sub_graph", "remove_training_nodes", "must_run_on_cpu",
           "tensor_shape_from_node_def_name", "import_graph_def"]

_VARIABLE_OPS = ("Variable", "VariableV2", "VarHandleOp")


def _node_name(name):
    """'^x', 'x:1', 'x' -> 'x'."""
    if name.startswith("^"):
        name = name[1:]
    return name.split(":")[0]


def _check_graph_def(graph_def):
    if not isinstance(graph_def, GraphDef):
        raise TypeError("graph_def must be a graph_pb2.GraphDef proto, got %s" % type(graph_def).__name__)


def _copy_node(node):
    return NodeDef.FromString(node.SerializeToString())


def extract_sub_graph(graph_def, dest_nodes):
    """`tf.graph_util.extract_sub_graph(graph_def, dest_nodes)`: the GraphDef of the nodes `dest_nodes` (a
    list of node names) depend on, through data and control inputs, in the original order."""
    _check_graph_def(graph_def)
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be a list.")
    by_name = {node.name: node for node in graph_def.node}
    for name in dest_nodes:
        if _node_name(name) not in by_name:
            raise AssertionError("%s is not in graph" % name)
    keep = set()
    stack = [_node_name(name) for name in dest_nodes]
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        node = by_name.get(name)
        if node is None:
            raise AssertionError("%s is not in graph" % name)
        stack.extend(_node_name(item) for item in node.input)
    out = GraphDef()
    out.node.extend(_copy_node(node) for node in graph_def.node if node.name in keep)
    out.library.CopyFrom(graph_def.library)
    out.versions.CopyFrom(graph_def.versions)
    return out


def convert_variables_to_constants(sess, input_graph_def, output_node_names, variable_names_whitelist=None,
                                   variable_names_blacklist=None):
    """`tf.graph_util.convert_variables_to_constants`: a frozen GraphDef of what `output_node_names` need,
    each variable replaced by a Const holding its value in `sess` (only those named in
    `variable_names_whitelist` when given, none named in `variable_names_blacklist`)."""
    _check_graph_def(input_graph_def)
    sub_graph = extract_sub_graph(input_graph_def, output_node_names)
    names = []
    for node in sub_graph.node:
        if node.op not in _VARIABLE_OPS:
            continue
        if variable_names_whitelist is not None and node.name not in variable_names_whitelist:
            continue
        if variable_names_blacklist is not None and node.name in variable_names_blacklist:
            continue
        names.append(node.name)
    values = dict(zip(names, sess.run([name + ":0" for name in names]))) if names else {}
    out = GraphDef()
    for node in sub_graph.node:
        if node.name in values:
            dtype = dtypes.as_dtype(int(node.attr["dtype"].type) % 100)
            const = out.node.add(name=node.name, op="Const")
            const.attr["dtype"] = AttrValue(type=dtype.as_datatype_enum)
            const.attr["value"] = AttrValue(tensor=ndarray_to_tensor_proto(values[node.name], dtype))
            if node.device:
                const.device = node.device
        else:
            out.node.append(_copy_node(node))
    out.library.CopyFrom(sub_graph.library)
    out.versions.CopyFrom(sub_graph.versions)
    return out


def remove_training_nodes(input_graph, protected_nodes=None):
    """`tf.graph_util.remove_training_nodes`: the GraphDef without the Identity and CheckNumerics nodes
    that only matter for training, their consumers wired to their inputs. Nodes named in `protected_nodes`,
    and Identity nodes with control inputs, are kept."""
    _check_graph_def(input_graph)
    protected = set(protected_nodes or ())
    removable = {}
    for node in input_graph.node:
        if node.op in ("Identity", "CheckNumerics") and node.name not in protected and \
                node.input and not any(item.startswith("^") for item in node.input):
            removable[node.name] = node.input[0]

    def resolve(item):
        control = item.startswith("^")
        name = item[1:] if control else item
        seen = set()
        while _node_name(name) in removable and ":" not in name.split("/")[-1] and name not in seen:
            seen.add(name)
            name = removable[_node_name(name)]
        if control:
            return "^" + _node_name(name)
        return name

    out = GraphDef()
    for node in input_graph.node:
        if node.name in removable:
            continue
        copy_ = _copy_node(node)
        inputs = [resolve(item) for item in copy_.input]
        del copy_.input[:]
        copy_.input.extend(inputs)
        out.node.append(copy_)
    out.library.CopyFrom(input_graph.library)
    out.versions.CopyFrom(input_graph.versions)
    return out


def must_run_on_cpu(node, pin_variables_on_cpu=False):
    """`tf.graph_util.must_run_on_cpu(node)`: True for the nodes TensorFlow keeps on the CPU (string
    tensors, int32 DynamicStitch / Cast, and variables when `pin_variables_on_cpu`). `node` is a NodeDef
    or an Operation."""
    if not isinstance(node, NodeDef):
        from .framework.graph_def import graph_to_graph_def
        op = node
        node = next(n for n in graph_to_graph_def(op.graph, ops=[op]).node if n.name == op.name)
    if pin_variables_on_cpu and node.op in _VARIABLE_OPS:
        return True
    string = dtypes.string.as_datatype_enum
    int32 = dtypes.int32.as_datatype_enum
    if node.op == "Const":
        return int(node.attr["dtype"].type) == string
    if node.op in ("DynamicStitch", "ParallelDynamicStitch"):
        return int(node.attr["T"].type) in (int32, string)
    if node.op == "Cast":
        return int(node.attr["SrcT"].type) in (int32, string) or int(node.attr["DstT"].type) in (int32, string)
    return False


def tensor_shape_from_node_def_name(graph, input_name):
    """`tf.graph_util.tensor_shape_from_node_def_name(graph, name)`: the static shape of tensor `name`
    ('op' meaning 'op:0') of `graph`."""
    if ":" not in input_name:
        input_name = input_name + ":0"
    return copy.copy(graph.get_tensor_by_name(input_name).shape)
