"""`tf.nn.static_rnn` and `tf.nn.dynamic_rnn`: run an RNN cell over a sequence.

Both open the variable scope 'rnn' (or `scope`), in which the cell creates its variables once
('rnn/basic_lstm_cell/kernel', ...). `static_rnn` unrolls the cell in Python over a list of steps.
`dynamic_rnn` unrolls in Python as well when the number of time steps is known statically (the simplest
graph, differentiable op by op); with an unknown number of steps it runs the cell in a `tf.while_loop`,
whose gradient exists too. With `sequence_length`, outputs past a row's length are zeros and its state
stops changing there (the final state is the state at its last valid step), as in TF1.
"""
from ..variable_scope import variable_scope as _variable_scope
from ..framework import dtypes
from ..framework.graph import Tensor, convert_to_tensor, name_scope
from ..framework.tensor_shape import TensorShape
from . import array as array_ops
from . import math as math_ops
from .control import while_loop
from .rnn_cell import LSTMStateTuple

__all__ = ["static_rnn", "dynamic_rnn"]


def _flatten(structure):
    if isinstance(structure, (list, tuple)):
        out = []
        for item in structure:
            out.extend(_flatten(item))
        return out
    return [structure]


def _pack_as(structure, flat):
    items = iter(flat)

    def build(item):
        if isinstance(item, LSTMStateTuple):
            return LSTMStateTuple(*[build(x) for x in item])
        if isinstance(item, (list, tuple)):
            return type(item)(build(x) for x in item)
        return next(items)
    return build(structure)


def _initial_state(cell, initial_state, dtype, batch_size):
    if initial_state is not None:
        return initial_state
    if dtype is None:
        raise ValueError("If no initial_state is provided, dtype must be specified")
    return cell.zero_state(batch_size, dtypes.as_dtype(dtype))


def _batch_size(tensor, axis):
    static = tensor.shape[axis].value
    return static if static is not None else array_ops.shape(tensor)[axis]


def _sequence_length(sequence_length):
    if sequence_length is None:
        return None
    sequence_length = convert_to_tensor(sequence_length)
    if sequence_length.shape.ndims not in (None, 1):
        raise ValueError("sequence_length must be a vector of length batch_size, but saw shape: %s"
                         % sequence_length.shape)
    return math_ops.cast(sequence_length, dtypes.int32)


def _step(cell, inputs, state, time, sequence_length):
    """One cell step; with `sequence_length`, rows whose length is <= time output zeros and keep `state`."""
    output, new_state = cell(inputs, state)
    if sequence_length is None:
        return output, new_state
    valid = math_ops.less(convert_to_tensor(time, dtype=dtypes.int32), sequence_length)
    mask = array_ops.expand_dims(math_ops.cast(valid, output.dtype), 1)
    keep = math_ops.subtract(convert_to_tensor(1.0, dtype=output.dtype), mask)
    output = math_ops.multiply(output, mask)
    flat_new = [math_ops.add(math_ops.multiply(new, mask), math_ops.multiply(old, keep))
                for new, old in zip(_flatten(new_state), _flatten(state))]
    return output, _pack_as(new_state, flat_new)


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """`tf.nn.static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None)`
    (also `tf.contrib.rnn.static_rnn`): the cell unrolled over `inputs`, a list of [batch, depth] tensors.
    Returns `(outputs, state)`: the list of per-step outputs and the final state. `dtype` is needed when no
    `initial_state` is given (the state starts at zeros)."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a sequence (a list of [batch, depth] tensors)")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with _variable_scope(scope or "rnn"):
        inputs = [convert_to_tensor(x) for x in inputs]
        first = inputs[0]
        if first.shape.ndims != 2:
            raise ValueError("static_rnn: each input must have rank 2 [batch, depth], got shape %s"
                             % first.shape)
        state = _initial_state(cell, initial_state, dtype, _batch_size(first, 0))
        lengths = _sequence_length(sequence_length)
        outputs = []
        for time, step_input in enumerate(inputs):
            output, state = _step(cell, step_input, state, time, lengths)
            outputs.append(output)
        return outputs, state


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None, parallel_iterations=None,
                swap_memory=False, time_major=False, scope=None):
    """`tf.nn.dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
    time_major=False, scope=None)`: the cell run over `inputs` [batch, time, depth] ([time, batch, depth]
    with `time_major`). Returns `(outputs, state)`: outputs [batch, time, cell.output_size] (time-major
    with `time_major`) and the final state. `dtype` is needed when no `initial_state` is given."""
    inputs = convert_to_tensor(inputs)
    if isinstance(inputs, Tensor) and (inputs.shape.ndims is None or inputs.shape.ndims != 3):
        raise ValueError("dynamic_rnn: inputs must be a rank-3 tensor [batch, time, depth] (or [time, batch, "
                         "depth] with time_major=True), got shape %s" % inputs.shape)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)
    depth = inputs.shape[2].value
    if depth is None:
        raise ValueError("dynamic_rnn: the depth (last dimension) of inputs must be known, got shape %s"
                         % inputs.shape)
    with _variable_scope(scope or "rnn"):
        state = _initial_state(cell, initial_state, dtype, _batch_size(inputs, batch_axis))
        lengths = _sequence_length(sequence_length)
        steps = inputs.shape[time_axis].value
        if steps is not None:
            outputs = []
            for time, step_input in enumerate(array_ops.unstack(inputs, num=steps, axis=time_axis)):
                output, state = _step(cell, step_input, state, time, lengths)
                outputs.append(output)
            if not outputs:
                raise ValueError("dynamic_rnn: inputs have no time steps (shape %s)" % inputs.shape)
            return array_ops.stack(outputs, axis=time_axis), state
        return _while_rnn(cell, inputs, state, lengths, time_major, depth)


def _while_rnn(cell, inputs, state, lengths, time_major, depth):
    """dynamic_rnn over an unknown number of steps: a while_loop that concatenates each step's output."""
    # Variables are created outside the loop (the loop body then only reads them).
    cell._maybe_build(depth, inputs.dtype)
    time_inputs = inputs if time_major else array_ops.transpose(inputs, [1, 0, 2])
    with name_scope("time_steps"):
        steps = array_ops.shape(time_inputs)[0]
        batch = array_ops.shape(time_inputs)[1]
    units = int(cell.output_size)
    empty = array_ops.zeros(array_ops.stack([convert_to_tensor(0), batch, convert_to_tensor(units)]),
                            dtype=inputs.dtype)
    flat_state = [convert_to_tensor(s) for s in _flatten(state)]
    static_batch = time_inputs.shape[1].value
    invariants = [TensorShape([]), TensorShape([None, static_batch, units])] + [s.shape for s in flat_state]

    def condition(time, outputs, *flat):
        return math_ops.less(time, steps)

    def body(time, outputs, *flat):
        step_input = array_ops.gather(time_inputs, time)
        output, new_state = _step(cell, step_input, _pack_as(state, flat), time, lengths)
        outputs = array_ops.concat([outputs, array_ops.expand_dims(output, 0)], 0)
        return [math_ops.add(time, 1), outputs] + [convert_to_tensor(s) for s in _flatten(new_state)]

    results = while_loop(condition, body, [convert_to_tensor(0), empty] + flat_state,
                         shape_invariants=invariants, name="rnn_loop")
    outputs = results[1]
    final_state = _pack_as(state, results[2:])
    if not time_major:
        outputs = array_ops.transpose(outputs, [1, 0, 2])
    return outputs, final_state
