"""tf.contrib.rnn's own recurrent cells: LSTM variants (coupled gates, layer normalisation, NAS, the
independently recurrent Ind*/Indy* cells, SRU, UGRNN, +RNN, G-LSTM), the convolutional LSTMs, and the
attention and highway wrappers.

Each cell creates its variables once, in `build`, under the names TF1's contrib cells give them (e.g.
'coupled_input_forget_gate_lstm_cell/W_0', 'nas_cell/recurrent_kernel', 'attention_cell_wrapper/
attention/attn_w'), so that TF1 checkpoints of these cells restore into numflow graphs.
"""
import numbers

import numpy as np

from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.tensor_shape import TensorShape
from ..init_ops import constant_initializer, random_uniform_initializer, zeros_initializer
from ..ops import array as array_ops
from ..ops import conv as conv_ops
from ..ops import math as math_ops
from ..ops import nn as nn_ops
from ..ops.control import _flatten, stop_gradient
from ..ops.rnn_cell import (LSTMStateTuple, RNNCell, _CellWrapper, _clip, _InitializedUnitsCell, _linear,
                            _UnitsCell, _Wrapper)
from ..variable_scope import variable_scope as _variable_scope

__all__ = ["CoupledInputForgetGateLSTMCell", "LayerNormLSTMCell", "NASCell", "UGRNNCell", "IntersectionRNNCell",
           "SRUCell", "IndRNNCell", "IndyGRUCell", "IndyLSTMCell", "GLSTMCell", "HighwayWrapper",
           "AttentionCellWrapper", "ConvLSTMCell", "Conv1DLSTMCell", "Conv2DLSTMCell", "Conv3DLSTMCell",
           "MinimalRNNCell", "CFNCell", "WeightNormLSTMCell", "PhasedLSTMCell", "EmbeddingWrapper", "CompiledWrapper",
           "LayerRNNCell", "transpose_batch_time", "best_effort_input_batch_size"]


# --- shared pieces ---------------------------------------------------------------------------------
def layer_norm_variables(cell, part, size, dtype, gain, shift):
    """'<part>/gamma' (initialised to `gain`) and '<part>/beta' (to `shift`), as contrib's cells create
    them for each layer-normalised gate."""
    with _variable_scope(part):
        return (cell._add_variable("gamma", [size], dtype, constant_initializer(gain)),
                cell._add_variable("beta", [size], dtype, constant_initializer(shift)))


def layer_norm(tensor, gamma_beta):
    """Normalises each row over its features (variance epsilon 1e-12, as tf.contrib.layers.layer_norm),
    then scales by gamma and shifts by beta."""
    gamma, beta = gamma_beta
    mean, variance = nn_ops.moments(tensor, [1], keep_dims=True)
    return nn_ops.batch_normalization(tensor, mean, variance, beta, gamma, 1e-12)


def _sharded_kernel(cell, name, shape, dtype, num_shards, initializer=None):
    """A [rows, cols] weight stored as `num_shards` row blocks '<name>_0', '<name>_1', ... (the first
    rows % num_shards blocks one row longer), concatenated; one shard is the variable itself."""
    rows = shape[0]
    if num_shards > rows:
        raise ValueError("Too many shards: shape=%s, num_shards=%d" % (shape, num_shards))
    base, extra = divmod(rows, num_shards)
    shards = [cell._add_variable("%s_%d" % (name, i), [base + (i < extra)] + list(shape[1:]), dtype, initializer)
              for i in range(num_shards)]
    return shards[0] if num_shards == 1 else array_ops.concat(shards, 0)


class _LSTMStateCell(RNNCell):
    """An LSTM variant whose state is (c [num_units], m [num_proj or num_units]) and whose output is m
    (cells with no projection leave `_num_proj` None); the state is an LSTMStateTuple unless the cell
    sets `_state_is_tuple` False (then [c, m] joined). Also the pieces LSTMCell-like cells share:
    peephole and projection variables and the peephole LSTM update."""

    _num_proj = None
    _state_is_tuple = True

    @property
    def state_size(self):
        width = self.output_size
        return LSTMStateTuple(self._num_units, width) if self._state_is_tuple else self._num_units + width

    @property
    def output_size(self):
        return self._num_proj or self._num_units

    def _set_lstm_options(self, num_units, use_peepholes, cell_clip, initializer, num_proj, proj_clip, forget_bias,
                          activation):
        self._num_units = int(num_units)
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._activation = activation or math_ops.tanh

    def _peephole_variables(self, dtype):
        """'w_f_diag', 'w_i_diag', 'w_o_diag' [num_units], in that order."""
        return [self._add_variable(name, [self._num_units], dtype, self._initializer)
                for name in ("w_f_diag", "w_i_diag", "w_o_diag")]

    def _projection_variable(self, dtype):
        """'projection/kernel' [num_units, num_proj]."""
        with _variable_scope("projection"):
            return self._add_variable("kernel", [self._num_units, self._num_proj], dtype, self._initializer)

    def _peephole_lstm_update(self, i, j, f, o, c_prev, normalise_c=None):
        """LSTMCell's update from the gate pre-activations: c' = sigmoid(f + forget_bias (+ w_f c))
        c + sigmoid(i (+ w_i c)) activation(j), then `normalise_c` and the cell clip; m' =
        sigmoid(o (+ w_o c')) activation(c'), then the projection and its clip. Returns (c', m')."""
        f = f + _forget_bias(self._forget_bias, f)
        if self._use_peepholes:
            w_f, w_i, w_o = self._peepholes
            f = f + w_f * c_prev
            i = i + w_i * c_prev
        c = math_ops.sigmoid(f) * c_prev + math_ops.sigmoid(i) * self._activation(j)
        if normalise_c is not None:
            c = normalise_c(c)
        c = _maybe_clip(c, self._cell_clip)
        if self._use_peepholes:
            o = o + w_o * c
        m = math_ops.sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = _maybe_clip(math_ops.matmul(m, self._projection), self._proj_clip)
        return c, m


def _split_lstm_state(state, num_units, state_is_tuple):
    if state_is_tuple:
        return state
    return state[:, :num_units], state[:, num_units:]


def _join_lstm_state(c, m, state_is_tuple):
    return LSTMStateTuple(c, m) if state_is_tuple else array_ops.concat([c, m], 1)


def _cell_name_scope(cell):
    """The name scope a built cell's ops go in: the last part of its variable scope's name."""
    return name_scope(cell._scope.name.split("/")[-1])


def _maybe_clip(tensor, limit):
    return tensor if limit is None else _clip(tensor, limit)


def _forget_bias(value, like):
    return convert_to_tensor(value, dtype=like.dtype)


