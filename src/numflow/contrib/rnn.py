"""`tf.contrib.rnn`: TF1's recurrent cells (the `tf.nn.rnn_cell` ones and contrib's own), the RNN
functions, and the stacked bidirectional RNNs.

contrib's fused cells (`LSTMBlockCell`, `GRUBlockCell`) compute the functions of the plain cells with the
same variables, as one fused op per step (TF's LSTMBlockCell / GRUBlockCell ops, ops/rnn_block.py). contrib's
other cells and wrappers (ConvLSTMCell, NASCell, AttentionCellWrapper, ...) are in rnn_cells.py.
"""
from ..framework.graph import convert_to_tensor
from ..init_ops import constant_initializer, zeros_initializer
from ..ops import array as array_ops
from ..ops import math as math_ops
from ..ops import rnn_block
from ..ops.rnn import (bidirectional_dynamic_rnn, static_bidirectional_rnn, static_rnn,  # noqa: F401
                       static_state_saving_rnn)
from ..ops.rnn_cell import (BasicLSTMCell, BasicRNNCell, DeviceWrapper, DropoutWrapper, GRUCell,  # noqa: F401
                            LSTMCell, LSTMStateTuple, MultiRNNCell, ResidualWrapper, RNNCell, _linear)
from ..variable_scope import variable_scope as _variable_scope
from .rnn_cells import (AttentionCellWrapper, CFNCell, CompiledWrapper, Conv1DLSTMCell, Conv2DLSTMCell,  # noqa: F401
                        Conv3DLSTMCell, ConvLSTMCell, CoupledInputForgetGateLSTMCell, EmbeddingWrapper, GLSTMCell,
                        HighwayWrapper, IndRNNCell, IndyGRUCell, IndyLSTMCell, IntersectionRNNCell, LayerNormLSTMCell,
                        LayerRNNCell, MinimalRNNCell, NASCell, PhasedLSTMCell, SRUCell, UGRNNCell, WeightNormLSTMCell,
                        _LSTMStateCell, _ScopedWrapper, best_effort_input_batch_size, layer_norm, layer_norm_variables,
                        transpose_batch_time)
from .rnn_cells import __all__ as _cells_all
from .rnn_fused import (FusedRNNCell, FusedRNNCellAdaptor, LSTMBlockFusedCell, LSTMBlockWrapper,  # noqa: F401
                        TimeReversedFusedRNN)
from .rnn_fused import __all__ as _fused_all
from .rnn_grid import BidirectionalGridLSTMCell, GridLSTMCell, TimeFreqLSTMCell  # noqa: F401
from .rnn_grid import __all__ as _grid_all
from .rnn_ntm import NTMCell, NTMControllerState  # noqa: F401

__all__ = ["BasicLSTMCell", "BasicRNNCell", "DeviceWrapper", "DropoutWrapper", "GRUCell", "LSTMCell",
           "LSTMStateTuple", "MultiRNNCell", "ResidualWrapper", "RNNCell", "static_rnn",
           "static_bidirectional_rnn", "static_state_saving_rnn", "stack_bidirectional_dynamic_rnn",
           "stack_bidirectional_rnn", "OutputProjectionWrapper", "InputProjectionWrapper",
           "LayerNormBasicLSTMCell", "LSTMBlockCell", "GRUBlockCell", "GRUBlockCellV2", "NTMCell", "NTMControllerState"] + \
    _cells_all + _fused_all + _grid_all


