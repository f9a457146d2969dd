"""`tf.sparse`: the SparseTensor type and its conversion to a dense tensor."""
from .framework.sparse_tensor import SparseTensor, SparseTensorValue, sparse_placeholder as placeholder
from .framework.sparse_tensor import sparse_tensor_to_dense as to_dense

__all__ = ["SparseTensor", "SparseTensorValue", "placeholder", "to_dense"]