# --- LSTM variants ---------------------------------------------------------------------------------
class CoupledInputForgetGateLSTMCell(_LSTMStateCell):
    """`tf.contrib.rnn.CoupledInputForgetGateLSTMCell(num_units, use_peepholes=False, initializer=None,
    num_proj=None, proj_clip=None, num_unit_shards=1, num_proj_shards=1, forget_bias=1.0,
    state_is_tuple=True, activation=tanh, reuse=None, layer_norm=False, norm_gain=1.0, norm_shift=0.0)`:
    an LSTM whose input gate is one minus its forget gate (Greff et al., 2015):

        j, f, o = split([inputs, m] W (+ B), 3)
        f = sigmoid(f + forget_bias (+ W_F_diag c))
        c' = f c + (1 - f) activation(j);  m' = sigmoid(o (+ W_O_diag c')) activation(c')   (then m' W_P)

    Variables 'W_<shard>', 'B' (created, but not added, with layer_norm), 'W_F_diag', 'W_O_diag',
    'W_P_<shard>', and with layer_norm 'transform'/'forget'/'output'/'state' gamma and beta.
    """

    _default_name = "coupled_input_forget_gate_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, initializer=None, num_proj=None, proj_clip=None,
                 num_unit_shards=1, num_proj_shards=1, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, layer_norm=False, norm_gain=1.0, norm_shift=0.0):
        super().__init__(reuse=reuse)
        self._set_lstm_options(num_units, use_peepholes, None, initializer, num_proj, proj_clip, forget_bias,
                               activation)
        self._shards = (int(num_unit_shards), int(num_proj_shards))
        self._state_is_tuple = state_is_tuple
        self._layer_norm = layer_norm
        self._norm = (norm_gain, norm_shift)

    def build(self, input_depth):
        dtype, n = self._build_dtype, self._num_units
        self._kernel = _sharded_kernel(self, "W", [input_depth + self.output_size, 3 * n], dtype, self._shards[0],
                                       self._initializer)
        self._bias = self._add_variable("B", [3 * n], dtype, zeros_initializer())
        self._norms = {}
        if self._layer_norm:
            for part in ("transform", "forget", "output"):
                self._norms[part] = layer_norm_variables(self, part, n, dtype, *self._norm)
        if self._use_peepholes:
            self._w_f_diag = self._add_variable("W_F_diag", [n], dtype, self._initializer)
            self._w_o_diag = self._add_variable("W_O_diag", [n], dtype, self._initializer)
        if self._layer_norm:
            self._norms["state"] = layer_norm_variables(self, "state", n, dtype, *self._norm)
        if self._num_proj is not None:
            self._projection = _sharded_kernel(self, "W_P", [n, self._num_proj], dtype, self._shards[1],
                                               self._initializer)

    def call(self, inputs, state):
        c_prev, m_prev = _split_lstm_state(state, self._num_units, self._state_is_tuple)
        gates = math_ops.matmul(array_ops.concat([inputs, m_prev], 1), self._kernel)
        if not self._layer_norm:
            gates = nn_ops.bias_add(gates, self._bias)
        j, f, o = array_ops.split(gates, 3, axis=1)
        if self._layer_norm:
            j, f, o = (layer_norm(j, self._norms["transform"]), layer_norm(f, self._norms["forget"]),
                       layer_norm(o, self._norms["output"]))
        f = f + _forget_bias(self._forget_bias, f)
        if self._use_peepholes:
            f = f + self._w_f_diag * c_prev
        forget = math_ops.sigmoid(f)
        c = forget * c_prev + (1.0 - forget) * self._activation(j)
        if self._layer_norm:
            c = layer_norm(c, self._norms["state"])
        if self._use_peepholes:
            o = o + self._w_o_diag * c
        m = math_ops.sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = math_ops.matmul(m, self._projection)
            m = _maybe_clip(m, self._proj_clip)
        return m, _join_lstm_state(c, m, self._state_is_tuple)


class LayerNormLSTMCell(_LSTMStateCell):
    """`tf.contrib.rnn.LayerNormLSTMCell(num_units, use_peepholes=False, cell_clip=None, initializer=None,
    num_proj=None, proj_clip=None, forget_bias=1.0, activation=None, layer_norm=False, norm_gain=1.0,
    norm_shift=0.0, reuse=None)`: `LSTMCell` (peepholes, cell clipping, projection) with optional layer
    normalisation of each gate and of the new cell state, applied before the nonlinearities and instead
    of the bias. Variables 'kernel', 'bias', '<gate>/gamma', '<gate>/beta', 'w_f_diag', 'w_i_diag',
    'w_o_diag', 'projection/kernel'."""

    _default_name = "layer_norm_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None, num_proj=None,
                 proj_clip=None, forget_bias=1.0, activation=None, layer_norm=False, norm_gain=1.0, norm_shift=0.0,
                 reuse=None):
        super().__init__(reuse=reuse)
        self._set_lstm_options(num_units, use_peepholes, cell_clip, initializer, num_proj, proj_clip, forget_bias,
                               activation)
        self._layer_norm = layer_norm
        self._norm = (norm_gain, norm_shift)

    def build(self, input_depth):
        dtype, n = self._build_dtype, self._num_units
        self._kernel = self._add_variable("kernel", [input_depth + self.output_size, 4 * n], dtype, self._initializer)
        self._bias = self._add_variable("bias", [4 * n], dtype, zeros_initializer())
        self._norms = {}
        if self._layer_norm:
            for part in ("input", "transform", "forget", "output"):
                self._norms[part] = layer_norm_variables(self, part, n, dtype, *self._norm)
        if self._use_peepholes:
            self._peepholes = self._peephole_variables(dtype)
        if self._layer_norm:
            self._norms["state"] = layer_norm_variables(self, "state", n, dtype, *self._norm)
        if self._num_proj is not None:
            self._projection = self._projection_variable(dtype)

    def call(self, inputs, state):
        c_prev, m_prev = state
        gates = math_ops.matmul(array_ops.concat([inputs, m_prev], 1), self._kernel)
        if not self._layer_norm:
            gates = nn_ops.bias_add(gates, self._bias)
        i, j, f, o = array_ops.split(gates, 4, axis=1)
        if self._layer_norm:
            i, j, f, o = (layer_norm(x, self._norms[part])
                          for x, part in zip((i, j, f, o), ("input", "transform", "forget", "output")))
        normalise_c = (lambda c: layer_norm(c, self._norms["state"])) if self._layer_norm else None
        c, m = self._peephole_lstm_update(i, j, f, o, c_prev, normalise_c)
        return m, LSTMStateTuple(c, m)