class LSTMBlockCell(LSTMCell):
    """`tf.contrib.rnn.LSTMBlockCell(num_units, forget_bias=1.0, cell_clip=None, use_peephole=False,
    dtype=None, reuse=None, name='lstm_cell')`: contrib's fused LSTM, the function of `LSTMCell` computed
    by one LSTMBlockCell op per step, with LSTMCell's variables ('kernel', 'bias', 'w_f_diag',
    'w_i_diag', 'w_o_diag'); `cell_clip` None or negative means no clipping."""

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None, use_peephole=False, dtype=None, reuse=None,
                 name="lstm_cell"):
        if cell_clip is not None and cell_clip < 0:
            cell_clip = None
        super().__init__(num_units, use_peepholes=use_peephole, cell_clip=cell_clip, forget_bias=forget_bias,
                         reuse=reuse, name=name, dtype=dtype)

    def call(self, inputs, state):
        cs_prev, h_prev = state
        wcf, wci, wco = _peephole_inputs(self, inputs.dtype)
        _, cs, _, _, _, _, h = rnn_block.lstm_block_cell(
            inputs, cs_prev, h_prev, self._kernel, wci, wcf, wco, self._bias, forget_bias=self._forget_bias,
            cell_clip=-1.0 if self._cell_clip is None else self._cell_clip, use_peephole=self._use_peepholes)
        return h, LSTMStateTuple(cs, h)


def _peephole_inputs(cell, dtype):
    """(w_f_diag, w_i_diag, w_o_diag) of an LSTMCell-built cell, or one zero vector for all three (the
    fused ops always take them)."""
    if cell._use_peepholes:
        return cell._peepholes
    zeros = array_ops.zeros([cell._num_units], dtype=dtype)
    return zeros, zeros, zeros


class GRUBlockCellV2(GRUCell):
    """`tf.contrib.rnn.GRUBlockCellV2(num_units=None, reuse=None, name='gru_cell')`: contrib's fused GRU,
    the function of `GRUCell` computed by one GRUBlockCell op per step, with GRUCell's variables
    ('gates/kernel', 'gates/bias', 'candidate/kernel', 'candidate/bias')."""

    def __init__(self, num_units=None, cell_size=None, reuse=None, name="gru_cell"):
        if num_units is None:
            num_units = cell_size
        if num_units is None:
            raise ValueError("GRUBlockCell needs num_units")
        super().__init__(num_units, reuse=reuse, name=name)

    def call(self, inputs, state):
        _, _, _, h = rnn_block.gru_block_cell(inputs, state, self._gate_kernel, self._candidate_kernel,
                                              self._gate_bias, self._candidate_bias)
        return h, h


class GRUBlockCell(GRUBlockCellV2):
    """`tf.contrib.rnn.GRUBlockCell(num_units=None, cell_size=None, reuse=None, name='gru_cell')`: the
    same cell as GRUBlockCellV2 under TF1's original variable names, 'w_ru' and 'b_ru' (the reset and
    update gates; 'b_ru' starts at 1) and 'w_c' and 'b_c' (the candidate), so TF1 checkpoints of it load."""

    def build(self, input_depth):
        dtype = self._build_dtype
        n = self._num_units
        self._gate_kernel = self._add_variable("w_ru", [input_depth + n, 2 * n], dtype)
        self._gate_bias = self._add_variable("b_ru", [2 * n], dtype, constant_initializer(1.0))
        self._candidate_kernel = self._add_variable("w_c", [input_depth + n, n], dtype)
        self._candidate_bias = self._add_variable("b_c", [n], dtype, zeros_initializer())


class _ProjectionWrapper(_ScopedWrapper):
    """A scoped wrapper that applies one dense projection ('kernel', 'bias', then `activation`)."""

    def _build_projection(self, rows, columns, dtype):
        self._kernel = self._add_variable("kernel", [rows, columns], dtype)
        self._bias = self._add_variable("bias", [columns], dtype, zeros_initializer())

    def _project(self, value):
        projected = _linear([value], self._kernel, self._bias)
        return projected if self._activation is None else self._activation(projected)


