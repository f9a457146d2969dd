"""Keras' recurrent layers (TF 1.15 `tf.keras.layers`): the generic `RNN` layer that runs a cell over
time, the cells (`SimpleRNNCell`, `LSTMCell`, `GRUCell`, `StackedRNNCells`) and the layers built on them
(`SimpleRNN`, `LSTM`, `GRU`, `CuDNNLSTM`, `CuDNNGRU`).

The cell's weights are created by the RNN layer's `build` (not by calling the cell), inside the layer's
name scope, so an LSTM's variables are 'lstm/kernel:0', 'lstm/recurrent_kernel:0', 'lstm/bias:0' as in
TF 1.15. The kernels hold the gates side by side in Keras' order (LSTM: i, f, c, o; GRU: z, r, h), so
weights saved by Keras load here unchanged. The CuDNN layers compute the cuDNN kernels' functions (sigmoid
gates, GRU reset gate after the recurrent matmul, separate input and recurrent biases) with ordinary ops,
so they run anywhere, on weights in Keras' CuDNN layout.
"""
import numpy as np

from ...framework import dtypes
from ...framework.graph import Tensor, convert_to_tensor
from ...framework.tensor_shape import TensorShape
from ...ops import array as array_ops
from ...ops import math as math_ops
from .. import activations
from .. import backend
from .._backend_rnn import rnn
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
from ..utils.generic_utils import deserialize_keras_object, serialize_keras_object

__all__ = ["RNN", "AbstractRNNCell", "StackedRNNCells", "SimpleRNNCell", "SimpleRNN", "LSTMCell", "LSTM",
           "GRUCell", "GRU", "CuDNNLSTM", "CuDNNGRU"]


# --- small shared helpers ------------------------------------------------------------------------
def _dim_value(dim):
    return dim.value if hasattr(dim, "value") else dim


def _shape_list(shape):
    """A shape (TensorShape, tuple or list) as a list of ints and None."""
    if isinstance(shape, TensorShape):
        return shape.as_list()
    return [_dim_value(d) for d in shape]


def _is_shape(value):
    """True for one shape (TensorShape or a tuple/list of ints and None), False for a list of shapes."""
    if isinstance(value, TensorShape):
        return True
    return isinstance(value, (list, tuple)) and all(d is None or isinstance(_dim_value(d), (int, np.integer))
                                                   for d in value)


def _state_sizes(cell):
    """The cell's state sizes as a flat list (each an int, or a shape list for multi-dimensional states)."""
    size = cell.state_size
    if isinstance(size, (int, np.integer)):
        return [int(size)]
    if isinstance(size, TensorShape):
        return [size.as_list()]
    return [int(s) if isinstance(s, (int, np.integer)) else _shape_list(s) for s in size]


def _output_size(cell):
    size = getattr(cell, "output_size", None)
    return size if size is not None else _state_sizes(cell)[0]


def _size_dims(size):
    return list(size) if isinstance(size, (list, tuple)) else [int(size)]


def _zero_states(batch_size, sizes, dtype):
    """Zero tensors [batch_size] + size for each state size."""
    return [array_ops.zeros([batch_size] + _size_dims(size), dtype=dtype) for size in sizes]


def _batch_size_of(tensor, axis=0):
    static = tensor.shape[axis].value
    return static if static is not None else array_ops.shape(tensor)[axis]


def _serialize_setting(value):
    """An initializer / regularizer / constraint as Keras writes it into a config."""
    return serialize_keras_object(value)


def _call_accepts(layer, argument):
    import inspect
    try:
        return argument in inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return False


def _set_default_dtype(cell, dtype):
    """Cells built by their RNN (not called) take the RNN's dtype, as they would by being called."""
    if getattr(cell, "_dtype", None) is None and dtype is not None:
        cell._dtype = dtype
    for sub in getattr(cell, "cells", ()) or ():
        _set_default_dtype(sub, dtype)


# --- dropout masks -------------------------------------------------------------------------------
class DropoutRNNCellMixin:
    """Dropout masks made once per RNN call and reused at every time step (Keras' recurrent dropout):
    `get_dropout_mask_for_cell(inputs, training, count)` for the inputs and
    `get_recurrent_dropout_mask_for_cell(inputs, training, count)` for the previous output. Outside the
    training phase the masks are ones."""

    def _init_dropout_masks(self):
        self._dropout_mask_cache = None
        self._recurrent_dropout_mask_cache = None

    def reset_dropout_mask(self):
        self._dropout_mask_cache = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask_cache = None

    def get_dropout_mask_for_cell(self, inputs, training, count=1):
        if not 0 < self.dropout < 1:
            return None
        if self._dropout_mask_cache is None:
            self._dropout_mask_cache = _dropout_masks(inputs, self.dropout, training, count)
        return self._dropout_mask_cache

    def get_recurrent_dropout_mask_for_cell(self, inputs, training, count=1):
        if not 0 < self.recurrent_dropout < 1:
            return None
        if self._recurrent_dropout_mask_cache is None:
            self._recurrent_dropout_mask_cache = _dropout_masks(inputs, self.recurrent_dropout, training, count)
        return self._recurrent_dropout_mask_cache