class NASCell(_LSTMStateCell):
    """`tf.contrib.rnn.NASCell(num_units, num_proj=None, use_bias=False, reuse=None)`: the recurrent cell
    found by Neural Architecture Search (Zoph & Le, 2017). The input ('kernel') and the previous output
    ('recurrent_kernel', plus 'bias' with use_bias) each give 8 branches x_k, m_k combined as

        l1 = [sig(x0+m0), relu(x1+m1), sig(x2+m2), relu(x3*m3), tanh(x4+m4), sig(x5+m5), tanh(x6+m6),
              sig(x7+m7)]
        c' = tanh(tanh(l1_0 l1_1) + c) tanh(l1_2 + l1_3)
        m' = tanh(c' tanh(tanh(l1_4 l1_5) + sig(l1_6 + l1_7)))       (then m' 'projection_weights')
    """

    _default_name = "nas_cell"
    _NAS_BASE = 8

    def __init__(self, num_units, num_proj=None, use_bias=False, reuse=None, **kwargs):
        super().__init__(reuse=reuse, name=kwargs.get("name"), dtype=kwargs.get("dtype"))
        self._num_units = int(num_units)
        self._num_proj = num_proj
        self._use_bias = use_bias

    def build(self, input_depth):
        dtype, width = self._build_dtype, self._NAS_BASE * self._num_units
        self._recurrent_kernel = self._add_variable("recurrent_kernel", [self.output_size, width], dtype)
        self._kernel = self._add_variable("kernel", [input_depth, width], dtype)
        if self._use_bias:
            self._bias = self._add_variable("bias", [width], dtype, zeros_initializer())
        if self._num_proj is not None:
            self._projection = self._add_variable("projection_weights", [self._num_units, self._num_proj], dtype)

    def call(self, inputs, state):
        c_prev, m_prev = state
        recurrent = math_ops.matmul(m_prev, self._recurrent_kernel)
        if self._use_bias:
            recurrent = nn_ops.bias_add(recurrent, self._bias)
        m = array_ops.split(recurrent, self._NAS_BASE, axis=1)
        x = array_ops.split(math_ops.matmul(inputs, self._kernel), self._NAS_BASE, axis=1)
        sigmoid, tanh, relu = math_ops.sigmoid, math_ops.tanh, nn_ops.relu
        layer1 = [sigmoid(x[0] + m[0]), relu(x[1] + m[1]), sigmoid(x[2] + m[2]), relu(x[3] * m[3]),
                  tanh(x[4] + m[4]), sigmoid(x[5] + m[5]), tanh(x[6] + m[6]), sigmoid(x[7] + m[7])]
        injected = tanh(tanh(layer1[0] * layer1[1]) + c_prev)
        new_c = injected * tanh(layer1[2] + layer1[3])
        new_m = tanh(new_c * tanh(tanh(layer1[4] * layer1[5]) + sigmoid(layer1[6] + layer1[7])))
        if self._num_proj is not None:
            new_m = math_ops.matmul(new_m, self._projection)
        return new_m, LSTMStateTuple(new_c, new_m)


class GLSTMCell(_LSTMStateCell):
    """`tf.contrib.rnn.GLSTMCell(num_units, initializer=None, num_proj=None, number_of_groups=1,
    forget_bias=1.0, activation=tanh, reuse=None)`: group LSTM (Kuchaiev & Ginsburg, 2017): the input
    and the previous output are cut into `number_of_groups` equal slices, group k computes its slice of
    the i, j, f, o gates from its slices alone ('group<k>/kernel', no bias), then the gates get
    'bias_i', 'bias_j', 'bias_f', 'bias_o' and the LSTM update; 'projection/kernel' with num_proj."""

    _default_name = "glstm_cell"

    def __init__(self, num_units, initializer=None, num_proj=None, number_of_groups=1, forget_bias=1.0,
                 activation=None, reuse=None):
        super().__init__(reuse=reuse)
        self._num_units = int(num_units)
        self._initializer = initializer
        self._num_proj = num_proj
        self._groups = int(number_of_groups)
        self._forget_bias = forget_bias
        self._activation = activation or math_ops.tanh
        if self._num_units % self._groups:
            raise ValueError("num_units must be divisible by number_of_groups")
        if num_proj and num_proj % self._groups:
            raise ValueError("num_proj must be divisible by number_of_groups")

    def build(self, input_depth):
        if input_depth % self._groups:
            raise ValueError("input size (%d) must be divisible by number_of_groups (%d)"
                             % (input_depth, self._groups))
        dtype = self._build_dtype
        self._input_group = input_depth // self._groups
        self._output_group = self.output_size // self._groups
        unit_group = self._num_units // self._groups
        self._group_kernels = []
        for k in range(self._groups):
            with _variable_scope("group%d" % k):
                self._group_kernels.append(self._add_variable(
                    "kernel", [self._input_group + self._output_group, 4 * unit_group], dtype, self._initializer))
        self._biases = [self._add_variable("bias_" + gate, [self._num_units], dtype, zeros_initializer())
                        for gate in "ijfo"]
        if self._num_proj is not None:
            self._projection = self._projection_variable(dtype)

    def call(self, inputs, state):
        c_prev, m_prev = state
        parts = [[], [], [], []]
        for k, kernel in enumerate(self._group_kernels):
            group_input = array_ops.concat([inputs[:, k * self._input_group:(k + 1) * self._input_group],
                                            m_prev[:, k * self._output_group:(k + 1) * self._output_group]], 1)
            for gate, value in zip(parts, array_ops.split(math_ops.matmul(group_input, kernel), 4, axis=1)):
                gate.append(value)
        i, j, f, o = (nn_ops.bias_add(array_ops.concat(gate, 1), bias) for gate, bias in zip(parts, self._biases))
        c = math_ops.sigmoid(f + _forget_bias(self._forget_bias, f)) * c_prev + math_ops.sigmoid(i) * math_ops.tanh(j)
        m = math_ops.sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = math_ops.matmul(m, self._projection)
        return m, LSTMStateTuple(c, m)


# --- single-state cells ----------------------------------------------------------------------------
class UGRNNCell(_UnitsCell):
    """`tf.contrib.rnn.UGRNNCell(num_units, initializer=None, forget_bias=1.0, activation=tanh,
    reuse=None)`: the update-gate RNN (Collins et al., 2017): g, c = split([inputs, h] 'kernel' +
    'bias', 2); h' = sigmoid(g + forget_bias) h + (1 - sigmoid(g + forget_bias)) activation(c)."""

    _default_name = "ugrnn_cell"

    def __init__(self, num_units, initializer=None, forget_bias=1.0, activation=None, reuse=None):
        super().__init__(num_units, activation, reuse)
        self._initializer = initializer
        self._forget_bias = forget_bias

    def build(self, input_depth):
        dtype, n = self._build_dtype, self._num_units
        self._kernel = self._add_variable("kernel", [input_depth + n, 2 * n], dtype, self._initializer)
        self._bias = self._add_variable("bias", [2 * n], dtype, zeros_initializer())

    def call(self, inputs, state):
        g, c = array_ops.split(_linear([inputs, state], self._kernel, self._bias), 2, axis=1)
        gate = math_ops.sigmoid(g + _forget_bias(self._forget_bias, g))
        new_state = gate * state + (1.0 - gate) * self._activation(c)
        return new_state, new_state


class IntersectionRNNCell(_UnitsCell):
    """`tf.contrib.rnn.IntersectionRNNCell(num_units, num_in_proj=None, initializer=None, forget_bias=1.0,
    y_activation=relu, reuse=None)`: the +RNN (Collins et al., 2017), gated both through time and
    through depth. Inputs wider or narrower than num_units need `num_in_proj` ('in_projection/kernel',
    'bias'). gh, h, gy, y = split([x, s] 'kernel' + 'bias'); s' = gh s + (1 - gh) tanh(h) and the output
    gy x + (1 - gy) y_activation(y), with both gates sigmoid(. + forget_bias)."""

    _default_name = "intersection_rnn_cell"

    def __init__(self, num_units, num_in_proj=None, initializer=None, forget_bias=1.0, y_activation=None,
                 reuse=None):
        super().__init__(num_units, reuse=reuse)
        self._num_in_proj = num_in_proj
        self._initializer = initializer
        self._forget_bias = forget_bias
        self._y_activation = y_activation or nn_ops.relu

    def build(self, input_depth):
        dtype, n = self._build_dtype, self._num_units
        self._in_projection = None
        if input_depth != n:
            if not self._num_in_proj:
                raise ValueError("Must have input size == output size for Intersection RNN. To fix, num_in_proj "
                                 "should be set to num_units at cell init.")
            with _variable_scope("in_projection"):
                self._in_projection = (self._add_variable("kernel", [input_depth, n], dtype, self._initializer),
                                       self._add_variable("bias", [n], dtype, zeros_initializer()))
        self._kernel = self._add_variable("kernel", [2 * n, 4 * n], dtype, self._initializer)
        self._bias = self._add_variable("bias", [4 * n], dtype, zeros_initializer())

    def call(self, inputs, state):
        if self._in_projection is not None:
            inputs = _linear([inputs], *self._in_projection)
        gh, h, gy, y = array_ops.split(_linear([inputs, state], self._kernel, self._bias), 4, axis=1)
        gate_h = math_ops.sigmoid(gh + _forget_bias(self._forget_bias, gh))
        gate_y = math_ops.sigmoid(gy + _forget_bias(self._forget_bias, gy))
        new_state = gate_h * state + (1.0 - gate_h) * math_ops.tanh(h)
        new_y = gate_y * inputs + (1.0 - gate_y) * self._y_activation(y)
        return new_y, new_state