class OutputProjectionWrapper(_ProjectionWrapper):
    """`tf.contrib.rnn.OutputProjectionWrapper(cell, output_size, activation=None, reuse=None)`: the
    wrapped cell's output times 'kernel' plus 'bias' (then `activation`), giving `output_size` features."""

    _default_name = "output_projection_wrapper"

    def __init__(self, cell, output_size, activation=None, reuse=None):
        super().__init__(cell, reuse)
        if output_size < 1:
            raise ValueError("Parameter output_size must be > 0: %d." % output_size)
        self._output_size = int(output_size)
        self._activation = activation

    @property
    def output_size(self):
        return self._output_size

    def build(self, input_depth):
        dtype = self._build_dtype
        self._cell._maybe_build(input_depth, dtype)
        self._build_projection(int(self._cell.output_size), self._output_size, dtype)

    def call(self, inputs, state):
        output, new_state = self._cell(inputs, state)
        return self._project(output), new_state


class InputProjectionWrapper(_ProjectionWrapper):
    """`tf.contrib.rnn.InputProjectionWrapper(cell, num_proj, activation=None, input_size=None,
    reuse=None)`: the inputs times 'kernel' plus 'bias' (then `activation`) fed to the wrapped cell."""

    _default_name = "input_projection_wrapper"

    def __init__(self, cell, num_proj, activation=None, input_size=None, reuse=None):
        super().__init__(cell, reuse)
        self._num_proj = int(num_proj)
        self._activation = activation

    def build(self, input_depth):
        dtype = self._build_dtype
        self._build_projection(input_depth, self._num_proj, dtype)
        self._cell._maybe_build(self._num_proj, dtype)

    def call(self, inputs, state):
        return self._cell(self._project(inputs), state)


class LayerNormBasicLSTMCell(_LSTMStateCell):
    """`tf.contrib.rnn.LayerNormBasicLSTMCell(num_units, forget_bias=1.0, input_size=None, activation=tanh,
    layer_norm=True, norm_gain=1.0, norm_shift=0.0, dropout_keep_prob=1.0, dropout_prob_seed=None,
    reuse=None)`: BasicLSTMCell with layer normalisation (Ba et al., 2016) of each gate and of the new
    memory, and recurrent dropout (Semeniuta et al., 2016) on the candidate.

    i, j, f, o = split([inputs, h] 'kernel', 4) (plus 'bias' only without layer_norm); each gate is
    normalised over its features with its own 'input'/'transform'/'forget'/'output' gamma and beta (as is
    new_c with 'state/gamma', 'state/beta'), variance epsilon 1e-12, as contrib's cell.
    """

    _default_name = "layer_norm_basic_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, input_size=None, activation=None, layer_norm=True,
                 norm_gain=1.0, norm_shift=0.0, dropout_keep_prob=1.0, dropout_prob_seed=None, reuse=None):
        super().__init__(reuse=reuse)
        self._num_units = int(num_units)
        self._forget_bias = float(forget_bias)
        self._activation = activation or math_ops.tanh
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed

    def build(self, input_depth):
        dtype = self._build_dtype
        n = self._num_units
        self._kernel = self._add_variable("kernel", [input_depth + n, 4 * n], dtype)
        if not self._layer_norm:
            self._bias = self._add_variable("bias", [4 * n], dtype, zeros_initializer())
            return
        self._norms = {part: layer_norm_variables(self, part, n, dtype, self._norm_gain, self._norm_shift)
                       for part in ("input", "transform", "forget", "output", "state")}

    def _norm(self, tensor, part):
        return layer_norm(tensor, self._norms[part])

    def call(self, inputs, state):
        c, h = state
        if self._layer_norm:
            gates = math_ops.matmul(array_ops.concat([inputs, h], 1), self._kernel)
        else:
            gates = _linear([inputs, h], self._kernel, self._bias)
        i, j, f, o = array_ops.split(gates, 4, axis=1)
        if self._layer_norm:
            i, j, f, o = (self._norm(i, "input"), self._norm(j, "transform"), self._norm(f, "forget"),
                          self._norm(o, "output"))
        candidate = self._activation(j)
        if not (isinstance(self._keep_prob, (int, float)) and float(self._keep_prob) == 1.0):
            from ..ops.nn import dropout
            candidate = dropout(candidate, keep_prob=self._keep_prob, seed=self._seed)
        forget = math_ops.sigmoid(math_ops.add(f, convert_to_tensor(self._forget_bias, dtype=f.dtype)))
        new_c = math_ops.add(math_ops.multiply(c, forget), math_ops.multiply(math_ops.sigmoid(i), candidate))
        if self._layer_norm:
            new_c = self._norm(new_c, "state")
        new_h = math_ops.multiply(self._activation(new_c), math_ops.sigmoid(o))
        return new_h, LSTMStateTuple(new_c, new_h)


