"""tf.contrib.rnn's time-frequency LSTMs for speech features: `TimeFreqLSTMCell` (Sainath & Li, 2016),
`GridLSTMCell` (Kalchbrenner et al., 2016, with Sainath & Li's peepholes) and
`BidirectionalGridLSTMCell`.

The input frame is cut into overlapping frequency windows of `feature_size` features, `frequency_skip`
apart; an LSTM runs along the windows (frequency) inside each time step, and each window also keeps a
time-direction LSTM state from the previous frame.
"""
import collections

from ..framework.graph import name_scope
from ..ops import array as array_ops
from ..ops import math as math_ops
from ..ops.rnn_cell import RNNCell, _zeros_for
from ..variable_scope import variable_scope as _variable_scope
from .rnn_cells import _maybe_clip, _sharded_kernel

__all__ = ["TimeFreqLSTMCell", "GridLSTMCell", "BidirectionalGridLSTMCell"]


def _frequency_windows(inputs, feature_size, frequency_skip, count, start=0):
    return [inputs[:, start + f * frequency_skip:start + f * frequency_skip + feature_size] for f in range(count)]


def _batch_zeros(like, width):
    """Zeros [batch, width] for the batch of `like` (known only when run, perhaps)."""
    return array_ops.zeros(array_ops.stack([array_ops.shape(like)[0], width]), dtype=like.dtype)


def _window_count(width, feature_size, frequency_skip):
    return int((width - feature_size) / frequency_skip) + 1


class TimeFreqLSTMCell(RNNCell):
    """`tf.contrib.rnn.TimeFreqLSTMCell(num_units, use_peepholes=False, cell_clip=None, initializer=None,
    num_unit_shards=1, forget_bias=1.0, feature_size=None, frequency_skip=1, reuse=None)`: an LSTM over
    frequency windows: window k reads [window_k, m_k (its previous-frame output), m_{k-1} (this frame's
    previous window's output)] through one shared 'W_<shard>' and 'B' (peepholes 'W_F_diag', 'W_I_diag',
    'W_O_diag'). The state is [c_0, m_0, c_1, m_1, ...] concatenated and the output [m_0, m_1, ...].

    As in TF1, `state_size` is 2 * num_units and `output_size` num_units whatever the number of
    windows, so with more than one window the initial state must be given ([batch, 2 num_units
    windows]) rather than made by zero_state.
    """

    _default_name = "time_freq_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None, num_unit_shards=1,
                 forget_bias=1.0, feature_size=None, frequency_skip=1, reuse=None):
        super().__init__(reuse=reuse)
        self._num_units = int(num_units)
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_unit_shards = int(num_unit_shards)
        self._forget_bias = float(forget_bias)
        self._feature_size = feature_size
        self._frequency_skip = frequency_skip

    @property
    def state_size(self):
        return 2 * self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, input_depth):
        dtype, n = self._build_dtype, self._num_units
        self._windows = _window_count(input_depth, self._feature_size, self._frequency_skip)
        self._kernel = _sharded_kernel(self, "W", [self._feature_size + 2 * n, 4 * n], dtype, self._num_unit_shards,
                                       self._initializer)
        self._bias = _zeros_bias(self, "B", 4 * n, dtype)
        if self._use_peepholes:
            self._peepholes = [self._add_variable(name, [n], dtype, self._initializer)
                               for name in ("W_F_diag", "W_I_diag", "W_O_diag")]

    def call(self, inputs, state):
        n = self._num_units
        m_prev_freq = _batch_zeros(inputs, n)
        states, outputs = [], []
        for k, window in enumerate(_frequency_windows(inputs, self._feature_size, self._frequency_skip,
                                                      self._windows)):
            c_prev, m_prev = state[:, 2 * k * n:(2 * k + 1) * n], state[:, (2 * k + 1) * n:(2 * k + 2) * n]
            gates = math_ops.matmul(array_ops.concat([window, m_prev, m_prev_freq], 1), self._kernel) + self._bias
            c, m = _lstm_update(gates, c_prev, self._forget_bias, self._peepholes if self._use_peepholes else None,
                                self._cell_clip)
            m_prev_freq = m
            states += [c, m]
            outputs.append(m)
        return array_ops.concat(outputs, 1), array_ops.concat(states, 1)


def _zeros_bias(cell, name, width, dtype):
    from ..init_ops import zeros_initializer
    return cell._add_variable(name, [width], dtype, zeros_initializer())