class SRUCell(_UnitsCell):
    """`tf.contrib.rnn.SRUCell(num_units, activation=None, reuse=None, name=None)`: the simple recurrent
    unit (Lei et al., 2017): x~, f, r, x' = split(inputs 'kernel', 4); f, r = sigmoid([f, r] + 'bias');
    c' = f c + (1 - f) x~; h' = r activation(c') + (1 - r) x'. Outputs h', the state is c'."""

    _default_name = "sru_cell"

    def __init__(self, num_units, activation=None, reuse=None, name=None, **kwargs):
        super().__init__(num_units, activation, reuse, name=name, dtype=kwargs.get("dtype"))

    def build(self, input_depth):
        dtype, n = self._build_dtype, self._num_units
        self._kernel = self._add_variable("kernel", [input_depth, 4 * n], dtype)
        self._bias = self._add_variable("bias", [2 * n], dtype, zeros_initializer())

    def call(self, inputs, state):
        x_bar, f, r, x_skip = array_ops.split(math_ops.matmul(inputs, self._kernel), 4, axis=1)
        forget, reset = array_ops.split(math_ops.sigmoid(nn_ops.bias_add(array_ops.concat([f, r], 1), self._bias)),
                                        2, axis=1)
        c = forget * state + (1.0 - forget) * x_bar
        h = reset * self._activation(c) + (1.0 - reset) * x_skip
        return h, c


class _IndependentCell(_InitializedUnitsCell):
    """Cells whose recurrence is elementwise: each unit sees only its own previous state, through a
    [1, k * num_units] weight 'kernel_u'-style vector (initialised uniformly in [-1, 1])."""

    def _recurrent_weight(self, name, width, dtype):
        return self._add_variable(name, [1, width], dtype, random_uniform_initializer(-1.0, 1.0))

    def _bias_variable(self, name, width, dtype, default):
        return self._add_variable(name, [width], dtype, self._bias_initializer or default)


class IndRNNCell(_IndependentCell):
    """`tf.contrib.rnn.IndRNNCell(num_units, activation=None, reuse=None, name=None, dtype=None)`: the
    independently recurrent cell (Li et al., 2018): h' = activation(inputs 'kernel_w' + 'kernel_u' h +
    'bias')."""

    _default_name = "ind_rnn_cell"

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(num_units, activation, reuse, name=name, dtype=dtype)

    def build(self, input_depth):
        dtype, n = self._build_dtype, self._num_units
        self._kernel_w = self._add_variable("kernel_w", [input_depth, n], dtype)
        self._kernel_u = self._recurrent_weight("kernel_u", n, dtype)
        self._bias = self._bias_variable("bias", n, dtype, zeros_initializer())

    def call(self, inputs, state):
        output = self._activation(nn_ops.bias_add(math_ops.matmul(inputs, self._kernel_w) + state * self._kernel_u,
                                                  self._bias))
        return output, output


class IndyGRUCell(_IndependentCell):
    """`tf.contrib.rnn.IndyGRUCell(num_units, activation=None, reuse=None, kernel_initializer=None,
    bias_initializer=None, name=None, dtype=None)`: a GRU whose recurrent matrices are diagonal:
    r, u = sigmoid(x 'gates/kernel_w' + [h, h] 'gates/kernel_u' + 'gates/bias' (init 1));
    h~ = activation(x 'candidate/kernel' + r h 'candidate/kernel_u' + 'candidate/bias');
    h' = u h + (1 - u) h~."""

    _default_name = "indy_gru_cell"

    def build(self, input_depth):
        dtype, n = self._build_dtype, self._num_units
        self._gate_w = self._add_variable("gates/kernel_w", [input_depth, 2 * n], dtype, self._kernel_initializer)
        self._gate_u = self._recurrent_weight("gates/kernel_u", 2 * n, dtype)
        self._gate_bias = self._bias_variable("gates/bias", 2 * n, dtype, constant_initializer(1.0))
        self._candidate_w = self._add_variable("candidate/kernel", [input_depth, n], dtype, self._kernel_initializer)
        self._candidate_u = self._recurrent_weight("candidate/kernel_u", n, dtype)
        self._candidate_bias = self._bias_variable("candidate/bias", n, dtype, zeros_initializer())

    def call(self, inputs, state):
        gates = math_ops.matmul(inputs, self._gate_w) + array_ops.tile(state, [1, 2]) * self._gate_u
        r, u = array_ops.split(math_ops.sigmoid(nn_ops.bias_add(gates, self._gate_bias)), 2, axis=1)
        candidate = math_ops.matmul(inputs, self._candidate_w) + r * state * self._candidate_u
        c = self._activation(nn_ops.bias_add(candidate, self._candidate_bias))
        new_h = u * state + (1.0 - u) * c
        return new_h, new_h


class IndyLSTMCell(_IndependentCell):
    """`tf.contrib.rnn.IndyLSTMCell(num_units, forget_bias=1.0, activation=None, reuse=None,
    kernel_initializer=None, bias_initializer=None, name=None, dtype=None)`: BasicLSTMCell with diagonal
    recurrent weights: i, j, f, o = split(x 'kernel_w' + [h, h, h, h] 'kernel_u' + 'bias', 4);
    c' = c sigmoid(f + forget_bias) + sigmoid(i) activation(j); h' = activation(c') sigmoid(o)."""

    _default_name = "indy_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None):
        super().__init__(num_units, activation, reuse, kernel_initializer, bias_initializer, name, dtype)
        self._forget_bias = forget_bias

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    def build(self, input_depth):
        dtype, n = self._build_dtype, self._num_units
        self._kernel_w = self._add_variable("kernel_w", [input_depth, 4 * n], dtype, self._kernel_initializer)
        self._kernel_u = self._recurrent_weight("kernel_u", 4 * n, dtype)
        self._bias = self._bias_variable("bias", 4 * n, dtype, zeros_initializer())

    def call(self, inputs, state):
        c, h = state
        gates = math_ops.matmul(inputs, self._kernel_w) + array_ops.tile(h, [1, 4]) * self._kernel_u
        i, j, f, o = array_ops.split(nn_ops.bias_add(gates, self._bias), 4, axis=1)
        new_c = c * math_ops.sigmoid(f + _forget_bias(self._forget_bias, f)) + \
            math_ops.sigmoid(i) * self._activation(j)
        new_h = self._activation(new_c) * math_ops.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