def _check_stacks(cells_fw, cells_bw, initial_states_fw, initial_states_bw):
    if not cells_fw:
        raise ValueError("Must specify at least one fw cell for BidirectionalRNN.")
    if not cells_bw:
        raise ValueError("Must specify at least one bw cell for BidirectionalRNN.")
    if not isinstance(cells_fw, list):
        raise ValueError("cells_fw must be a list of RNNCells (one per layer).")
    if not isinstance(cells_bw, list):
        raise ValueError("cells_bw must be a list of RNNCells (one per layer).")
    if len(cells_fw) != len(cells_bw):
        raise ValueError("Forward and Backward cells must have the same depth.")
    for states in (initial_states_fw, initial_states_bw):
        if states is not None and (not isinstance(states, list) or len(states) != len(cells_fw)):
            raise ValueError("initial_states must be a list of states (one per layer).")


def _layer_state(states, index):
    return states[index] if states else None


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None, initial_states_bw=None,
                                    dtype=None, sequence_length=None, parallel_iterations=None, time_major=False,
                                    scope=None, swap_memory=False):
    """`tf.contrib.rnn.stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
    initial_states_bw=None, dtype=None, sequence_length=None, time_major=False, scope=None)`: layers of
    `bidirectional_dynamic_rnn`, each reading the previous layer's [forward, backward] outputs
    concatenated. Returns `(outputs, states_fw, states_bw)`; variables in
    'stack_bidirectional_rnn/cell_<k>/bidirectional_rnn/{fw,bw}/...'."""
    _check_stacks(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    states_fw, states_bw = [], []
    layer = inputs
    with _variable_scope(scope or "stack_bidirectional_rnn"):
        for index, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with _variable_scope("cell_%d" % index):
                outputs, (state_fw, state_bw) = bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, layer, initial_state_fw=_layer_state(initial_states_fw, index),
                    initial_state_bw=_layer_state(initial_states_bw, index), sequence_length=sequence_length,
                    dtype=dtype, time_major=time_major)
                layer = array_ops.concat(list(outputs), 2)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer, tuple(states_fw), tuple(states_bw)


def stack_bidirectional_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None, initial_states_bw=None, dtype=None,
                            sequence_length=None, scope=None):
    """`tf.contrib.rnn.stack_bidirectional_rnn(cells_fw, cells_bw, inputs, ...)`: layers of
    `static_bidirectional_rnn` over the list `inputs`. Returns `(outputs, states_fw, states_bw)`."""
    _check_stacks(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    if not inputs:
        raise ValueError("inputs must not be empty")
    states_fw, states_bw = [], []
    layer = inputs
    with _variable_scope(scope or "stack_bidirectional_rnn"):
        for index, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with _variable_scope("cell_%d" % index) as layer_scope:
                layer, state_fw, state_bw = static_bidirectional_rnn(
                    cell_fw, cell_bw, layer, initial_state_fw=_layer_state(initial_states_fw, index),
                    initial_state_bw=_layer_state(initial_states_bw, index), sequence_length=sequence_length,
                    dtype=dtype, scope=layer_scope)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer, tuple(states_fw), tuple(states_bw)