def _lstm_update(gates, c_prev, forget_bias, peepholes, cell_clip):
    """One LSTM update from i, j, f, o gate pre-activations, peepholes (w_f, w_i, w_o) reading c_prev
    (and the new c for the output gate)."""
    i, j, f, o = array_ops.split(gates, 4, axis=1)
    if peepholes is not None:
        w_f, w_i, w_o = peepholes
        f, i = f + w_f * c_prev, i + w_i * c_prev
    c = math_ops.sigmoid(f + forget_bias) * c_prev + math_ops.sigmoid(i) * math_ops.tanh(j)
    c = _maybe_clip(c, cell_clip)
    if peepholes is not None:
        o = o + w_o * c
    return c, math_ops.sigmoid(o) * math_ops.tanh(c)


class GridLSTMCell(RNNCell):
    """`tf.contrib.rnn.GridLSTMCell(num_units, use_peepholes=False, share_time_frequency_weights=False,
    cell_clip=None, initializer=None, num_unit_shards=1, forget_bias=1.0, feature_size=None,
    frequency_skip=None, num_frequency_blocks=None, start_freqindex_list=None, end_freqindex_list=None,
    couple_input_forget_gates=False, state_is_tuple=True, reuse=None)`: a 2-D grid LSTM over time and
    frequency. The input is cut into blocks (the whole input, or [start_freqindex_list[b],
    end_freqindex_list[b]) each), each block into `num_frequency_blocks[b]` windows. In each window a
    frequency LSTM (variables 'W_f_<b>_<shard>', 'B_f_<b>') and a time LSTM ('W_t_<b>_<shard>',
    'B_t_<b>', or the frequency ones with share_time_frequency_weights) both read [window, previous-frame
    time output m_t, previous-window frequency output m_f], their gates seeing both cell states through
    peepholes ('W_{F,I,O}_diag_{freq,time}{f,t}_<b>'); with couple_input_forget_gates the forget gate is
    1 - input gate. The state holds each window's time (c, m) ('state_fFF_bBB_c', '_m'); the output is
    every window's [m_time, m_freq].
    """

    _default_name = "grid_lstm_cell"
    _state_prefixes = ("state",)
    _tuple_name = "GridLSTMStateTuple"

    def __init__(self, num_units, use_peepholes=False, share_time_frequency_weights=False, cell_clip=None,
                 initializer=None, num_unit_shards=1, forget_bias=1.0, feature_size=None, frequency_skip=None,
                 num_frequency_blocks=None, start_freqindex_list=None, end_freqindex_list=None,
                 couple_input_forget_gates=False, state_is_tuple=True, reuse=None):
        super().__init__(reuse=reuse)
        if num_frequency_blocks is None:
            raise ValueError("Must specify num_frequency_blocks")
        self._num_units = int(num_units)
        self._use_peepholes = use_peepholes
        self._share = share_time_frequency_weights
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_unit_shards = int(num_unit_shards)
        self._forget_bias = float(forget_bias)
        self._feature_size = feature_size
        self._frequency_skip = frequency_skip
        self._blocks = [int(b) for b in num_frequency_blocks]
        self._starts = start_freqindex_list
        self._ends = end_freqindex_list
        self._couple = couple_input_forget_gates
        self._state_is_tuple = state_is_tuple
        self._total_blocks = sum(self._blocks)
        names = ["%s_f%02d_b%02d_%s" % (prefix, f, b, part) for prefix in self._state_prefixes
                 for b, count in enumerate(self._blocks) for f in range(count) for part in ("c", "m")]
        self._state_tuple_type = collections.namedtuple(self._tuple_name, names) if state_is_tuple else None

    @property
    def state_tuple_type(self):
        return self._state_tuple_type

    @property
    def state_size(self):
        widths = [self._num_units] * (2 * self._total_blocks * len(self._state_prefixes))
        return self._state_tuple_type(*widths) if self._state_is_tuple else sum(widths)

    @property
    def output_size(self):
        return self._num_units * self._total_blocks * 2 * len(self._state_prefixes)

    def zero_state(self, batch_size, dtype):
        with name_scope(type(self).__name__ + "ZeroState"):
            if not self._state_is_tuple:
                return _zeros_for(self.state_size, batch_size, dtype)
            return self._state_tuple_type(*_zeros_for(tuple(self.state_size), batch_size, dtype))

    # --- variables ---------------------------------------------------------------------------------
    def _block_variables(self, block, dtype):
        n, gates = self._num_units, 3 if self._couple else 4
        width = self._feature_size + 2 * n
        made = {"W_f": _sharded_kernel(self, "W_f_%d" % block, [width, gates * n], dtype, self._num_unit_shards,
                                       self._initializer),
                "B_f": _zeros_bias(self, "B_f_%d" % block, gates * n, dtype)}
        if not self._share:
            made["W_t"] = _sharded_kernel(self, "W_t_%d" % block, [width, gates * n], dtype, self._num_unit_shards,
                                          self._initializer)
            made["B_t"] = _zeros_bias(self, "B_t_%d" % block, gates * n, dtype)
        if self._use_peepholes:
            directions = ("freq",) if self._share else ("freq", "time")
            for direction in directions:
                for gate in (("I", "O") if self._couple else ("F", "I", "O")):
                    for source in ("f", "t"):
                        name = "W_%s_diag_%s%s" % (gate, direction, source)
                        made[name] = self._add_variable("%s_%d" % (name, block), [n], dtype, self._initializer)
        return made

    def build(self, input_depth):
        self._block_vars = [self._block_variables(b, self._build_dtype) for b in range(len(self._blocks))]

    # --- the step ----------------------------------------------------------------------------------
    def _windows_of(self, inputs, slice_offset=0):
        """The frequency windows of each block, checking their count against num_frequency_blocks."""
        width = inputs.shape[-1].value
        if width is None:
            raise ValueError("Cannot infer input_size from static shape inference.")
        if slice_offset > 0:
            inputs = array_ops.pad(inputs, [[0, 0], [0, slice_offset]])
        elif slice_offset < 0:
            inputs = array_ops.pad(inputs, [[0, 0], [-slice_offset, 0]])
            slice_offset = 0
        if not self._starts:
            if len(self._blocks) != 1:
                raise ValueError("Length of num_frequency_blocks is not 1, but instead is %d" % len(self._blocks))
            spans = [(0, width)]
        else:
            if len(self._starts) != len(self._ends):
                raise ValueError("Length of start and end freqindex_list does not match %d %d"
                                 % (len(self._starts), len(self._ends)))
            if len(self._blocks) != len(self._starts):
                raise ValueError("Length of num_frequency_blocks is not equal to start_freqindex_list %d %d"
                                 % (len(self._blocks), len(self._starts)))
            spans = list(zip(self._starts, self._ends))
        windows = []
        for count, (start, end) in zip(self._blocks, spans):
            found = _window_count(end - start, self._feature_size, self._frequency_skip)
            if found != count:
                raise ValueError("Invalid num_frequency_blocks, requires %d but gets %d, please check the input size "
                                 "and filter config are correct." % (count, found))
            windows.append(_frequency_windows(inputs, self._feature_size, self._frequency_skip, count,
                                              start + slice_offset))
        return windows

    def _time_state(self, state, prefix_index, block, window):
        n = self._num_units
        if self._state_is_tuple:
            position = 2 * (prefix_index * self._total_blocks + sum(self._blocks[:block]) + window)
            return state[position], state[position + 1]
        # As TF1, the concatenated state is indexed by the window alone.
        return state[:, 2 * window * n:(2 * window + 1) * n], state[:, (2 * window + 1) * n:(2 * window + 2) * n]

    def _gates(self, matrix):
        parts = array_ops.split(matrix, 3 if self._couple else 4, axis=1)
        if self._couple:
            i, j, o = parts
            return i, j, None, o
        return parts

    def _compute(self, windows, block, state, variables, prefix_index=0):
        """The time outputs and states of one block's windows: ([m_time, m_freq] per window, [c_time,
        m_time] per window)."""
        sigmoid, tanh = math_ops.sigmoid, math_ops.tanh
        peep = variables if self._use_peepholes else None
        time_names = "freq" if self._share else "time"
        m_prev_freq = c_prev_freq = _batch_zeros(windows[0], self._num_units)
        outputs, states = [], []
        for k, window in enumerate(windows):
            c_prev_time, m_prev_time = self._time_state(state, prefix_index, block, k)
            cell_inputs = array_ops.concat([window, m_prev_time, m_prev_freq], 1)
            i_f, j_f, f_f, o_f = self._gates(math_ops.matmul(cell_inputs, variables["W_f"]) + variables["B_f"])
            if self._share:
                i_t, j_t, f_t, o_t = i_f, j_f, f_f, o_f
            else:
                i_t, j_t, f_t, o_t = self._gates(math_ops.matmul(cell_inputs, variables["W_t"]) + variables["B_t"])

            def peephole(gate, direction, first, second):
                if peep is None:
                    return 0.0
                return peep["W_%s_diag_%sf" % (gate, direction)] * first + \
                    peep["W_%s_diag_%st" % (gate, direction)] * second

            def cell_update(i, j, f, c_prev, direction):
                input_gate = sigmoid(i + peephole("I", direction, c_prev_freq, c_prev_time))
                if self._couple:
                    forget_gate = 1.0 - input_gate
                else:
                    forget_gate = sigmoid(f + self._forget_bias + peephole("F", direction, c_prev_freq, c_prev_time))
                return _maybe_clip(forget_gate * c_prev + input_gate * tanh(j), self._cell_clip)

            c_freq = cell_update(i_f, j_f, f_f, c_prev_freq, "freq")
            c_time = cell_update(i_t, j_t, f_t, c_prev_time, time_names)
            m_freq = sigmoid(o_f + peephole("O", "freq", c_freq, c_time)) * tanh(c_freq)
            m_time = sigmoid(o_t + peephole("O", time_names, c_freq, c_time)) * tanh(c_time)
            m_prev_freq, c_prev_freq = m_freq, c_freq
            states += [c_time, m_time]
            outputs += [m_time, m_freq]
        return outputs, states

    def _pack_state(self, states):
        return self._state_tuple_type(*states) if self._state_is_tuple else array_ops.concat(states, 1)

    def call(self, inputs, state):
        outputs, states = [], []
        for block, windows in enumerate(self._windows_of(inputs)):
            block_outputs, block_states = self._compute(windows, block, state, self._block_vars[block])
            outputs += block_outputs
            states += block_states
        return array_ops.concat(outputs, 1), self._pack_state(states)


