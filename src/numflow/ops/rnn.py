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

__all__ = ["static_rnn", "dynamic_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn", "raw_rnn",
           "static_state_saving_rnn"]


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
    """dynamic_rnn over an unknown number of steps: a while_loop reading each step's input from one
    TensorArray and writing its output to another, as TF1's dynamic_rnn does."""
    from .tensor_array import TensorArray
    # Variables are created outside the loop (the loop body then only reads them).
    cell._maybe_build(depth, inputs.dtype)
    time_inputs = inputs if time_major else array_ops.transpose(inputs, [1, 0, 2])
    with name_scope("time_steps"):
        steps = array_ops.shape(time_inputs)[0]
    input_ta = TensorArray(inputs.dtype, size=steps, element_shape=time_inputs.shape[1:],
                           tensor_array_name="input_ta").unstack(time_inputs)
    output_ta = TensorArray(inputs.dtype, size=steps, element_shape=TensorShape(
        [time_inputs.shape[1].value, int(cell.output_size)]), tensor_array_name="output_ta")
    flat_state = [convert_to_tensor(s) for s in _flatten(state)]

    def condition(time, outputs, *flat):
        return math_ops.less(time, steps)

    def body(time, outputs, *flat):
        output, new_state = _step(cell, input_ta.read(time), _pack_as(state, flat), time, lengths)
        return [math_ops.add(time, 1), outputs.write(time, output)] + \
            [convert_to_tensor(s) for s in _flatten(new_state)]

    results = while_loop(condition, body, [convert_to_tensor(0), output_ta] + flat_state, name="rnn_loop")
    outputs = results[1].stack()
    final_state = _pack_as(state, results[2:])
    if not time_major:
        outputs = array_ops.transpose(outputs, [1, 0, 2])
    return outputs, final_state