# --- wrappers --------------------------------------------------------------------------------------
class _ScopedWrapper(_CellWrapper):
    """A wrapper with a variable scope of its own (its variables '<wrapper name>/...', the wrapped cell's
    under '<wrapper name>/<cell name>/'), unlike `_Wrapper`; state, output and zero state are the
    wrapped cell's unless a subclass says otherwise."""

    @property
    def variables(self):
        return list(getattr(self, "_variables", [])) + self._cell.variables


class HighwayWrapper(_Wrapper):
    """`tf.contrib.rnn.HighwayWrapper(cell, couple_carry_transform_gates=True, carry_bias_init=1.0)`: a
    highway connection (Srivastava et al., 2015) around `cell`, whose output must have the input's size:
    carry = sigmoid(x 'carry_w' + 'carry_b'); output = x carry + cell_output transform, where transform
    is 1 - carry, or with uncoupled gates sigmoid(x 'transform_w' + 'transform_b'). As in TF1 the
    highway variables live in the scope the wrapper is called in (e.g. 'rnn/carry_w'), beside the
    wrapped cell's scope."""

    def __init__(self, cell, couple_carry_transform_gates=True, carry_bias_init=1.0):
        super().__init__(cell)
        self._couple = couple_carry_transform_gates
        self._carry_bias_init = float(carry_bias_init)
        self._highway = None

    @property
    def variables(self):
        return self._cell.variables + list(getattr(self, "_variables", []))

    def _maybe_build(self, input_depth, dtype, scope=None):
        self._cell._maybe_build(input_depth, dtype, scope)
        if self._highway is not None:
            return
        dtype = dtypes.as_dtype(dtype) if dtype is not None else dtypes.float32
        size = int(input_depth)
        carry = (self._add_variable("carry_w", [size, size], dtype),
                 self._add_variable("carry_b", [size], dtype, constant_initializer(self._carry_bias_init)))
        transform = None
        if not self._couple:
            transform = (self._add_variable("transform_w", [size, size], dtype),
                         self._add_variable("transform_b", [size], dtype,
                                            constant_initializer(-self._carry_bias_init)))
        self._highway = (carry, transform)

    def __call__(self, inputs, state, scope=None):
        inputs = convert_to_tensor(inputs)
        self._maybe_build(inputs.shape[-1].value, inputs.dtype, scope)
        outputs, new_state = self._cell(inputs, state, scope=scope)
        if not inputs.shape.is_compatible_with(outputs.shape):
            raise ValueError("HighwayWrapper: the cell's output shape %s must match its input shape %s"
                             % (outputs.shape, inputs.shape))
        carry_vars, transform_vars = self._highway
        carry = math_ops.sigmoid(_linear([inputs], *carry_vars))
        if transform_vars is None:
            transform = 1.0 - carry
        else:
            transform = math_ops.sigmoid(_linear([inputs], *transform_vars))
        return inputs * carry + outputs * transform, new_state


class AttentionCellWrapper(RNNCell):
    """`tf.contrib.rnn.AttentionCellWrapper(cell, attn_length, attn_size=None, attn_vec_size=None,
    input_size=None, state_is_tuple=True, reuse=None)`: attention over the cell's last `attn_length`
    outputs (Cheng et al., 2016). The state is (cell state, attention [attn_size], the window of the
    last outputs [attn_length * attn_size]). Each step:

        x = [inputs, attention] 'kernel' + 'bias'            (input_size features, default the input's)
        output, state = cell(x, state)
        scores_t = 'attention/attn_v' . tanh(window_t 'attention/attn_w' + [flat state] 'attention/kernel'
                                            + 'attention/bias')
        attention = sum_t softmax(scores)_t window_t
        output = [output, attention] 'attn_output_projection/kernel' + 'attn_output_projection/bias'

    and the window drops its oldest entry and appends `output`. attn_size defaults to the cell's output
    size, attn_vec_size to attn_size.
    """

    _default_name = "attention_cell_wrapper"

    def __init__(self, cell, attn_length, attn_size=None, attn_vec_size=None, input_size=None, state_is_tuple=True,
                 reuse=None):
        super().__init__(reuse=reuse)
        if not isinstance(cell, RNNCell):
            raise TypeError("The argument 'cell' (%s) is not an RNNCell: 'output_size' property is missing, "
                            "'state_size' property is missing, either 'zero_state' or 'get_initial_state' method "
                            "is required, is not callable." % (cell,))
        if isinstance(cell.state_size, tuple) and not state_is_tuple:
            raise ValueError("Cell returns tuple of states, but the flag state_is_tuple is not set. State size "
                             "is: %s" % str(cell.state_size))
        if attn_length <= 0:
            raise ValueError("attn_length should be greater than zero, got %s" % str(attn_length))
        self._cell = cell
        self._attn_length = int(attn_length)
        self._attn_size = int(attn_size if attn_size is not None else cell.output_size)
        self._attn_vec_size = int(attn_vec_size if attn_vec_size is not None else self._attn_size)
        self._input_size = input_size
        self._state_is_tuple = state_is_tuple

    @property
    def state_size(self):
        sizes = (self._cell.state_size, self._attn_size, self._attn_size * self._attn_length)
        return sizes if self._state_is_tuple else sum(sizes)

    @property
    def output_size(self):
        return self._attn_size

    @property
    def variables(self):
        own = list(getattr(self, "_variables", []))
        return own[:2] + self._cell.variables + own[2:]

    def build(self, input_depth):
        dtype = self._build_dtype
        projected = int(self._input_size or input_depth)
        self._input_projection = (self._add_variable("kernel", [input_depth + self._attn_size, projected], dtype),
                                  self._add_variable("bias", [projected], dtype, zeros_initializer()))
        self._cell._maybe_build(projected, dtype)
        query_size = sum(int(s) for s in _flatten(self._cell.state_size))
        with _variable_scope("attention"):
            self._attn_w = self._add_variable("attn_w", [1, 1, self._attn_size, self._attn_vec_size], dtype)
            self._attn_v = self._add_variable("attn_v", [self._attn_vec_size], dtype)
            self._query_projection = (self._add_variable("kernel", [query_size, self._attn_vec_size], dtype),
                                      self._add_variable("bias", [self._attn_vec_size], dtype, zeros_initializer()))
        with _variable_scope("attn_output_projection"):
            self._output_projection = (
                self._add_variable("kernel", [self._cell.output_size + self._attn_size, self._attn_size], dtype),
                self._add_variable("bias", [self._attn_size], dtype, zeros_initializer()))

    def call(self, inputs, state):
        if self._state_is_tuple:
            cell_state, attention, window = state
        else:
            cell_width = self._cell.state_size
            cell_state = state[:, :cell_width]
            attention = state[:, cell_width:cell_width + self._attn_size]
            window = state[:, cell_width + self._attn_size:]
        window = array_ops.reshape(window, [-1, self._attn_length, self._attn_size])
        cell_inputs = _linear([inputs, attention], *self._input_projection)
        cell_output, new_cell_state = self._cell(cell_inputs, cell_state)
        query = array_ops.concat(_flatten(new_cell_state), 1) if self._state_is_tuple else new_cell_state
        new_attention = self._attend(query, window)
        output = _linear([cell_output, new_attention], *self._output_projection)
        new_window = array_ops.concat([window[:, 1:], array_ops.expand_dims(output, 1)], 1)
        new_window = array_ops.reshape(new_window, [-1, self._attn_length * self._attn_size])
        new_state = (new_cell_state, new_attention, new_window)
        if not self._state_is_tuple:
            new_state = array_ops.concat(list(new_state), 1)
        return output, new_state

    def _attend(self, query, window):
        # attn_w is a 1x1 convolution filter over the window: one matrix applied to every entry.
        flat_window = array_ops.reshape(window, [-1, self._attn_size])
        features = array_ops.reshape(
            math_ops.matmul(flat_window, array_ops.reshape(self._attn_w, [self._attn_size, self._attn_vec_size])),
            [-1, self._attn_length, self._attn_vec_size])
        processed = array_ops.expand_dims(_linear([query], *self._query_projection), 1)
        scores = math_ops.reduce_sum(self._attn_v * math_ops.tanh(features + processed), [2])
        weights = nn_ops.softmax(scores)
        return math_ops.reduce_sum(array_ops.expand_dims(weights, 2) * window, [1])


