"""`tf.saved_model.utils`: TensorInfo protos for the tensors of a signature, and back."""
from ..framework import dtypes
from ..framework.graph import Tensor, get_default_graph
from ..framework.graph_def import shape_to_proto
from ..framework.sparse_tensor import SparseTensor
from ..io.meta_graph_proto import TensorInfo

__all__ = ["build_tensor_info", "get_tensor_from_tensor_info"]


def build_tensor_info(tensor):
    """`tf.saved_model.utils.build_tensor_info(tensor)`: the TensorInfo (name, dtype, shape) of a Tensor,
    or of a SparseTensor's three parts (`coo_sparse`)."""
    if isinstance(tensor, SparseTensor):
        info = TensorInfo(dtype=tensor.dtype.as_datatype_enum, tensor_shape=shape_to_proto(tensor.shape))
        info.coo_sparse.values_tensor_name = tensor.values.name
        info.coo_sparse.indices_tensor_name = tensor.indices.name
        info.coo_sparse.dense_shape_tensor_name = tensor.dense_shape.name
        return info
    if hasattr(tensor, "_as_graph_element") and not isinstance(tensor, Tensor):
        tensor = tensor._as_graph_element()
    if not isinstance(tensor, Tensor):
        raise TypeError("build_tensor_info expects a Tensor or SparseTensor, got %r" % (tensor,))
    return TensorInfo(name=tensor.name, dtype=tensor.dtype.as_datatype_enum,
                      tensor_shape=shape_to_proto(tensor.shape))


def _scoped(name, import_scope):
    return import_scope.rstrip("/") + "/" + name if import_scope else name


def get_tensor_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """`tf.saved_model.utils.get_tensor_from_tensor_info(tensor_info, graph=None, import_scope=None)`: the
    Tensor (or SparseTensor) of `graph` (default: the default graph) that `tensor_info` names; KeyError
    when the graph has no such tensor, ValueError for a TensorInfo that names none."""
    graph = graph or get_default_graph()
    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "name":
        return graph.get_tensor_by_name(_scoped(tensor_info.name, import_scope))
    if encoding == "coo_sparse":
        parts = tensor_info.coo_sparse
        return SparseTensor(graph.get_tensor_by_name(_scoped(parts.indices_tensor_name, import_scope)),
                            graph.get_tensor_by_name(_scoped(parts.values_tensor_name, import_scope)),
                            graph.get_tensor_by_name(_scoped(parts.dense_shape_tensor_name, import_scope)))
    raise ValueError("Invalid TensorInfo.encoding: %s" % encoding)


def tensor_info_dtype(tensor_info):
    """The DType of a TensorInfo, or None when its dtype is unset or unknown to numflow."""
    try:
        return dtypes.as_dtype(int(tensor_info.dtype))
    except TypeError:
        return None
