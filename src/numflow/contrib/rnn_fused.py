"""tf.contrib.rnn's fused RNN interface: cells called on a whole time-major sequence at once,
`cell(inputs [time, batch, depth], initial_state=None, dtype=None, sequence_length=None, scope=None)` ->
(outputs, final_state): `FusedRNNCell`, `FusedRNNCellAdaptor` (a plain cell run by static_rnn or
dynamic_rnn), `TimeReversedFusedRNN`, `LSTMBlockWrapper` and `LSTMBlockFusedCell`.

LSTMBlockFusedCell runs as one BlockLSTM op over the whole sequence (ops/rnn_block.py), as in TF1.
"""
from ..framework import dtypes
from ..framework.graph import convert_to_tensor
from ..ops import array as array_ops
from ..ops import math as math_ops
from ..ops import rnn_block
from ..ops.rnn import dynamic_rnn, static_rnn
from ..ops.rnn_cell import LSTMCell, LSTMStateTuple
from ..ops.segment_ops import reverse_sequence
from ..variable_scope import get_variable_scope, variable_scope

__all__ = ["FusedRNNCell", "FusedRNNCellAdaptor", "TimeReversedFusedRNN", "LSTMBlockWrapper", "LSTMBlockFusedCell"]


class FusedRNNCell:
    """`tf.contrib.rnn.FusedRNNCell`: the abstract fused cell. `__call__(inputs, initial_state=None,
    dtype=None, sequence_length=None, scope=None)` runs it over time-major `inputs` (a [time, batch,
    depth] tensor or a list of [batch, depth] tensors) and returns `(outputs, final_state)`, outputs in
    the form of the inputs."""

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        raise NotImplementedError("Abstract method")


class FusedRNNCellAdaptor(FusedRNNCell):
    """`tf.contrib.rnn.FusedRNNCellAdaptor(cell, use_dynamic_rnn=False)`: a plain RNNCell as a fused
    cell, run by `tf.nn.static_rnn` or, with use_dynamic_rnn, by `tf.nn.dynamic_rnn(time_major=True)`."""

    def __init__(self, cell, use_dynamic_rnn=False):
        self._cell = cell
        self._use_dynamic_rnn = use_dynamic_rnn

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        is_list = isinstance(inputs, list)
        if self._use_dynamic_rnn:
            outputs, state = dynamic_rnn(self._cell, array_ops.stack(inputs) if is_list else inputs,
                                         sequence_length=sequence_length, initial_state=initial_state, dtype=dtype,
                                         time_major=True, scope=scope)
            return (array_ops.unstack(outputs) if is_list else outputs), state
        outputs, state = static_rnn(self._cell, inputs if is_list else array_ops.unstack(inputs),
                                    initial_state=initial_state, dtype=dtype, sequence_length=sequence_length,
                                    scope=scope)
        return (outputs if is_list else array_ops.stack(outputs)), state


class TimeReversedFusedRNN(FusedRNNCell):
    """`tf.contrib.rnn.TimeReversedFusedRNN(cell)`: runs the fused `cell` backwards in time: each
    sequence (its first sequence_length steps) is reversed before and the outputs reversed after."""

    def __init__(self, cell):
        self._cell = cell

    @staticmethod
    def _reverse(sequence, lengths):
        is_list = isinstance(sequence, list)
        if is_list and lengths is None:
            return list(reversed(sequence))
        stacked = array_ops.stack(sequence) if is_list else convert_to_tensor(sequence)
        if lengths is None:
            reversed_ = array_ops.reverse(stacked, [0])
        else:
            reversed_ = reverse_sequence(stacked, lengths, seq_axis=0, batch_axis=1)
        return array_ops.unstack(reversed_) if is_list else reversed_

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        outputs, state = self._cell(self._reverse(inputs, sequence_length), initial_state=initial_state, dtype=dtype,
                                    sequence_length=sequence_length, scope=scope)
        return self._reverse(outputs, sequence_length), state