# --- convolutional LSTMs ---------------------------------------------------------------------------
class ConvLSTMCell(RNNCell):
    """`tf.contrib.rnn.ConvLSTMCell(conv_ndims, input_shape, output_channels, kernel_shape, use_bias=True,
    skip_connection=False, forget_bias=1.0, initializers=None, name='conv_lstm_cell')`: the
    convolutional LSTM (Shi et al., 2015). Inputs are [batch] + input_shape (spatial dims then
    channels); the gates i, j, f, o are one 'SAME' convolution of [inputs, h] with 'kernel'
    (kernel_shape + [in + output_channels, 4 output_channels]) plus 'biases'. With skip_connection the
    output also carries the inputs' channels.

    TF1 feeds that widened output back as the next `h`, which breaks its own second step; numflow keeps
    the state's `h` at output_channels (what `state_size` says) and widens the output only.
    """

    _default_name = "conv_lstm_cell"

    def __init__(self, conv_ndims, input_shape, output_channels, kernel_shape, use_bias=True, skip_connection=False,
                 forget_bias=1.0, initializers=None, name="conv_lstm_cell"):
        super().__init__(name=name)
        input_shape = list(input_shape)
        if conv_ndims != len(input_shape) - 1:
            raise ValueError("Invalid input_shape {} for conv_ndims={}.".format(input_shape, conv_ndims))
        self._conv_ndims = int(conv_ndims)
        self._input_shape = input_shape
        self._output_channels = int(output_channels)
        self._kernel_shape = list(kernel_shape)
        if len(self._kernel_shape) != self._conv_ndims:
            raise ValueError("kernel_shape %s must have conv_ndims=%d entries" % (self._kernel_shape, conv_ndims))
        self._use_bias = use_bias
        self._forget_bias = forget_bias
        self._skip_connection = skip_connection

    @property
    def state_size(self):
        shape = TensorShape(self._input_shape[:-1] + [self._output_channels])
        return LSTMStateTuple(shape, shape)

    @property
    def output_size(self):
        extra = self._input_shape[-1] if self._skip_connection else 0
        return TensorShape(self._input_shape[:-1] + [self._output_channels + extra])

    def zero_state(self, batch_size, dtype):
        with name_scope(type(self).__name__ + "ZeroState"):
            dims = self._input_shape[:-1] + [self._output_channels]
            if isinstance(batch_size, numbers.Integral):
                shape = [int(batch_size)] + dims
            else:
                shape = array_ops.concat([array_ops.reshape(batch_size, [1]), dims], 0)
            return LSTMStateTuple(array_ops.zeros(shape, dtype=dtype), array_ops.zeros(shape, dtype=dtype))

    def __call__(self, inputs, state, scope=None):
        inputs = convert_to_tensor(inputs)
        expected = TensorShape([None] + self._input_shape)
        if not inputs.shape.is_compatible_with(expected):
            raise ValueError("ConvLSTMCell expects inputs of shape [batch] + %s, got %s"
                             % (self._input_shape, inputs.shape))
        self._maybe_build(self._input_shape[-1], inputs.dtype, scope)
        with _cell_name_scope(self):
            return self.call(inputs, state)

    def build(self, input_depth):
        dtype, out = self._build_dtype, self._output_channels
        self._kernel = self._add_variable("kernel", self._kernel_shape + [input_depth + out, 4 * out], dtype)
        if self._use_bias:
            self._biases = self._add_variable("biases", [4 * out], dtype, zeros_initializer())

    def _convolve(self, value):
        if self._conv_ndims == 1:
            return conv_ops.conv1d(value, self._kernel, 1, "SAME")
        conv = conv_ops.conv2d if self._conv_ndims == 2 else conv_ops.conv3d
        return conv(value, self._kernel, [1] * (self._conv_ndims + 2), "SAME")

    def call(self, inputs, state):
        cell, hidden = state
        gates = self._convolve(array_ops.concat([inputs, hidden], self._conv_ndims + 1))
        if self._use_bias:
            gates = gates + self._biases
        i, j, f, o = array_ops.split(gates, 4, axis=self._conv_ndims + 1)
        new_cell = math_ops.sigmoid(f + _forget_bias(self._forget_bias, f)) * cell + \
            math_ops.sigmoid(i) * math_ops.tanh(j)
        new_hidden = math_ops.tanh(new_cell) * math_ops.sigmoid(o)
        output = array_ops.concat([new_hidden, inputs], -1) if self._skip_connection else new_hidden
        return output, LSTMStateTuple(new_cell, new_hidden)


class Conv1DLSTMCell(ConvLSTMCell):
    """`tf.contrib.rnn.Conv1DLSTMCell(input_shape, output_channels, kernel_shape, ...,
    name='conv_1d_lstm_cell')`: ConvLSTMCell over [batch, width, channels] inputs."""

    def __init__(self, name="conv_1d_lstm_cell", **kwargs):
        super().__init__(conv_ndims=1, name=name, **kwargs)


class Conv2DLSTMCell(ConvLSTMCell):
    """`tf.contrib.rnn.Conv2DLSTMCell(input_shape, output_channels, kernel_shape, ...,
    name='conv_2d_lstm_cell')`: ConvLSTMCell over [batch, height, width, channels] inputs."""

    def __init__(self, name="conv_2d_lstm_cell", **kwargs):
        super().__init__(conv_ndims=2, name=name, **kwargs)


class Conv3DLSTMCell(ConvLSTMCell):
    """`tf.contrib.rnn.Conv3DLSTMCell(input_shape, output_channels, kernel_shape, ...,
    name='conv_3d_lstm_cell')`: ConvLSTMCell over [batch, depth, height, width, channels] inputs."""

    def __init__(self, name="conv_3d_lstm_cell", **kwargs):
        super().__init__(conv_ndims=3, name=name, **kwargs)


# --- more cells ------------------------------------------------------------------------------------
def _keras_callable(value, getter_name):
    """A Keras-style identifier ('tanh', 'ones', ...) resolved through tf.keras, or the callable itself."""
    if value is None or callable(value) and not isinstance(value, str):
        return value
    from .. import keras
    return getattr(keras, getter_name).get(value)


