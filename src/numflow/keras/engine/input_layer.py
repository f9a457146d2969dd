"""`tf.keras.Input` and `tf.keras.layers.InputLayer`: where a functional or Sequential model's data
enters the graph, as a placeholder (or a tensor the user supplies)."""
from ...framework import dtypes
from ...framework.graph import Tensor
from .. import backend
from .base_layer import Layer, Node

__all__ = ["Input", "InputLayer"]


class InputLayer(Layer):
    """`tf.keras.layers.InputLayer(input_shape=None, batch_size=None, dtype=None, input_tensor=None,
    sparse=False, name=None)`: a layer whose output is a placeholder of shape
    `(batch_size,) + input_shape` (or `input_tensor`)."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None, sparse=False,
                 name=None, **kwargs):
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if kwargs:
            raise ValueError("Unrecognized keyword arguments: %s" % (sorted(kwargs),))
        if input_shape is not None and batch_input_shape is not None:
            raise ValueError("Only provide the input_shape OR batch_input_shape argument to InputLayer, not "
                             "both at the same time.")
        if name is None:
            name = "input_%d" % backend.get_uid("input")
        if dtype is None:
            dtype = input_tensor.dtype.base_dtype.name if input_tensor is not None else backend.floatx()
        super().__init__(name=name, dtype=dtype)
        self.built = True
        self.sparse = sparse
        if input_tensor is None:
            if batch_input_shape is None:
                batch_input_shape = (batch_size,) + tuple(input_shape) if input_shape is not None else None
            if sparse:
                from ...ops.sparse_ops import sparse_placeholder
                input_tensor = sparse_placeholder(dtypes.as_dtype(dtype), shape=batch_input_shape, name=name)
            else:
                input_tensor = backend.placeholder(shape=batch_input_shape, dtype=dtype, name=name)
            self.is_placeholder = True
        else:
            if not isinstance(input_tensor, Tensor) and not hasattr(input_tensor, "_as_graph_element"):
                raise ValueError("You should pass a symbolic tensor as `tensor` to Input, got %r"
                                 % (input_tensor,))
            batch_input_shape = None if input_tensor.shape.ndims is None else tuple(input_tensor.shape.as_list())
            self.is_placeholder = False
        self._batch_input_shape = batch_input_shape
        Node(self, [], [input_tensor])
        input_tensor._keras_history = (self, 0, 0)
        input_tensor._keras_mask = None

    def get_config(self):
        return {"batch_input_shape": self._batch_input_shape, "dtype": self.dtype, "sparse": self.sparse,
                "name": self.name}


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=False, tensor=None, **kwargs):  # noqa: N802
    """`tf.keras.Input(shape=None, batch_size=None, name=None, dtype=None, sparse=False, tensor=None)`:
    a Keras tensor (a placeholder of shape `(batch_size,) + shape`) to build a functional model from.
    `shape` does not include the batch dimension; `batch_shape=` gives the full shape instead."""
    batch_shape = kwargs.pop("batch_shape", None)
    if kwargs:
        raise ValueError("Unrecognized keyword arguments: %s" % (sorted(kwargs),))
    if shape is None and tensor is None and batch_shape is None:
        raise ValueError("Please provide to Input either a `shape` or a `tensor` argument. Note that `shape` "
                         "does not include the batch dimension.")
    if shape is not None and not isinstance(shape, (list, tuple)):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
    layer = InputLayer(input_shape=shape if batch_shape is None else None, batch_size=batch_size, name=name,
                       dtype=dtype, sparse=sparse, input_tensor=tensor, batch_input_shape=batch_shape)
    return layer._inbound_nodes[0].output_tensors[0]