class LSTMBlockWrapper(FusedRNNCell):
    """`tf.contrib.rnn.LSTMBlockWrapper`: the housekeeping of fused LSTMs. A subclass gives `num_units`
    and `_call_cell(inputs, initial_cell_state, initial_output, dtype, sequence_length)` -> (cell states,
    outputs), both [time, batch, num_units] for every step; the wrapper zeroes the outputs past each
    row's sequence_length and returns as final state the (c, h) of each row's last step (the initial
    state for length 0)."""

    _default_name = "lstm_block_wrapper"

    @property
    def num_units(self):
        raise NotImplementedError("Abstract method")

    def _call_cell(self, inputs, initial_cell_state, initial_output, dtype, sequence_length):
        raise NotImplementedError("Abstract method")

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        with variable_scope(scope or getattr(self, "_name", None) or self._default_name):
            is_list = isinstance(inputs, list)
            inputs = array_ops.stack(inputs) if is_list else convert_to_tensor(inputs)
            if inputs.shape.ndims != 3:
                raise ValueError("Shape must be rank 3 but is rank %s: the inputs of a fused cell are [time, batch, "
                                 "depth]" % inputs.shape.ndims)
            if inputs.shape[2].value is None:
                raise ValueError("Expecting inputs_shape[2] to be set: %s" % inputs.shape)
            batch_size = inputs.shape[1].value
            if batch_size is None:
                batch_size = array_ops.shape(inputs)[1]
            time_len = inputs.shape[0].value
            if time_len is None:
                time_len = array_ops.shape(inputs)[0]
            if initial_state is None:
                if dtype is None:
                    raise ValueError("Either initial_state or dtype needs to be specified")
                zeros = array_ops.zeros(array_ops.stack([batch_size, self.num_units]), dtype=dtype)
                initial_state = (zeros, zeros)
            else:
                if len(initial_state) != 2:
                    raise ValueError("Expecting initial_state to be a tuple with length 2 or None")
                dtype = dtype or convert_to_tensor(initial_state[0]).dtype
            initial_cell_state, initial_output = (convert_to_tensor(s) for s in initial_state)
            cell_states, outputs = self._call_cell(inputs, initial_cell_state, initial_output, dtype,
                                                   sequence_length)
            if sequence_length is None:
                final_c, final_h = cell_states[-1], outputs[-1]
            else:
                sequence_length = math_ops.cast(convert_to_tensor(sequence_length), dtypes.int32)
                mask = array_ops.transpose(array_ops.sequence_mask(sequence_length, time_len, dtype=dtype))
                outputs = outputs * array_ops.expand_dims(mask, 2)
                # Row b's final state is at step length_b - 1; index 0 of these holds the initial state.
                with_initial_c = array_ops.concat([array_ops.expand_dims(initial_cell_state, 0), cell_states], 0)
                with_initial_h = array_ops.concat([array_ops.expand_dims(initial_output, 0), outputs], 0)
                final_c = self._gather_states(with_initial_c, sequence_length, batch_size)
                final_h = self._gather_states(with_initial_h, sequence_length, batch_size)
            if is_list:
                outputs = array_ops.unstack(outputs)
            return outputs, LSTMStateTuple(final_c, final_h)

    def _gather_states(self, data, indices, batch_size):
        flat_indices = indices * batch_size + array_ops.range(batch_size)
        return array_ops.gather(array_ops.reshape(data, [-1, self.num_units]), flat_indices)


class LSTMBlockFusedCell(LSTMBlockWrapper):
    """`tf.contrib.rnn.LSTMBlockFusedCell(num_units, forget_bias=1.0, cell_clip=None, use_peephole=False,
    reuse=None, dtype=None, name='lstm_fused_cell')`: the LSTM of LSTMBlockCell over a whole time-major
    sequence, with variables '<name>/kernel' [depth + num_units, 4 num_units], 'bias', and with peepholes
    'w_i_diag', 'w_f_diag', 'w_o_diag' (the LSTMCell names, so checkpoints move between them). cell_clip
    None or negative means no clipping."""

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None, use_peephole=False, reuse=None, dtype=None,
                 name="lstm_fused_cell"):
        self._num_units = int(num_units)
        self._name = name
        if cell_clip is not None and cell_clip < 0:
            cell_clip = None
        # An LSTMCell holds the variables, so that their names, order and initializers are LSTMCell's.
        self._lstm = LSTMCell(num_units, use_peepholes=use_peephole, cell_clip=cell_clip, forget_bias=forget_bias,
                              reuse=reuse, dtype=dtype)

    @property
    def num_units(self):
        return self._num_units

    @property
    def variables(self):
        return self._lstm.variables

    def _call_cell(self, inputs, initial_cell_state, initial_output, dtype, sequence_length):
        lstm = self._lstm
        # The variables belong to this cell's own scope, as the fused kernel's do.
        lstm._maybe_build(inputs.shape[2].value, dtype, scope=get_variable_scope())
        if sequence_length is None:
            time_len = inputs.shape[0].value
            seq_len_max = array_ops.shape(inputs, out_type=dtypes.int64)[0] if time_len is None else time_len
        else:
            seq_len_max = math_ops.cast(math_ops.reduce_max(sequence_length), dtypes.int64)
        if lstm._use_peepholes:
            wcf, wci, wco = lstm._peepholes
        else:
            wci = wcf = wco = array_ops.zeros([self._num_units], dtype=inputs.dtype)
        _, cell_states, _, _, _, _, outputs = rnn_block.block_lstm(
            seq_len_max, inputs, initial_cell_state, initial_output, lstm._kernel, wci, wcf, wco, lstm._bias,
            forget_bias=lstm._forget_bias, cell_clip=-1.0 if lstm._cell_clip is None else lstm._cell_clip,
            use_peephole=lstm._use_peepholes)
        return cell_states, outputs
