"""Keras' layer wrappers (TF 1.15 `tf.keras.layers`): `Wrapper`, `TimeDistributed` (a layer applied to
every time step) and `Bidirectional` (an RNN run forwards and backwards, outputs merged)."""
import copy

from ...framework.tensor_shape import TensorShape
from ...ops import array as array_ops
from ...ops import math as math_ops
from .._backend_rnn import rnn
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
from ..utils.generic_utils import serialize_keras_object
from .recurrent import (StackedRNNCells, _call_accepts, _deserialize_layer, _set_default_dtype, _shape_list,
                        is_keras_tensor_list, standardize_rnn_args)

__all__ = ["Wrapper", "TimeDistributed", "Bidirectional"]


def _check_layer(layer, wrapper_name):
    if not isinstance(layer, Layer):
        raise ValueError("Please initialize `%s` layer with a `Layer` instance. You passed: %s"
                         % (wrapper_name, layer))


class Wrapper(Layer):
    """`tf.keras.layers.Wrapper(layer)`: the base of layers that wrap another layer (`self.layer`),
    whose weights are the wrapper's."""

    def __init__(self, layer, **kwargs):
        _check_layer(layer, type(self).__name__)
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            _set_default_dtype(self.layer, self.dtype)
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    @property
    def activity_regularizer(self):
        return getattr(self.layer, "activity_regularizer", None)

    @activity_regularizer.setter
    def activity_regularizer(self, value):
        self._activity_regularizer = value

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = _deserialize_layer(config.pop("layer"), custom_objects)
        return cls(layer, **config)