class _KerasStyleCell(RNNCell):
    """contrib's Keras-style cells (MinimalRNNCell, CFNCell): `units` units, one [batch, units] state
    that is also the output, and activation and initializers given as Keras identifiers or callables."""

    def __init__(self, units, activation="tanh", kernel_initializer="glorot_uniform", bias_initializer="ones",
                 name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self.units = int(units)
        self.activation = _keras_callable(activation, "activations")
        self.kernel_initializer = _keras_callable(kernel_initializer, "initializers")
        self.bias_initializer = _keras_callable(bias_initializer, "initializers")

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units


class MinimalRNNCell(_KerasStyleCell):
    """`tf.contrib.rnn.MinimalRNNCell(units, activation='tanh', kernel_initializer='glorot_uniform',
    bias_initializer='ones', name=None, dtype=None)`: the MinimalRNN (Chen et al., 2018): z =
    activation(x W_x); u = sigmoid([z, h] W_u + 'bias'); h' = u h + (1 - u) z, where 'kernel' stacks
    W_x over W_u ([input + 2 units, units])."""

    _default_name = "minimal_rnn_cell"


    def build(self, input_depth):
        dtype = self._build_dtype
        self._input_depth = input_depth
        self.kernel = self._add_variable("kernel", [input_depth + 2 * self.units, self.units], dtype,
                                         self.kernel_initializer)
        self.bias = self._add_variable("bias", [self.units], dtype, self.bias_initializer)

    def call(self, inputs, state):
        feedforward = self.activation(math_ops.matmul(inputs, self.kernel[:self._input_depth]))
        gate = math_ops.sigmoid(_linear([feedforward, state], self.kernel[self._input_depth:], self.bias))
        new_h = gate * state + (1.0 - gate) * feedforward
        return new_h, new_h


class CFNCell(_KerasStyleCell):
    """`tf.contrib.rnn.CFNCell(units, activation='tanh', kernel_initializer='glorot_uniform',
    bias_initializer='ones', name=None, dtype=None)`: the chaos-free network (Laurent & von Brecht,
    2017): theta, eta = sigmoid(h 'recurrent_kernel' + x V + 'bias'); h' = theta activation(h) +
    (1 - eta) activation(x W), where 'kernel' = [V, W] ([input, 3 units])."""

    _default_name = "cfn_cell"


    def build(self, input_depth):
        dtype, n = self._build_dtype, self.units
        self.kernel = self._add_variable("kernel", [input_depth, 3 * n], dtype, self.kernel_initializer)
        self.recurrent_kernel = self._add_variable("recurrent_kernel", [n, 2 * n], dtype, self.kernel_initializer)
        self.bias = self._add_variable("bias", [2 * n], dtype, self.bias_initializer)

    def call(self, inputs, state):
        n = self.units
        gates = math_ops.sigmoid(nn_ops.bias_add(math_ops.matmul(state, self.recurrent_kernel) +
                                                 math_ops.matmul(inputs, self.kernel[:, :2 * n]), self.bias))
        theta, eta = array_ops.split(gates, 2, axis=1)
        # The input gate is 1 - eta, so that the default 'ones' bias starts it nearly closed (as contrib's).
        new_h = theta * self.activation(state) + \
            (1.0 - eta) * self.activation(math_ops.matmul(inputs, self.kernel[:, 2 * n:]))
        return new_h, new_h


class WeightNormLSTMCell(_LSTMStateCell):
    """`tf.contrib.rnn.WeightNormLSTMCell(num_units, norm=True, use_peepholes=False, cell_clip=None,
    initializer=None, num_proj=None, proj_clip=None, forget_bias=1, activation=None, reuse=None)`:
    `LSTMCell` whose weights are weight-normalised (Salimans & Kingma, 2016): the rows of 'kernel'
    reading the inputs and those reading h are each l2-normalised per column and scaled by 'norm_0' and
    'norm_1' (the projection's by 'projection/norm_0'). TF1 names the cell's scope 'wn_lstm_cell' and
    opens it a second time inside, so its variables are 'wn_lstm_cell/wn_lstm_cell/kernel', ...; numflow
    creates them under the same names."""

    _default_name = "wn_lstm_cell"

    def __init__(self, num_units, norm=True, use_peepholes=False, cell_clip=None, initializer=None, num_proj=None,
                 proj_clip=None, forget_bias=1, activation=None, reuse=None):
        super().__init__(reuse=reuse)
        self._set_lstm_options(num_units, use_peepholes, cell_clip, initializer, num_proj, proj_clip, forget_bias,
                               activation)
        self._norm = norm

    def _normalised_kernel(self, name, widths, columns, dtype, bias):
        kernel = self._add_variable(name, [sum(widths), columns], dtype, self._initializer)
        if self._norm:
            blocks, start = [], 0
            for index, width in enumerate(widths):
                gain = self._add_variable("norm_%d" % index, [columns], dtype, self._initializer)
                blocks.append(nn_ops.l2_normalize(kernel[start:start + width], axis=0) * gain)
                start += width
            kernel = array_ops.concat(blocks, 0) if len(blocks) > 1 else blocks[0]
        biases = self._add_variable("bias", [columns], dtype, zeros_initializer()) if bias else None
        return kernel, biases

    def build(self, input_depth):
        dtype, n = self._build_dtype, self._num_units
        with _variable_scope("wn_lstm_cell"):
            self._kernel, self._bias = self._normalised_kernel("kernel", [input_depth, self.output_size], 4 * n,
                                                               dtype, True)
            if self._use_peepholes:
                self._peepholes = self._peephole_variables(dtype)
            if self._num_proj is not None:
                with _variable_scope("projection"):
                    self._projection, _ = self._normalised_kernel("kernel", [n], self._num_proj, dtype, False)

    def call(self, inputs, state):
        c, h = state
        i, j, f, o = array_ops.split(_linear([inputs, h], self._kernel, self._bias), 4, axis=1)
        new_c, new_h = self._peephole_lstm_update(i, j, f, o, c)
        return new_h, LSTMStateTuple(new_c, new_h)


class PhasedLSTMCell(_LSTMStateCell):
    """`tf.contrib.rnn.PhasedLSTMCell(num_units, use_peepholes=False, leak=0.001, ratio_on=0.1,
    trainable_ratio_on=True, period_init_min=1.0, period_init_max=1000.0, reuse=None)`: the Phased
    LSTM (Neil et al., 2016). Inputs are a pair (time [batch, 1], features [batch, depth]). An LSTM step
    ('mask_gates' i and f, 'new_input', 'output_gate', each 'kernel' and 'bias'; peepholes add c to
    the gates' inputs) is let through by a time gate k per unit: with the phase in its cycle
    r = ((t - 'phase') mod 'period') / 'period', k = 2r/'ratio_on' in the first half of the open phase,
    2 - 2r/ratio_on in the second, leak * r while closed; c' = k c~ + (1 - k) c, h' = k h~ + (1 - k) h.
    The period starts log-uniform in [period_init_min, period_init_max], the phase uniform in
    [0, period). The modulo passes the gradient of its argument unchanged, as TF1's."""

    _default_name = "phased_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, leak=0.001, ratio_on=0.1, trainable_ratio_on=True,
                 period_init_min=1.0, period_init_max=1000.0, reuse=None):
        super().__init__(reuse=reuse)
        self._num_units = int(num_units)
        self._use_peepholes = use_peepholes
        self._leak = leak
        self._ratio_on = ratio_on
        self._trainable_ratio_on = trainable_ratio_on
        self._period_range = (float(period_init_min), float(period_init_max))

    def __call__(self, inputs, state, scope=None):
        if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
            raise ValueError("PhasedLSTMCell expects inputs to be a pair (time [batch, 1], features [batch, depth])")
        time, features = convert_to_tensor(inputs[0]), convert_to_tensor(inputs[1])
        depth = features.shape[-1].value if features.shape.ndims == 2 else None
        if depth is None:
            raise ValueError("The features of PhasedLSTMCell must be [batch, depth] with a known depth, got shape %s"
                             % features.shape)
        self._maybe_build(depth, features.dtype, scope)
        with _cell_name_scope(self):
            return self.call((time, features), state)

    def _gate(self, scope, width, units, dtype):
        with _variable_scope(scope):
            return (self._add_variable("kernel", [width, units], dtype),
                    self._add_variable("bias", [units], dtype, zeros_initializer()))

    def build(self, input_depth):
        from ..ops.random import random_uniform
        from ..variable_scope import get_variable
        dtype, n = self._build_dtype, self._num_units
        peep = n if self._use_peepholes else 0
        self._mask_gates = self._gate("mask_gates", input_depth + n + peep, 2 * n, dtype)
        self._new_input = self._gate("new_input", input_depth + n, n, dtype)
        self._output_gate = self._gate("output_gate", input_depth + n + peep, n, dtype)
        low, high = np.log(self._period_range[0]), np.log(self._period_range[1])
        self._period = self._add_variable(
            "period", [n], dtype,
            lambda shape, dtype=None, partition_info=None: math_ops.exp(random_uniform(shape, low, high, dtype=dtype)))
        period_value = self._period.initial_value
        self._phase = self._add_variable(
            "phase", [n], dtype,
            lambda shape, dtype=None, partition_info=None: random_uniform(shape, dtype=dtype) * period_value)
        self._ratio_on_variable = get_variable("ratio_on", [n], dtype=dtype,
                                               initializer=constant_initializer(self._ratio_on),
                                               trainable=self._trainable_ratio_on)
        self._variables.append(self._ratio_on_variable)

    def call(self, inputs, state):
        time, x = inputs
        c_prev, h_prev = state
        gate_inputs = [x, h_prev] + ([c_prev] if self._use_peepholes else [])
        input_gate, forget_gate = array_ops.split(math_ops.sigmoid(_linear(gate_inputs, *self._mask_gates)), 2, axis=1)
        new_input = math_ops.tanh(_linear([x, h_prev], *self._new_input))
        new_c = c_prev * forget_gate + input_gate * new_input
        out_inputs = [x, h_prev] + ([new_c] if self._use_peepholes else [])
        new_h = math_ops.tanh(new_c) * math_ops.sigmoid(_linear(out_inputs, *self._output_gate))
        k = self._time_gate(time, x.dtype)
        return self._mix(k, new_h, h_prev), LSTMStateTuple(self._mix(k, new_c, c_prev), self._mix(k, new_h, h_prev))

    @staticmethod
    def _mix(k, new, old):
        return k * new + (1.0 - k) * old

    def _time_gate(self, time, dtype):
        time = convert_to_tensor(time)
        period = math_ops.cast(self._period, time.dtype)
        shifted = time - math_ops.cast(self._phase, time.dtype)
        # mod's own gradient is that of its argument: the value of mod, the gradient of the identity.
        wrapped = stop_gradient(math_ops.floormod(shifted, period) - shifted) + shifted
        cycle_ratio = math_ops.cast(wrapped / period, dtype)
        ratio_on = self._ratio_on_variable
        k_up = 2.0 * cycle_ratio / ratio_on
        k_down = 2.0 - k_up
        k_closed = self._leak * cycle_ratio
        k = _select(math_ops.less(cycle_ratio, ratio_on), k_down, k_closed)
        return _select(math_ops.less(cycle_ratio, 0.5 * ratio_on), k_up, k)