def _dropout_masks(like, rate, training, count):
    from ...ops.nn import dropout
    ones = array_ops.ones_like(like)

    def dropped(index):
        return lambda: dropout(ones, rate=rate)
    return [backend.in_train_phase(dropped(i), ones, training=training) for i in range(count)]


def _apply_mask(tensor, masks, index):
    return tensor if masks is None else math_ops.multiply(tensor, masks[index])


def _gate_projections(tensor, matrix, masks, gates, implementation):
    """`tensor` times each gate's block of `matrix` (the gates side by side along its columns): one
    matmul split in `gates` (implementation 2), or one matmul per gate, each input with that gate's
    dropout mask (implementation 1)."""
    if implementation == 2:
        product = math_ops.matmul(_apply_mask(tensor, masks, 0), matrix)
        return array_ops.split(product, gates, axis=1)
    units = matrix.shape[1].value // gates
    return [math_ops.matmul(_apply_mask(tensor, masks, k), matrix[:, k * units:(k + 1) * units])
            for k in range(gates)]


# --- cells -----------------------------------------------------------------------------------------
class AbstractRNNCell(Layer):
    """`tf.keras.layers.AbstractRNNCell`: the base of an RNN cell. Subclasses define `state_size`,
    `output_size` and `call(inputs, states)` returning `(output, new_states)`."""

    @property
    def state_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        raise NotImplementedError("Abstract method")

    def call(self, inputs, states):
        raise NotImplementedError("Abstract method")

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zero states for a batch of `batch_size` (or of `inputs`' batch)."""
        if inputs is not None:
            batch_size = _batch_size_of(inputs)
            dtype = inputs.dtype
        return _zero_states(batch_size, _state_sizes(self), dtypes.as_dtype(dtype or backend.floatx()))


class _GatedCell(DropoutRNNCellMixin, AbstractRNNCell):
    """What SimpleRNNCell, LSTMCell and GRUCell share: their constructor settings, weights and config.

    `_GATES` is the number of gate blocks side by side in the kernels. A cell's config lists units, the
    `_COMMON_HEAD` settings (recurrent_activation only where `_ACTIVATIONS` has it), its
    `_SETTINGS_AFTER_INIT`, the `_COMMON_TAIL` settings and its `_SETTINGS`: Keras' config order."""

    _GATES = 1
    _SETTINGS = ()
    _SETTINGS_AFTER_INIT = ()
    _ACTIVATIONS = ("activation",)
    _COMMON_HEAD = ("activation", "recurrent_activation", "use_bias", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer")
    _COMMON_TAIL = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
                    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout")

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        from .. import constraints, initializers, regularizers
        super().__init__(**kwargs)
        self.units = int(units)
        if self.units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive integer, got %r."
                             % (units,))
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1., max(0., float(dropout)))
        self.recurrent_dropout = min(1., max(0., float(recurrent_dropout)))
        self._init_dropout_masks()

    @property
    def output_size(self):
        return self.units

    def _bias_shape(self):
        return (self._GATES * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        input_dim = _shape_list(input_shape)[-1]
        width = self._GATES * self.units
        self.kernel = self.add_weight(shape=(input_dim, width), name="kernel",
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, width), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=self._bias_shape(), name="bias", initializer=self._bias_initializer(),
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def _masks(self, inputs, previous, training, count):
        return (self.get_dropout_mask_for_cell(inputs, training, count),
                self.get_recurrent_dropout_mask_for_cell(previous, training, count))

    def _config_keys(self):
        keys = [k for k in self._COMMON_HEAD if k != "recurrent_activation" or k in self._ACTIVATIONS]
        return ["units"] + keys + list(self._SETTINGS_AFTER_INIT) + list(self._COMMON_TAIL) + \
            list(self._SETTINGS)

    def _setting_config(self):
        config = {}
        for key in self._config_keys():
            value = getattr(self, key)
            if key in self._ACTIVATIONS:
                value = activations.serialize(value)
            elif key.endswith(("_initializer", "_regularizer", "_constraint")):
                value = _serialize_setting(value)
            config[key] = value
        return config

    def get_config(self):
        config = super().get_config()
        config.update(self._setting_config())
        return config


class SimpleRNNCell(_GatedCell):
    """`tf.keras.layers.SimpleRNNCell(units, activation='tanh', use_bias=True,
    kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal', bias_initializer='zeros',
    kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
    recurrent_constraint=None, bias_constraint=None, dropout=0., recurrent_dropout=0.)`:
    output = activation(inputs . kernel + bias + previous_output . recurrent_kernel)."""

    @property
    def state_size(self):
        return self.units

    def call(self, inputs, states, training=None):
        previous = states[0] if isinstance(states, (list, tuple)) else states
        input_masks, recurrent_masks = self._masks(inputs, previous, training, 1)
        h = math_ops.matmul(_apply_mask(inputs, input_masks, 0), self.kernel)
        if self.bias is not None:
            h = math_ops.add(h, self.bias)
        output = math_ops.add(h, math_ops.matmul(_apply_mask(previous, recurrent_masks, 0),
                                                 self.recurrent_kernel))
        if self.activation is not None:
            output = self.activation(output)
        return output, [output]


class LSTMCell(_GatedCell):
    """`tf.keras.layers.LSTMCell(units, activation='tanh', recurrent_activation='hard_sigmoid',
    use_bias=True, kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
    bias_initializer='zeros', unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
    bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
    dropout=0., recurrent_dropout=0., implementation=1)`.

    The kernels hold the input (i), forget (f), cell (c) and output (o) gates side by side; the states
    are [h, c]. `unit_forget_bias` starts the forget gate's bias at 1. `implementation` 1 computes each
    gate with its own matmul (and its own dropout mask), 2 with one matmul; both give the same values."""

    _GATES = 4
    _ACTIVATIONS = ("activation", "recurrent_activation")
    _SETTINGS_AFTER_INIT = ("unit_forget_bias",)
    _SETTINGS = ("implementation",)

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.,
                 recurrent_dropout=0., implementation=1, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.implementation = _check_implementation(implementation)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return _ForgetBiasOnes(self.bias_initializer, self.units, self._forget_block())

    def _forget_block(self):
        """Which block of `units` bias entries is the forget gate's (the one started at 1)."""
        return 1

    def _effective_bias(self):
        return self.bias

    def call(self, inputs, states, training=None):
        h_previous, c_previous = states[0], states[1]
        input_masks, recurrent_masks = self._masks(inputs, h_previous, training, 4)
        bias = self._effective_bias()
        if self.implementation == 2:
            # one pre-activation for all four gates, split once
            z = math_ops.add(math_ops.matmul(_apply_mask(inputs, input_masks, 0), self.kernel),
                             math_ops.matmul(_apply_mask(h_previous, recurrent_masks, 0), self.recurrent_kernel))
            z = array_ops.split(z if bias is None else math_ops.add(z, bias), 4, axis=1)
        else:
            x_parts = _gate_projections(inputs, self.kernel, input_masks, 4, 1)
            h_parts = _gate_projections(h_previous, self.recurrent_kernel, recurrent_masks, 4, 1)
            if bias is not None:
                x_parts = [math_ops.add(x, bias[k * self.units:(k + 1) * self.units])
                           for k, x in enumerate(x_parts)]
            z = [math_ops.add(x, h) for x, h in zip(x_parts, h_parts)]
        i = self.recurrent_activation(z[0])
        f = self.recurrent_activation(z[1])
        c = math_ops.add(math_ops.multiply(f, c_previous), math_ops.multiply(i, self.activation(z[2])))
        o = self.recurrent_activation(z[3])
        h = math_ops.multiply(o, self.activation(c))
        return h, [h, c]


class _ForgetBiasOnes:
    """A bias initializer: `base` everywhere but the forget gate's block of `units`, which starts at 1."""

    def __init__(self, base, units, block):
        self.base, self.units, self.block = base, units, block

    def __call__(self, shape, dtype=None, partition_info=None):
        from ...ops.array import concat, ones
        total = int(np.prod(shape))
        before = self.block * self.units
        after = total - before - self.units
        parts = [self.base([before], dtype=dtype), ones([self.units], dtype=dtype or dtypes.float32),
                 self.base([after], dtype=dtype)]
        return concat(parts, axis=0)


def _check_implementation(implementation):
    if implementation not in (0, 1, 2):
        raise ValueError("`implementation` must be 1 or 2, got %r" % (implementation,))
    return 1 if implementation == 0 else int(implementation)


class GRUCell(_GatedCell):
    """`tf.keras.layers.GRUCell(units, activation='tanh', recurrent_activation='hard_sigmoid',
    use_bias=True, kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
    bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
    kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.,
    recurrent_dropout=0., implementation=1, reset_after=False)`.

    The kernels hold the update (z), reset (r) and candidate (h) gates side by side. With
    `reset_after=False` the reset gate scales the previous output before the recurrent matmul and the
    bias has shape [3 * units]; with `reset_after=True` (cuDNN's convention) it scales the recurrent
    matmul's result, and the bias [2, 3 * units] holds an input bias and a recurrent bias."""

    _GATES = 3
    _ACTIVATIONS = ("activation", "recurrent_activation")
    _SETTINGS = ("implementation", "reset_after")

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0., recurrent_dropout=0.,
                 implementation=1, reset_after=False, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.implementation = _check_implementation(implementation)
        self.reset_after = bool(reset_after)

    @property
    def state_size(self):
        return self.units

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _split_bias(self):
        """(input bias, recurrent bias) as [3 * units] tensors; None where there is none."""
        if self.bias is None:
            return None, None
        if self.reset_after:
            return self.bias[0], self.bias[1]
        return self.bias, None

    def call(self, inputs, states, training=None):
        h_previous = states[0] if isinstance(states, (list, tuple)) else states
        input_masks, recurrent_masks = self._masks(inputs, h_previous, training, 3)
        units = self.units
        input_bias, recurrent_bias = self._split_bias()
        x_parts = _gate_projections(inputs, self.kernel, input_masks, 3, self.implementation)
        if input_bias is not None:
            x_parts = [math_ops.add(x, input_bias[k * units:(k + 1) * units]) for k, x in enumerate(x_parts)]
        if self.reset_after:
            h_parts = _gate_projections(h_previous, self.recurrent_kernel, recurrent_masks, 3, self.implementation)
            if recurrent_bias is not None:
                h_parts = [math_ops.add(h, recurrent_bias[k * units:(k + 1) * units])
                           for k, h in enumerate(h_parts)]
        else:
            h_parts = _gate_projections(h_previous, self.recurrent_kernel[:, :2 * units], recurrent_masks, 2,
                                        self.implementation)
        z = self.recurrent_activation(math_ops.add(x_parts[0], h_parts[0]))
        r = self.recurrent_activation(math_ops.add(x_parts[1], h_parts[1]))
        if self.reset_after:
            recurrent_h = math_ops.multiply(r, h_parts[2])
        else:
            h_for_candidate = _apply_mask(h_previous, recurrent_masks, 2 if self.implementation == 1 else 0)
            recurrent_h = math_ops.matmul(math_ops.multiply(r, h_for_candidate),
                                          self.recurrent_kernel[:, 2 * units:])
        candidate = self.activation(math_ops.add(x_parts[2], recurrent_h))
        one = convert_to_tensor(1.0, dtype=z.dtype)
        h = math_ops.add(math_ops.multiply(z, h_previous), math_ops.multiply(math_ops.subtract(one, z), candidate))
        return h, [h]


def _deserialize_layer(config, custom_objects=None):
    """A layer or cell from its `{'class_name', 'config'}` (recurrent classes, then all Keras layers)."""
    from . import wrappers
    return deserialize_keras_object(config, module_objects=_LayerNames(wrappers),
                                    custom_objects=custom_objects, printable_module_name="layer")


class _LayerNames(dict):
    """A dict-like view of every `tf.keras.layers` name, for `deserialize_keras_object`."""

    def __init__(self, *modules):
        super().__init__()
        for module in (globals(),) + tuple(vars(m) for m in modules):
            self.update({name: module[name] for name in module.get("__all__", ()) if name in module})

    def get(self, name, default=None):
        if name in self:
            return self[name]
        from .. import layers
        return getattr(layers, name, default)


class StackedRNNCells(Layer):
    """`tf.keras.layers.StackedRNNCells(cells)`: several cells run as one: each step feeds each cell's
    output to the next. Its state is every cell's states in order; its output, the last cell's."""

    def __init__(self, cells, **kwargs):
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError("All cells must have a `call` method. received cells:", cells)
            if not hasattr(cell, "state_size"):
                raise ValueError("All cells must have a `state_size` attribute. received cells:", cells)
        kwargs.pop("reverse_state_order", None)
        super().__init__(**kwargs)
        self.cells = list(cells)

    @property
    def state_size(self):
        sizes = []
        for cell in self.cells:
            sizes.extend(_state_sizes(cell))
        return tuple(sizes)

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            batch_size, dtype = _batch_size_of(inputs), inputs.dtype
        return _zero_states(batch_size, _state_sizes(self), dtypes.as_dtype(dtype or backend.floatx()))

    def call(self, inputs, states, constants=None, training=None):
        states = list(states)
        new_states = []
        for cell in self.cells:
            count = len(_state_sizes(cell))
            cell_states, states = states[:count], states[count:]
            kwargs = {}
            if _call_accepts(cell, "training"):
                kwargs["training"] = training
            if constants is not None and _call_accepts(cell, "constants"):
                kwargs["constants"] = constants
            inputs, cell_new = cell.call(inputs, cell_states, **kwargs)
            new_states.extend(cell_new if isinstance(cell_new, (list, tuple)) else [cell_new])
        return inputs, new_states

    def build(self, input_shape):
        shape = _shape_list(input_shape)
        for cell in self.cells:
            _set_default_dtype(cell, self.dtype)
            if isinstance(cell, Layer) and not cell.built:
                cell.build(TensorShape(shape))
                cell.built = True
            shape = shape[:-1] + [_output_size(cell)]
        self.built = True

    def reset_dropout_mask(self):
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_mask"):
                cell.reset_dropout_mask()
                cell.reset_recurrent_dropout_mask()

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialize_keras_object(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [_deserialize_layer(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


def standardize_rnn_args(inputs, initial_state, constants, num_constants):
    """(inputs, initial_state list or None, constants list or None) from an RNN call's arguments, where
    `inputs` may be a list [inputs, *initial_states, *constants] (the last `num_constants` being
    constants)."""
    if isinstance(inputs, (list, tuple)):
        inputs = list(inputs)
        if initial_state is None and constants is None:
            if num_constants:
                constants = inputs[-num_constants:]
                inputs = inputs[:-num_constants]
            if len(inputs) > 1:
                initial_state = inputs[1:]
        inputs = inputs[0]

    def as_list(value):
        if value is None:
            return None
        return list(value) if isinstance(value, (list, tuple)) else [value]
    return inputs, as_list(initial_state) or None, as_list(constants) or None


def is_keras_tensor_list(tensors):
    """True when every item is a tensor made by a Keras layer (so it can join a layer's inputs)."""
    return all(isinstance(t, Tensor) and hasattr(t, "_keras_history") for t in tensors)


# --- the RNN layer -----------------------------------------------------------------------------------
class RNN(Layer):
    """`tf.keras.layers.RNN(cell, return_sequences=False, return_state=False, go_backwards=False,
    stateful=False, unroll=False, time_major=False)`: runs `cell` over the time steps of its input
    [batch, time, features] ([time, batch, features] with `time_major`).

    `cell` is a cell object (with `call(inputs, states)` and `state_size`) or a list of cells (run as
    `StackedRNNCells`). The output is the last step's output [batch, units], or every step's
    [batch, time, units] with `return_sequences`; with `return_state` it is followed by the final states.
    Call it with `initial_state=` (a list of tensors, one per state) to start from given states, with
    `constants=` to pass extra tensors to every step (the cell's `call` takes `constants=`), and with a
    mask (from `Embedding(mask_zero=True)` or `Masking`) to skip steps: a masked step keeps the previous
    states and output. `stateful=True` keeps the final states of each batch in variables as the next
    batch's initial states (it needs a fixed batch size; `reset_states()` zeroes them).
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call"):
            raise ValueError("`cell` should have a `call` method. The RNN was passed:", cell)
        if not hasattr(cell, "state_size"):
            raise ValueError("The RNN cell should have an attribute `state_size` (tuple of integers, one "
                             "integer per RNN state).")
        self.zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        if "input_shape" not in kwargs and ("input_dim" in kwargs or "input_length" in kwargs):
            kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim", None))
        num_constants = kwargs.pop("num_constants", None)
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.time_major = bool(time_major)
        self.supports_masking = True
        self._main_spec = InputSpec(ndim=self._input_ndim())
        self.input_spec = [self._main_spec]
        self._states = None
        self._num_constants = num_constants

    def _input_ndim(self):
        return 3

    # --- states ----------------------------------------------------------------------------------
    @property
    def states(self):
        if self._states is None:
            return [None] * len(_state_sizes(self.cell))
        return self._states

    @states.setter
    def states(self, states):
        self._states = states

    def get_initial_state(self, inputs):
        """Zero states for `inputs`' batch (the cell's `get_initial_state` when it has one)."""
        batch_axis = 1 if self.time_major else 0
        if hasattr(self.cell, "get_initial_state"):
            states = self.cell.get_initial_state(batch_size=_batch_size_of(inputs, batch_axis),
                                                 dtype=inputs.dtype)
        else:
            states = _zero_states(_batch_size_of(inputs, batch_axis), _state_sizes(self.cell), inputs.dtype)
        return list(states) if isinstance(states, (list, tuple)) else [states]

    def _stateful_batch_size(self):
        shape = self._main_spec.shape
        batch = None
        if shape is not None:
            batch = shape[1 if self.time_major else 0]
        if batch is None:
            raise ValueError("If a RNN is stateful, it needs to know its batch size. Specify the batch size of "
                             "your input tensors: \n- If using a Sequential model, specify the batch size by "
                             "passing a `batch_input_shape` argument to your first layer.\n- If using the "
                             "functional API, specify the batch size by passing a `batch_shape` argument to "
                             "your Input layer.")
        return batch

    def reset_states(self, states=None):
        """Sets the state variables of a stateful RNN to zeros, or to `states` (NumPy arrays)."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        batch = self._stateful_batch_size()
        sizes = _state_sizes(self.cell)
        shapes = [tuple([batch] + _size_dims(size)) for size in sizes]
        if self._states is None or any(s is None for s in self._states):
            dtype = self.dtype or backend.floatx()
            self._states = [backend.variable(np.zeros(shape), dtype=dtype) for shape in shapes]
            if states is None:
                return
        if states is None:
            backend.batch_set_value([(v, np.zeros(shape)) for v, shape in zip(self._states, shapes)])
            return
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(states) != len(self._states):
            raise ValueError("Layer " + self.name + " expects " + str(len(self._states)) + " states, but it "
                             "received " + str(len(states)) + " state values. Input received: " + str(states))
        pairs = []
        for index, (variable, value, shape) in enumerate(zip(self._states, states, shapes)):
            value = np.asarray(value)
            if value.shape != shape:
                raise ValueError("State " + str(index) + " is incompatible with layer " + self.name +
                                 ": expected shape=" + str(shape) + ", found shape=" + str(value.shape))
            pairs.append((variable, value))
        backend.batch_set_value(pairs)

    # --- building --------------------------------------------------------------------------------
    def build(self, input_shape):
        if isinstance(input_shape, list) and input_shape and not _is_shape(input_shape):
            input_shape = input_shape[0]
        shape = _shape_list(input_shape)
        if len(shape) < 3:
            raise ValueError("Input should be at least 3D, got shape %s" % (shape,))
        batch_index, time_index = (1, 0) if self.time_major else (0, 0 + 1)
        spec_shape = list(shape)
        if not self.stateful:
            spec_shape[batch_index] = None
        spec_shape[time_index] = None
        self._main_spec = InputSpec(shape=tuple(spec_shape))
        self.input_spec = [self._main_spec] + list(self.input_spec[1:] if isinstance(self.input_spec, list)
                                                     else [])
        step_shape = [shape[batch_index]] + shape[2:]
        _set_default_dtype(self.cell, self.dtype)
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(TensorShape(step_shape))
            self.cell.built = True
        if self.stateful:
            self.reset_states()
        self.built = True

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape and not _is_shape(input_shape):
            input_shape = input_shape[0]
        shape = _shape_list(input_shape)
        batch, time = (shape[1], shape[0]) if self.time_major else (shape[0], shape[1])
        output_dims = _size_dims(_output_size(self.cell))
        if self.return_sequences:
            output = [time, batch] + output_dims if self.time_major else [batch, time] + output_dims
        else:
            output = [batch] + output_dims
        output = TensorShape(output)
        if not self.return_state:
            return output
        return [output] + [TensorShape([batch] + _size_dims(s)) for s in _state_sizes(self.cell)]

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(_state_sizes(self.cell))
        return output_mask

    # --- calling ---------------------------------------------------------------------------------
    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = self._standardize_args(inputs, initial_state, constants)
        if initial_state is None and constants is None:
            self.input_spec = [self._main_spec]
            return super().__call__(inputs, **kwargs)
        extra = list(initial_state or []) + list(constants or [])
        if is_keras_tensor_list(extra):
            # Keras tensors join the inputs, so the functional API sees where the states come from.
            self._num_constants = len(constants) if constants else None
            self.input_spec = [self._main_spec] + [None] * len(extra)
            full_input = [inputs] + extra
            return super().__call__(full_input, **kwargs)
        self.input_spec = [self._main_spec]
        if initial_state is not None:
            kwargs["initial_state"] = initial_state
        if constants is not None:
            kwargs["constants"] = constants
        return super().__call__(inputs, **kwargs)

    def _standardize_args(self, inputs, initial_state, constants):
        return standardize_rnn_args(inputs, initial_state, constants, self._num_constants)

    def _cell_kwargs(self, training, constants):
        kwargs = {}
        if _call_accepts(self.cell, "training"):
            kwargs["training"] = training
        if constants is not None:
            if not _call_accepts(self.cell, "constants"):
                raise ValueError("RNN cell does not support constants")
            kwargs["constants"] = constants
        return kwargs

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        inputs, initial_state, constants = self._standardize_args(inputs, initial_state, constants)
        if isinstance(mask, list):
            mask = mask[0]
        if initial_state is None:
            initial_state = list(self.states) if self.stateful else self.get_initial_state(inputs)
        if len(initial_state) != len(self.states):
            raise ValueError("Layer has " + str(len(self.states)) + " states but was passed " +
                             str(len(initial_state)) + " initial states.")
        if self.unroll and inputs.shape[0 if self.time_major else 1].value is None:
            raise ValueError("Cannot unroll a RNN if the time dimension is undefined. Specify the time "
                             "dimension: pass an `input_shape` or `batch_input_shape` to the first layer of a "
                             "Sequential model (or `input_length` to an Embedding), or a `shape` or "
                             "`batch_shape` to the functional API's Input layer.")
        if hasattr(self.cell, "reset_dropout_mask"):
            self.cell.reset_dropout_mask()
            if hasattr(self.cell, "reset_recurrent_dropout_mask"):
                self.cell.reset_recurrent_dropout_mask()
        kwargs = self._cell_kwargs(training, constants)
        cell = self.cell

        def step(step_inputs, states):
            if constants is not None:
                states = states[:-len(constants)]
            output, new_states = cell.call(step_inputs, states, **kwargs)
            return output, new_states if isinstance(new_states, (list, tuple)) else [new_states]

        last_output, outputs, states = rnn(step, inputs, initial_state, constants=constants,
                                           go_backwards=self.go_backwards, mask=mask, unroll=self.unroll,
                                           input_length=inputs.shape[0 if self.time_major else 1].value,
                                           time_major=self.time_major,
                                           zero_output_for_mask=self.zero_output_for_mask)
        if self.stateful:
            from ...ops.state import assign
            self.add_update([assign(variable, value) for variable, value in zip(self._states, states)])
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    # --- configuration ---------------------------------------------------------------------------
    def _rnn_config(self):
        config = {"return_sequences": self.return_sequences, "return_state": self.return_state,
                  "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                  "time_major": self.time_major}
        if self._num_constants:
            config["num_constants"] = self._num_constants
        if self.zero_output_for_mask:
            config["zero_output_for_mask"] = self.zero_output_for_mask
        return config

    def get_config(self):
        config = super().get_config()
        config.update(self._rnn_config())
        config["cell"] = serialize_keras_object(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = _deserialize_layer(config.pop("cell"), custom_objects)
        return cls(cell, **config)


# --- the layers built on one cell --------------------------------------------------------------------
_RNN_ARGUMENTS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll")


class _CellLayer(RNN):
    """An RNN layer that makes its own cell of class `_CELL` from its constructor arguments; its config
    is the cell's settings plus the RNN's, and the cell's settings are readable on the layer."""

    _CELL = None

    def __init__(self, units, **kwargs):
        rnn_kwargs = {key: kwargs.pop(key) for key in _RNN_ARGUMENTS + ("time_major",) if key in kwargs}
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        cell_kwargs = {key: kwargs.pop(key) for key in list(kwargs) if key in self._cell_arguments()}
        cell = self._CELL(units, dtype=kwargs.get("dtype"), **cell_kwargs)
        super().__init__(cell, **rnn_kwargs, **kwargs)
        from .. import regularizers
        self.activity_regularizer = regularizers.get(activity_regularizer)

    @classmethod
    def _cell_arguments(cls):
        import inspect
        return set(inspect.signature(cls._CELL.__init__).parameters) - {"self", "units", "kwargs"} | \
            set(inspect.signature(_GatedCell.__init__).parameters) - {"self", "units", "kwargs"}

    def __getattr__(self, name):
        # The cell's settings (units, activation, dropout, ...) read through the layer, as in Keras.
        if name.startswith("_") or name == "cell" or "cell" not in self.__dict__:
            raise AttributeError(name)
        cell = self.__dict__["cell"]
        if name in cell._config_keys() or name in ("kernel", "recurrent_kernel", "bias"):
            return getattr(cell, name)
        raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        return super().call(inputs, mask=mask, training=training, initial_state=initial_state,
                            constants=constants)

    def get_config(self):
        config = Layer.get_config(self)
        settings = self.cell._setting_config()
        ordered = {}
        for key, value in settings.items():
            ordered[key] = value
            if key == "bias_regularizer":
                ordered["activity_regularizer"] = _serialize_setting(self.activity_regularizer)
        config.update(ordered)
        config.update(self._rnn_config())
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("implementation") == 0:
            config["implementation"] = 1
        return cls(**config)


class SimpleRNN(_CellLayer):
    """`tf.keras.layers.SimpleRNN(units, activation='tanh', use_bias=True, ..., dropout=0.,
    recurrent_dropout=0., return_sequences=False, return_state=False, go_backwards=False, stateful=False,
    unroll=False)`: an RNN of a `SimpleRNNCell` (see there and `RNN`). Weights: 'simple_rnn/kernel:0'
    [features, units], 'simple_rnn/recurrent_kernel:0' [units, units], 'simple_rnn/bias:0' [units]."""

    _CELL = SimpleRNNCell


class LSTM(_CellLayer):
    """`tf.keras.layers.LSTM(units, activation='tanh', recurrent_activation='hard_sigmoid', use_bias=True,
    kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal', bias_initializer='zeros',
    unit_forget_bias=True, ..., dropout=0., recurrent_dropout=0., implementation=1,
    return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False)`:
    an RNN of an `LSTMCell` (see there and `RNN`); its states are [h, c]. Weights 'lstm/kernel:0'
    [features, 4 units], 'lstm/recurrent_kernel:0' [units, 4 units], 'lstm/bias:0' [4 units], gates in
    the order i, f, c, o."""

    _CELL = LSTMCell


class GRU(_CellLayer):
    """`tf.keras.layers.GRU(units, activation='tanh', recurrent_activation='hard_sigmoid', use_bias=True,
    ..., dropout=0., recurrent_dropout=0., implementation=1, return_sequences=False, return_state=False,
    go_backwards=False, stateful=False, unroll=False, reset_after=False)`: an RNN of a `GRUCell` (see
    there and `RNN`). Weights 'gru/kernel:0' [features, 3 units], 'gru/recurrent_kernel:0'
    [units, 3 units], 'gru/bias:0' ([3 units], or [2, 3 units] with reset_after), gates z, r, h."""

    _CELL = GRUCell


# --- the CuDNN layers ----------------------------------------------------------------------------------
class _CuDNNLSTMCell(LSTMCell):
    """cuDNN's LSTM step: sigmoid gates, tanh, and a bias [8 units] = input bias [4 units] followed by
    recurrent bias [4 units] (both added to every step's pre-activations)."""

    def __init__(self, units, **kwargs):
        super().__init__(units, recurrent_activation="sigmoid", implementation=2, **kwargs)

    def _bias_shape(self):
        return (8 * self.units,)

    def _forget_block(self):
        return 5

    def _effective_bias(self):
        return math_ops.add(self.bias[:4 * self.units], self.bias[4 * self.units:])


class _CuDNNGRUCell(GRUCell):
    """cuDNN's GRU step: sigmoid gates, the reset gate applied after the recurrent matmul, and a bias
    [6 units] = input bias [3 units] followed by recurrent bias [3 units]."""

    def __init__(self, units, **kwargs):
        super().__init__(units, recurrent_activation="sigmoid", implementation=2, reset_after=True, **kwargs)

    def _bias_shape(self):
        return (6 * self.units,)

    def _split_bias(self):
        return self.bias[:3 * self.units], self.bias[3 * self.units:]


class _CuDNNRNN(RNN):
    """What CuDNNLSTM and CuDNNGRU share: no activations to choose, no dropout, no masking, no unroll."""

    _CELL = None
    _SETTINGS = ("units", "kernel_initializer", "recurrent_initializer", "bias_initializer",
                 "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                 "kernel_constraint", "recurrent_constraint", "bias_constraint")

    def __init__(self, units, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, cell_kwargs=None, **kwargs):
        if kwargs.pop("time_major", False):
            raise ValueError("CuDNN RNN layers do not support time_major=True.")
        cell = self._CELL(units, kernel_initializer=kernel_initializer,
                          recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                          kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                          bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                          recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                          dtype=kwargs.get("dtype"), **(cell_kwargs or {}))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)
        from .. import regularizers
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.supports_masking = False

    @property
    def units(self):
        return self.cell.units

    @property
    def kernel(self):
        return self.cell.kernel

    @property
    def recurrent_kernel(self):
        return self.cell.recurrent_kernel

    @property
    def bias(self):
        return self.cell.bias

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        if isinstance(mask, list):
            mask = mask[0]
        if mask is not None:
            raise ValueError("Masking is not supported for CuDNN RNNs.")
        return super().call(inputs, training=training, initial_state=initial_state)

    def get_config(self):
        config = Layer.get_config(self)
        for key in self._SETTINGS:
            value = self.activity_regularizer if key == "activity_regularizer" else getattr(self.cell, key)
            config[key] = value if key == "units" else _serialize_setting(value)
            if key == "bias_initializer" and hasattr(self.cell, "unit_forget_bias"):
                config["unit_forget_bias"] = self.cell.unit_forget_bias
        config.update({key: getattr(self, key) for key in ("return_sequences", "return_state", "go_backwards",
                                                           "stateful")})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class CuDNNLSTM(_CuDNNRNN):
    """`tf.keras.layers.CuDNNLSTM(units, kernel_initializer='glorot_uniform',
    recurrent_initializer='orthogonal', bias_initializer='zeros', unit_forget_bias=True, ...,
    return_sequences=False, return_state=False, go_backwards=False, stateful=False)`: the LSTM cuDNN
    computes (sigmoid gates, separate input and recurrent biases), here with ordinary ops so it runs
    without a GPU. Weights as Keras stores them: 'cu_dnnlstm/kernel:0' [features, 4 units],
    'cu_dnnlstm/recurrent_kernel:0' [units, 4 units], 'cu_dnnlstm/bias:0' [8 units] (gates i, f, c, o;
    `unit_forget_bias` starts the recurrent forget bias at 1)."""

    _CELL = _CuDNNLSTMCell

    def __init__(self, units, kernel_initializer="glorot_uniform", unit_forget_bias=True,
                 recurrent_initializer="orthogonal", bias_initializer="zeros", **kwargs):
        super().__init__(units, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, cell_kwargs={"unit_forget_bias": unit_forget_bias},
                         **kwargs)


class CuDNNGRU(_CuDNNRNN):
    """`tf.keras.layers.CuDNNGRU(units, kernel_initializer='glorot_uniform',
    recurrent_initializer='orthogonal', bias_initializer='zeros', ..., return_sequences=False,
    return_state=False, go_backwards=False, stateful=False)`: the GRU cuDNN computes (sigmoid gates,
    reset gate after the recurrent matmul, separate input and recurrent biases) with ordinary ops.
    Weights: 'cu_dnngru/kernel:0' [features, 3 units], 'cu_dnngru/recurrent_kernel:0' [units, 3 units],
    'cu_dnngru/bias:0' [6 units] (gates z, r, h); the same values as `GRU(reset_after=True,
    recurrent_activation='sigmoid')` with its [2, 3 units] bias flattened."""

    _CELL = _CuDNNGRUCell