class TimeDistributed(Wrapper):
    """`tf.keras.layers.TimeDistributed(layer)`: applies `layer` to every time step of an input
    [batch, time, ...] independently (the same weights at every step); the output is
    [batch, time, ...layer's output]. The wrapped layer is built by the wrapper, so its weights are named
    after the wrapper ('time_distributed/kernel:0').

    With an unknown batch size the steps are folded into the batch ([batch * time, ...]) and the layer
    runs once; with a fixed batch size the layer runs on each step in turn, as Keras does (a layer that
    depends on the batch, e.g. a stateful one, then sees batches of the fixed size).
    """

    def __init__(self, layer, **kwargs):
        _check_layer(layer, "TimeDistributed")
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_shape(self, input_shape):
        shape = _shape_list(input_shape)
        if len(shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape ` with at least 3 "
                             "dimensions, received: %s" % (shape,))
        return shape, [shape[0]] + shape[2:]

    def build(self, input_shape):
        shape, child = self._child_shape(input_shape)
        self.input_spec = InputSpec(shape=tuple([None] + shape[1:]))
        super().build(TensorShape(child))

    def compute_output_shape(self, input_shape):
        shape, child = self._child_shape(input_shape)
        child_output = _shape_list(self.layer.compute_output_shape(TensorShape(child)))
        return TensorShape([shape[0], shape[1]] + child_output[1:])

    def compute_mask(self, inputs, mask=None):
        """The wrapped layer's mask of each step's output (e.g. from Masking or Embedding(mask_zero))
        as [batch, time, ...]; else the input mask reduced to [batch, time]; else None."""
        if mask is None and type(self.layer).compute_mask is Layer.compute_mask:
            return None
        folded_inputs = _fold_time(inputs)
        folded_mask = _fold_time(mask) if mask is not None else None
        inner = self.layer.compute_mask(folded_inputs, folded_mask)
        if inner is None:
            if mask is None:
                return None
            from ...ops.math import reduce_any
            while mask.shape.ndims > 2:
                mask = reduce_any(mask, axis=-1)
            return mask
        return _unfold_time(inner, inputs)

    def call(self, inputs, training=None, mask=None):
        kwargs = {}
        if _call_accepts(self.layer, "training"):
            kwargs["training"] = training
        batch = inputs.shape[0].value
        if batch is not None:
            def step(x, _):
                return self.layer.call(x, **kwargs), []
            _, outputs, _ = rnn(step, inputs, initial_states=[])
            return outputs
        if mask is not None and _call_accepts(self.layer, "mask"):
            kwargs["mask"] = _fold_time(mask)
        return _unfold_time(self.layer.call(_fold_time(inputs), **kwargs), inputs)


def _fold_time(tensor):
    """[batch, time, ...] -> [batch * time, ...]."""
    inner = _shape_list(tensor.shape)[2:]
    if any(d is None for d in inner):
        return array_ops.reshape(tensor, array_ops.concat([[-1], array_ops.shape(tensor)[2:]], axis=0))
    return array_ops.reshape(tensor, [-1] + inner)


def _unfold_time(tensor, like):
    """[batch * time, ...] -> [batch, time, ...], with the time steps of `like`."""
    steps = like.shape[1].value
    if steps is None:
        steps = array_ops.shape(like)[1]
    inner = _shape_list(tensor.shape)[1:]
    if any(d is None for d in inner):
        shape = array_ops.concat([[-1, steps], array_ops.shape(tensor)[1:]], axis=0)
    else:
        shape = [-1, steps] + inner
    return array_ops.reshape(tensor, shape)


_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Wrapper):
    """`tf.keras.layers.Bidirectional(layer, merge_mode='concat', weights=None, backward_layer=None)`:
    runs a copy of the RNN `layer` forwards ('forward_<name>') and one backwards ('backward_<name>', or
    `backward_layer`) over the input and merges their outputs: 'concat' (along the last axis), 'sum',
    'mul', 'ave', or None (a list of the two). With `return_sequences` the backward outputs are put back
    in the input's time order before merging. With `return_state` the forward states follow the output,
    then the backward states. `initial_state` (a list) is split in half: forward states, backward states.
    `weights`: the forward layer's weights followed by the backward layer's.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        _check_layer(layer, "Bidirectional")
        if backward_layer is not None:
            _check_layer(backward_layer, "Bidirectional")
        if merge_mode not in _MERGE_MODES:
            raise ValueError('Invalid merge mode. Merge mode should be one of {"sum", "mul", "ave", "concat", '
                             'None}')
        Layer.__init__(self, **kwargs)
        # The given layer is a template only (its copies run), so it is not tracked as a sub-layer.
        object.__setattr__(self, "layer", layer)
        self._backward_layer_config = serialize_keras_object(backward_layer) if backward_layer is not None \
            else None
        self.forward_layer = _recreate(layer)
        if backward_layer is None:
            self.backward_layer = _recreate(layer, go_backwards=not layer.go_backwards)
        else:
            self.backward_layer = backward_layer
            _check_pair(self.forward_layer, self.backward_layer)
        self.forward_layer._name = "forward_" + self.forward_layer.name
        self.backward_layer._name = "backward_" + self.backward_layer.name
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self.forward_layer._initial_weights = weights[:half]
            self.backward_layer._initial_weights = weights[half:]
        self.stateful = getattr(layer, "stateful", False)
        self.return_sequences = getattr(layer, "return_sequences", False)
        self.return_state = getattr(layer, "return_state", False)
        for sub in (self.forward_layer, self.backward_layer):
            if hasattr(sub, "zero_output_for_mask"):
                # A masked step gives zeros (not the previous output), so that reversing the backward
                # sequences leaves the two directions aligned.
                sub.zero_output_for_mask = self.return_sequences
        self.supports_masking = True
        self._num_constants = None

    @property
    def _time_axis(self):
        return 0 if getattr(self.forward_layer, "time_major", False) else 1

    def build(self, input_shape):
        # The two layers build on their first call (inside `call`), each in its own name scope.
        self.built = True

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = standardize_rnn_args(inputs, initial_state, constants,
                                                                self._num_constants)
        if initial_state is None and constants is None:
            return super().__call__(inputs, **kwargs)
        if initial_state is not None and len(initial_state) % 2:
            raise ValueError("When passing `initial_state` to a Bidirectional RNN, the state should be a list "
                             "containing the states of the underlying RNNs. Found: " + str(initial_state))
        extra = list(initial_state or []) + list(constants or [])
        if is_keras_tensor_list(extra):
            self._num_constants = len(constants) if constants else None
            return super().__call__([inputs] + extra, **kwargs)
        if initial_state is not None:
            kwargs["initial_state"] = initial_state
        if constants is not None:
            kwargs["constants"] = constants
        return super().__call__(inputs, **kwargs)

    def call(self, inputs, training=None, mask=None, initial_state=None, constants=None):
        inputs, initial_state, constants = standardize_rnn_args(inputs, initial_state, constants,
                                                                self._num_constants)
        if isinstance(mask, list):
            mask = mask[0]
        kwargs = {}
        if _call_accepts(self.forward_layer, "training"):
            kwargs["training"] = training
        if mask is not None and _call_accepts(self.forward_layer, "mask"):
            kwargs["mask"] = mask
        if constants is not None:
            kwargs["constants"] = constants
        forward_kwargs, backward_kwargs = dict(kwargs), dict(kwargs)
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_kwargs["initial_state"] = initial_state[:half]
            backward_kwargs["initial_state"] = initial_state[half:]
        y = self.forward_layer(inputs, **forward_kwargs)
        y_reverse = self.backward_layer(inputs, **backward_kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_reverse[1:])
            y, y_reverse = y[0], y_reverse[0]
        if self.return_sequences:
            y_reverse = array_ops.reverse(y_reverse, [self._time_axis])
        if self.merge_mode == "concat":
            output = array_ops.concat([y, y_reverse], axis=-1)
        elif self.merge_mode == "sum":
            output = math_ops.add(y, y_reverse)
        elif self.merge_mode == "ave":
            output = math_ops.multiply(math_ops.add(y, y_reverse), 0.5)
        elif self.merge_mode == "mul":
            output = math_ops.multiply(y, y_reverse)
        else:
            output = [y, y_reverse]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def reset_states(self):
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        state_shapes = []
        if self.return_state:
            state_shapes = list(shape[1:]) * 2
            shape = shape[0]
        dims = _shape_list(shape)
        if self.merge_mode == "concat":
            dims[-1] = None if dims[-1] is None else 2 * dims[-1]
            output = [TensorShape(dims)]
        elif self.merge_mode is None:
            output = [TensorShape(dims), TensorShape(dims)]
        else:
            output = [TensorShape(dims)]
        output += state_shapes
        return output[0] if len(output) == 1 else output

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            states = getattr(self.forward_layer, "states", [])
            masks += [None] * (2 * len(states))
        return masks[0] if len(masks) == 1 else masks

    def get_config(self):
        config = Layer.get_config(self)
        config["layer"] = serialize_keras_object(self.layer)
        config["merge_mode"] = self.merge_mode
        if self._backward_layer_config is not None:
            config["backward_layer"] = self._backward_layer_config
        if self._num_constants:
            config["num_constants"] = self._num_constants
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        num_constants = config.pop("num_constants", None)
        layer = _deserialize_layer(config.pop("layer"), custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = _deserialize_layer(backward, custom_objects)
        result = cls(layer, backward_layer=backward, **config)
        result._num_constants = num_constants
        return result


def _recreate(layer, go_backwards=None):
    """A fresh copy of `layer` from its config (`go_backwards` replaced when given); a shallow copy for
    a layer whose config cannot rebuild it. An RNN's cell is rebuilt by its own class, so a custom cell
    needs no registration."""
    try:
        config = layer.get_config()
    except NotImplementedError:
        if go_backwards is not None:
            raise
        return copy.copy(layer)
    if go_backwards is not None:
        config["go_backwards"] = go_backwards
    if "cell" in config and hasattr(layer, "cell"):
        config.pop("cell")
        return type(layer)(_recreate_cell(layer.cell), **config)
    return type(layer).from_config(config)


def _recreate_cell(cell):
    if isinstance(cell, StackedRNNCells):
        return StackedRNNCells([_recreate_cell(c) for c in cell.cells])
    return type(cell).from_config(cell.get_config())


def _check_pair(forward, backward):
    if forward.go_backwards == backward.go_backwards:
        raise ValueError("Forward layer and backward layer should have different `go_backwards` value.")
    for attribute in ("return_sequences", "return_state", "stateful"):
        if getattr(forward, attribute) != getattr(backward, attribute):
            raise ValueError("Forward layer and backward layer are expected to have the same value for "
                             "attribute `%s`, got %s for forward layer and %s for backward layer"
                             % (attribute, getattr(forward, attribute), getattr(backward, attribute)))