def _select(condition, x, y):
    from ..ops.array_extra import where_v2
    return where_v2(condition, x, y)


class EmbeddingWrapper(_ScopedWrapper):
    """`tf.contrib.rnn.EmbeddingWrapper(cell, embedding_classes, embedding_size, initializer=None,
    reuse=None)`: feeds `cell` the rows of 'embedding' [embedding_classes, embedding_size] (created in
    the wrapper's scope, uniform in [-sqrt(3), sqrt(3)] unless `initializer` or the scope's initializer
    is given) picked by the integer inputs ([batch] or [batch, 1] ids)."""

    _default_name = "embedding_wrapper"

    def __init__(self, cell, embedding_classes, embedding_size, initializer=None, reuse=None):
        if not isinstance(cell, RNNCell):
            raise TypeError("The parameter cell is not RNNCell.")
        if embedding_classes <= 0 or embedding_size <= 0:
            raise ValueError("Both embedding_classes and embedding_size must be > 0: %d, %d."
                             % (embedding_classes, embedding_size))
        super().__init__(cell, reuse)
        self._embedding_classes = int(embedding_classes)
        self._embedding_size = int(embedding_size)
        self._initializer = initializer

    def __call__(self, inputs, state, scope=None):
        ids = array_ops.reshape(convert_to_tensor(inputs), [-1])
        dtype = _flatten(state)[0].dtype if isinstance(state, tuple) else convert_to_tensor(state).dtype
        self._maybe_build(1, dtype, scope)
        with _cell_name_scope(self):
            return self._cell(nn_ops.embedding_lookup(self._embedding, ids), state)

    def build(self, input_depth):
        from ..variable_scope import get_variable_scope
        initializer = self._initializer or get_variable_scope().initializer or \
            random_uniform_initializer(-np.sqrt(3.0), np.sqrt(3.0))
        self._embedding = self._add_variable("embedding", [self._embedding_classes, self._embedding_size],
                                             self._build_dtype, initializer)
        self._cell._maybe_build(self._embedding_size, self._build_dtype)


class CompiledWrapper(_Wrapper):
    """`tf.contrib.rnn.CompiledWrapper(cell, compile_stateful=False)`: in TF1, runs `cell` inside an XLA
    JIT scope. numflow has no XLA; compiling never changes a cell's values, so the wrapper runs the cell
    as it is."""

    def __init__(self, cell, compile_stateful=False):
        super().__init__(cell)
        self._compile_stateful = compile_stateful

    def __call__(self, inputs, state, scope=None):
        return self._cell(inputs, state, scope=scope)


LayerRNNCell = RNNCell


def transpose_batch_time(x):
    """`tf.contrib.rnn.transpose_batch_time(x)`: x with its first two axes swapped ([batch, time, ...]
    <-> [time, batch, ...]); a tensor of rank below 2 is returned as it is."""
    x = convert_to_tensor(x)
    rank = x.shape.ndims
    if rank is not None and rank < 2:
        return x
    if rank is None:
        perm = array_ops.concat([[1, 0], array_ops.range(2, array_ops.rank(x))], 0)
    else:
        perm = [1, 0] + list(range(2, rank))
    return array_ops.transpose(x, perm)


def best_effort_input_batch_size(flat_input):
    """`tf.contrib.rnn.best_effort_input_batch_size(flat_input)`: the batch size of time-major inputs
    [time, batch, ...]: the first statically known dimension 1 among them, else the run-time one of the
    first input."""
    for value in flat_input:
        value = convert_to_tensor(value)
        if value.shape.ndims is None:
            continue
        if value.shape.ndims < 2:
            raise ValueError("Expected input tensor %s to have rank at least 2" % value)
        if value.shape[1].value is not None:
            return value.shape[1].value
    return array_ops.shape(convert_to_tensor(flat_input[0]))[1]