def _reverse_time(tensor, lengths, time_axis, batch_axis):
    """`tensor` reversed along time, each row only over its first `lengths` steps when lengths are given."""
    if lengths is None:
        return array_ops.reverse(tensor, [time_axis])
    from .segment_ops import reverse_sequence
    return reverse_sequence(tensor, lengths, seq_axis=time_axis, batch_axis=batch_axis)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None, initial_state_fw=None,
                              initial_state_bw=None, dtype=None, parallel_iterations=None, swap_memory=False,
                              time_major=False, scope=None):
    """`tf.nn.bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
    initial_state_fw=None, initial_state_bw=None, dtype=None, time_major=False, scope=None)`: `cell_fw`
    run over `inputs` forwards and `cell_bw` backwards (each row reversed over its `sequence_length`).
    Returns `((output_fw, output_bw), (state_fw, state_bw))`; output_bw is reversed back to the input's
    time order. Variables live in 'bidirectional_rnn/fw/...' and 'bidirectional_rnn/bw/...'."""
    inputs = convert_to_tensor(inputs)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)
    with _variable_scope(scope or "bidirectional_rnn"):
        with _variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(cell_fw, inputs, sequence_length, initial_state_fw, dtype,
                                              time_major=time_major, scope=fw_scope)
        lengths = _sequence_length(sequence_length)
        with _variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_time(inputs, lengths, time_axis, batch_axis)
            output_bw, state_bw = dynamic_rnn(cell_bw, reversed_inputs, sequence_length, initial_state_bw, dtype,
                                              time_major=time_major, scope=bw_scope)
    output_bw = _reverse_time(output_bw, lengths, time_axis, batch_axis)
    return (output_fw, output_bw), (state_fw, state_bw)


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None, initial_state_bw=None, dtype=None,
                             sequence_length=None, scope=None):
    """`tf.nn.static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None,
    initial_state_bw=None, dtype=None, sequence_length=None, scope=None)` (also in `tf.contrib.rnn`): the
    unrolled forward and backward RNNs over the list `inputs`. Returns `(outputs, state_fw, state_bw)`,
    each output the concatenation [forward, backward] of one step."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a list")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with _variable_scope(scope or "bidirectional_rnn"):
        with _variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype, sequence_length,
                                             scope=fw_scope)
        with _variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_steps(inputs, sequence_length)
            output_bw, state_bw = static_rnn(cell_bw, reversed_inputs, initial_state_bw, dtype, sequence_length,
                                             scope=bw_scope)
    output_bw = _reverse_steps(output_bw, sequence_length)
    outputs = [array_ops.concat([fw, bw], 1) for fw, bw in zip(output_fw, output_bw)]
    return outputs, state_fw, state_bw


def _reverse_steps(steps, sequence_length):
    """A list of [batch, depth] steps reversed in time (each row over its own length when given)."""
    if sequence_length is None:
        return list(reversed(steps))
    stacked = array_ops.stack([convert_to_tensor(x) for x in steps], axis=0)
    reversed_stack = _reverse_time(stacked, _sequence_length(sequence_length), 0, 1)
    return array_ops.unstack(reversed_stack, num=len(steps), axis=0)


def static_state_saving_rnn(cell, inputs, state_saver, state_name, sequence_length=None, scope=None):
    """`tf.nn.static_state_saving_rnn(cell, inputs, state_saver, state_name, sequence_length=None,
    scope=None)`: `static_rnn` starting from `state_saver.state(state_name)` and saving its final state
    with `state_saver.save_state(state_name, state)`; the outputs depend on the save. `state_name` is a
    name, or a tuple of names matching a tuple state."""
    from .control import identity
    from ..framework.graph import control_dependencies
    state_size = cell.state_size
    names = _flatten(state_name) if isinstance(state_name, (list, tuple)) else [state_name]
    if len(names) != len(_flatten(state_size)):
        raise ValueError("state_name should be the same type as cell.state_size: %d names for %d state parts"
                         % (len(names), len(_flatten(state_size))))
    initial = [state_saver.state(name) for name in names]
    initial_state = _pack_as(state_size, initial) if len(names) > 1 else initial[0]
    outputs, state = static_rnn(cell, inputs, initial_state=initial_state, sequence_length=sequence_length,
                                scope=scope)
    saves = [state_saver.save_state(name, value) for name, value in zip(names, _flatten(state))]
    with control_dependencies(saves):
        last = identity(outputs[-1])
        flat_state = [identity(s) for s in _flatten(state)]
    return outputs[:-1] + [last], _pack_as(state, flat_state) if len(names) > 1 else flat_state[0]


def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None):
    """`tf.nn.raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None)`: an RNN
    whose inputs, state and emitted values come from `loop_fn(time, cell_output, cell_state, loop_state)`,
    which returns `(finished, next_input, next_cell_state, emit_output, next_loop_state)`; it is first
    called with time 0 and `cell_output=None` for the initial input and state. The loop runs while any row
    is unfinished; a finished row emits zeros and keeps its state. Returns `(emit_ta, final_state,
    final_loop_state)`, emit_ta a TensorArray (or a structure of them) of the emitted values."""
    from .tensor_array import TensorArray
    if not callable(loop_fn):
        raise TypeError("loop_fn must be a callable")
    with _variable_scope(scope or "rnn"):
        time = convert_to_tensor(0, dtype=dtypes.int32)
        finished, next_input, initial_state, emit_structure, loop_state = loop_fn(time, None, None, None)
        finished = convert_to_tensor(finished)
        flat_input = [convert_to_tensor(x) for x in _flatten(next_input)]
        if len(flat_input) != 1:
            raise NotImplementedError("raw_rnn: numflow's cells take one input tensor, got %d" % len(flat_input))
        cell._maybe_build(flat_input[0].shape[-1].value, flat_input[0].dtype)
        dtype = flat_input[0].dtype
        if emit_structure is not None:
            emit_templates = [convert_to_tensor(e) for e in _flatten(emit_structure)]
        else:
            batch = _batch_size(flat_input[0], 0)
            emit_structure = _zeros_like_size(cell.output_size, batch, dtype)
            emit_templates = _flatten(emit_structure)
        emit_tas = [TensorArray(e.dtype, size=0, dynamic_size=True, element_shape=e.shape) for e in emit_templates]
        flat_state = [convert_to_tensor(s) for s in _flatten(initial_state)]
        has_loop_state = loop_state is not None
        flat_loop_state = [convert_to_tensor(s) for s in _flatten(loop_state)] if has_loop_state else []
        counts = [len(emit_tas), len(flat_state), len(flat_loop_state)]

        def unpack(flat):
            tas = flat[:counts[0]]
            states = flat[counts[0]:counts[0] + counts[1]]
            loops = flat[counts[0] + counts[1]:]
            return tas, states, loops

        def condition(time, finished_now, current_input, *rest):
            return math_ops.logical_not(math_ops.reduce_all(finished_now))

        def body(time, finished_now, current_input, *rest):
            tas, states, loops = unpack(list(rest))
            cell_state = _pack_as(initial_state, states)
            output, new_state = cell(current_input, cell_state)
            new_loop_state = _pack_as(loop_state, loops) if has_loop_state else None
            (next_finished, following_input, next_state, emit, next_loop_state) = loop_fn(
                math_ops.add(time, 1), output, new_state, new_loop_state)
            if emit is None:
                emit = output
            flat_emit = [convert_to_tensor(e) for e in _flatten(emit)]
            zeros = [array_ops.zeros_like(e) for e in flat_emit]
            flat_emit = [math_ops.where(finished_now, z, e) for z, e in zip(zeros, flat_emit)]
            kept_state = [math_ops.where(finished_now, old, convert_to_tensor(new))
                          for old, new in zip(states, _flatten(next_state))]
            tas = [ta.write(time, e) for ta, e in zip(tas, flat_emit)]
            next_loops = [convert_to_tensor(s) for s in _flatten(next_loop_state)] if has_loop_state else []
            finished_after = math_ops.logical_or(finished_now, convert_to_tensor(next_finished))
            return [math_ops.add(time, 1), finished_after, convert_to_tensor(following_input)] + tas + \
                kept_state + next_loops

        invariants = [TensorShape([]), finished.shape, flat_input[0].shape] + \
            [TensorShape(None)] * len(emit_tas) + [s.shape for s in flat_state] + \
            [TensorShape(None)] * len(flat_loop_state)
        results = while_loop(condition, body, [time, finished, flat_input[0]] + emit_tas + flat_state +
                             flat_loop_state, shape_invariants=invariants, name="rnn_loop")
        tas, states, loops = unpack(list(results[3:]))
        emit_ta = _pack_as(emit_structure, tas) if len(tas) > 1 else tas[0]
        final_state = _pack_as(initial_state, states)
        final_loop_state = _pack_as(loop_state, loops) if has_loop_state else None
        return emit_ta, final_state, final_loop_state


def _zeros_like_size(size, batch, dtype):
    from .rnn_cell import _zeros_for
    return _zeros_for(size, batch, dtype)
