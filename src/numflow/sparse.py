"""`tf.sparse`: the SparseTensor type and the operations on it."""
from .framework.sparse_tensor import SparseTensor, SparseTensorValue, sparse_placeholder as placeholder
from .framework.sparse_tensor import sparse_tensor_to_dense as to_dense
from .ops.sparse_ops import (from_dense, sparse_add as add, sparse_concat as concat, sparse_expand_dims as expand_dims,
                             sparse_eye as eye, sparse_fill_empty_rows as fill_empty_rows, sparse_mask as mask,
                             sparse_maximum as maximum, sparse_minimum as minimum, sparse_reduce_sum as reduce_sum,
                             sparse_reduce_sum_sparse as reduce_sum_sparse, sparse_reorder as reorder,
                             sparse_reshape as reshape, sparse_retain as retain,
                             sparse_segment_mean as segment_mean, sparse_segment_sqrt_n as segment_sqrt_n,
                             sparse_segment_sum as segment_sum, sparse_slice as slice,  # noqa: A004
                             sparse_softmax as softmax, sparse_split as split,
                             sparse_tensor_dense_matmul as sparse_dense_matmul,
                             sparse_tensor_dense_matmul as matmul, sparse_to_indicator as to_indicator,
                             sparse_transpose as transpose)

__all__ = ["SparseTensor", "SparseTensorValue", "placeholder", "to_dense", "add", "concat", "expand_dims", "eye",
           "fill_empty_rows", "from_dense", "mask", "matmul", "maximum", "minimum", "reduce_sum",
           "reduce_sum_sparse", "reorder", "reshape", "retain", "segment_mean", "segment_sqrt_n", "segment_sum",
           "slice", "softmax", "sparse_dense_matmul", "split", "to_indicator", "transpose"]
from .ops.sparse_ops import (sparse_reduce_max as reduce_max, sparse_reduce_max_sparse as reduce_max_sparse,  # noqa: E402
                             sparse_reset_shape as reset_shape)

__all__ += ["reduce_max", "reduce_max_sparse", "reset_shape"]
from .ops.sparse_ops import SparseTensorSpec, sparse_merge as merge  # noqa: E402

__all__ += ["SparseTensorSpec", "merge"]
from .ops.sparse_cross import sparse_cross as cross, sparse_cross_hashed as cross_hashed  # noqa: E402

__all__ += ["cross", "cross_hashed"]
from .ops.accumulators import SparseConditionalAccumulator  # noqa: E402

__all__ += ["SparseConditionalAccumulator"]
from .ops.sparse_bincount import sparse_bincount as bincount  # noqa: E402

__all__ += ["bincount"]