class BidirectionalGridLSTMCell(GridLSTMCell):
    """`tf.contrib.rnn.BidirectionalGridLSTMCell(num_units, use_peepholes=False,
    share_time_frequency_weights=False, cell_clip=None, initializer=None, num_unit_shards=1,
    forget_bias=1.0, feature_size=None, frequency_skip=None, num_frequency_blocks=None,
    start_freqindex_list=None, end_freqindex_list=None, couple_input_forget_gates=False,
    backward_slice_offset=0, reuse=None)`: GridLSTMCell run along frequency both ways, with separate
    variables under 'fwd/' and 'bwd/'; the backward pass reads each block's windows in reverse (cut
    `backward_slice_offset` features further along, the input zero-padded). The state tuple holds the
    'fwd_state_...' then the 'bwd_state_...' entries; the output is all forward then all backward
    [m_time, m_freq] pairs."""

    _default_name = "bidirectional_grid_lstm_cell"
    _state_prefixes = ("fwd_state", "bwd_state")
    _tuple_name = "BidirectionalGridLSTMStateTuple"

    def __init__(self, num_units, use_peepholes=False, share_time_frequency_weights=False, cell_clip=None,
                 initializer=None, num_unit_shards=1, forget_bias=1.0, feature_size=None, frequency_skip=None,
                 num_frequency_blocks=None, start_freqindex_list=None, end_freqindex_list=None,
                 couple_input_forget_gates=False, backward_slice_offset=0, reuse=None):
        super().__init__(num_units, use_peepholes, share_time_frequency_weights, cell_clip, initializer,
                         num_unit_shards, forget_bias, feature_size, frequency_skip, num_frequency_blocks,
                         start_freqindex_list, end_freqindex_list, couple_input_forget_gates, True, reuse)
        self._backward_slice_offset = int(backward_slice_offset)

    def build(self, input_depth):
        self._block_vars = {}
        for direction in ("fwd", "bwd"):
            with _variable_scope(direction):
                self._block_vars[direction] = [self._block_variables(b, self._build_dtype)
                                               for b in range(len(self._blocks))]

    def call(self, inputs, state):
        forward = self._windows_of(inputs)
        backward = self._windows_of(inputs, self._backward_slice_offset) if self._backward_slice_offset else forward
        outputs = {"fwd": [], "bwd": []}
        states = {"fwd": [], "bwd": []}
        for prefix_index, (direction, blocks) in enumerate((("fwd", forward), ("bwd", backward))):
            for block, windows in enumerate(blocks):
                if direction == "bwd":
                    windows = windows[::-1]
                block_outputs, block_states = self._compute(windows, block, state, self._block_vars[direction][block],
                                                            prefix_index)
                outputs[direction] += block_outputs
                states[direction] += block_states
        return array_ops.concat(outputs["fwd"] + outputs["bwd"], 1), \
            self._state_tuple_type(*(states["fwd"] + states["bwd"]))

