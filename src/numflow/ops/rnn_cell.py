"""`tf.nn.rnn_cell` / `tf.contrib.rnn`: TF1's recurrent cells.

A cell maps `(inputs, state)` to `(output, new_state)` for one time step. Like TF1's layer-based cells, a
cell creates its variables (with `tf.get_variable`, in a variable scope named after the cell, e.g.
'rnn/basic_lstm_cell/kernel') the first time it is called and uses the same variables on every later call,
so one cell object unrolled over many steps, or called from two places, shares its weights.

Every cell is composed of existing ops (matmul, concat, split, sigmoid, tanh, ...), so `tf.gradients`
differentiates through it with no op of its own.
"""
import collections
import numbers

from ..variable_scope import get_variable as _get_variable, variable_scope as _variable_scope
from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope
from . import array as array_ops
from . import math as math_ops
from ..init_ops import constant_initializer, zeros_initializer

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMStateTuple", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "LSTMCell", "ResidualWrapper", "DeviceWrapper"]


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """`tf.nn.rnn_cell.LSTMStateTuple(c, h)`: an LSTM's state, the memory `c` and the output `h`."""

    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError("Inconsistent internal state: %s vs %s" % (c.dtype, h.dtype))
        return c.dtype


def _static_depth(tensor, what):
    depth = tensor.shape[-1].value if tensor.shape.ndims else None
    if tensor.shape.ndims != 2:
        raise ValueError("%s must be a rank-2 tensor [batch, depth], got shape %s" % (what, tensor.shape))
    if depth is None:
        raise ValueError("The last dimension of %s must be known statically, got shape %s"
                         % (what, tensor.shape))
    return depth


class RNNCell:
    """`tf.nn.rnn_cell.RNNCell`: the abstract recurrent cell.

    Subclasses define `state_size`, `output_size`, `build(input_depth)` (creating variables with
    `tf.get_variable`) and `call(inputs, state)`; `__call__(inputs, state, scope=None)` builds the cell once
    in its variable scope and returns `(output, new_state)`.
    """

    _default_name = "rnn_cell"

    def __init__(self, reuse=None, name=None, dtype=None):
        self._reuse = reuse
        self._name = name
        self._dtype = dtype
        self.built = False
        self._scope = None

    @property
    def state_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def name(self):
        return self._scope.name if self._scope is not None else (self._name or self._default_name)

    @property
    def variables(self):
        return list(getattr(self, "_variables", []))

    trainable_variables = trainable_weights = weights = variables

    def build(self, input_depth):
        """Creates the cell's variables for inputs with `input_depth` features (in the cell's scope)."""

    def call(self, inputs, state):
        raise NotImplementedError("Abstract method")

    def _add_variable(self, name, shape, dtype, initializer=None):
        variable = _get_variable(name, shape=shape, dtype=dtype, initializer=initializer)
        if not hasattr(self, "_variables"):
            self._variables = []
        self._variables.append(variable)
        return variable

    def _maybe_build(self, input_depth, dtype, scope=None):
        """Builds the cell (once) inside `scope`, or a variable scope named after the cell."""
        if self.built:
            return
        self._build_dtype = dtypes.as_dtype(dtype) if dtype is not None else dtypes.float32
        if scope is not None:
            context = _variable_scope(scope, reuse=self._reuse)
        elif self._name is not None:
            context = _variable_scope(self._name, reuse=self._reuse)
        else:
            context = _variable_scope(None, default_name=self._default_name)
        with context as opened:
            self._scope = opened
            self.build(input_depth)
        self.built = True

    def __call__(self, inputs, state, scope=None):
        """Runs the cell on one step: `inputs` [batch, depth] and `state` -> `(output, new_state)`."""
        inputs = convert_to_tensor(inputs)
        input_depth = _static_depth(inputs, "inputs")
        self._maybe_build(input_depth, inputs.dtype, scope)
        with name_scope(self._scope.name.split("/")[-1] if self._scope is not None else self._default_name):
            return self.call(inputs, state)

    def zero_state(self, batch_size, dtype):
        """A state of zeros for `batch_size` rows (an int or scalar tensor), structured as `state_size`."""
        with name_scope(type(self).__name__ + "ZeroState"):
            return _zeros_for(self.state_size, batch_size, dtype)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            inputs = convert_to_tensor(inputs)
            batch_size = inputs.shape[0].value or array_ops.shape(inputs)[0]
            dtype = dtype or inputs.dtype
        return self.zero_state(batch_size, dtype or dtypes.float32)


def _zeros_for(size, batch_size, dtype):
    if isinstance(size, LSTMStateTuple):
        return LSTMStateTuple(*[_zeros_for(s, batch_size, dtype) for s in size])
    if isinstance(size, (tuple, list)):
        return tuple(_zeros_for(s, batch_size, dtype) for s in size)
    if isinstance(batch_size, numbers.Integral):
        return array_ops.zeros([int(batch_size), int(size)], dtype=dtype)
    batch_size = convert_to_tensor(batch_size)
    shape = array_ops.stack([batch_size, convert_to_tensor(int(size), dtype=batch_size.dtype)])
    return array_ops.zeros(shape, dtype=dtype)


def _linear(args, kernel, bias):
    joined = array_ops.concat(args, 1) if len(args) > 1 else args[0]
    return math_ops.add(math_ops.matmul(joined, kernel), bias)


class _UnitsCell(RNNCell):
    """A cell of `num_units` units whose state and output are both [batch, num_units], with an
    activation that defaults to tanh (BasicRNNCell, GRUCell and contrib's single-state cells)."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(reuse=reuse, name=name, dtype=dtype)
        self._num_units = int(num_units)
        self._activation = activation or math_ops.tanh

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units


class _InitializedUnitsCell(_UnitsCell):
    """A `_UnitsCell` taking GRUCell's constructor: optional kernel and bias initializers as well."""

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None, bias_initializer=None,
                 name=None, dtype=None):
        super().__init__(num_units, activation, reuse, name=name, dtype=dtype)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer


class BasicRNNCell(_UnitsCell):
    """`tf.nn.rnn_cell.BasicRNNCell(num_units, activation=None, reuse=None, name=None)`:
    output = new_state = activation(W [inputs, state] + b), activation tanh by default."""

    _default_name = "basic_rnn_cell"

    def build(self, input_depth):
        dtype = self._build_dtype
        self._kernel = self._add_variable("kernel", [input_depth + self._num_units, self._num_units], dtype)
        self._bias = self._add_variable("bias", [self._num_units], dtype, zeros_initializer())

    def call(self, inputs, state):
        output = self._activation(_linear([inputs, state], self._kernel, self._bias))
        return output, output


class BasicLSTMCell(RNNCell):
    """`tf.nn.rnn_cell.BasicLSTMCell(num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
    reuse=None, name=None)`: the LSTM of Zaremba et al. without peepholes or projections.

    The kernel [input_depth + num_units, 4 * num_units] computes the gates i, j, f, o (in that order);
    new_c = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j), new_h = tanh(new_c) * sigmoid(o).
    The state is an `LSTMStateTuple(c, h)`, or with `state_is_tuple=False` the concatenation [c, h].
    """

    _default_name = "basic_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None):
        super().__init__(reuse=reuse, name=name, dtype=dtype)
        self._num_units = int(num_units)
        self._forget_bias = float(forget_bias)
        self._state_is_tuple = state_is_tuple
        self._activation = activation or math_ops.tanh

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    @property
    def output_size(self):
        return self._num_units

    def build(self, input_depth):
        dtype = self._build_dtype
        n = self._num_units
        self._kernel = self._add_variable("kernel", [input_depth + n, 4 * n], dtype)
        self._bias = self._add_variable("bias", [4 * n], dtype, zeros_initializer())

    def call(self, inputs, state):
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = array_ops.split(state, 2, axis=1)
        gates = _linear([inputs, h], self._kernel, self._bias)
        i, j, f, o = array_ops.split(gates, 4, axis=1)
        forget = math_ops.sigmoid(math_ops.add(f, convert_to_tensor(self._forget_bias, dtype=f.dtype)))
        new_c = math_ops.add(math_ops.multiply(c, forget),
                             math_ops.multiply(math_ops.sigmoid(i), self._activation(j)))
        new_h = math_ops.multiply(self._activation(new_c), math_ops.sigmoid(o))
        if self._state_is_tuple:
            new_state = LSTMStateTuple(new_c, new_h)
        else:
            new_state = array_ops.concat([new_c, new_h], 1)
        return new_h, new_state


class GRUCell(_InitializedUnitsCell):
    """`tf.nn.rnn_cell.GRUCell(num_units, activation=None, reuse=None, kernel_initializer=None,
    bias_initializer=None, name=None)`: the gated recurrent unit of Cho et al. (2014).

    r, u = sigmoid(W_g [inputs, h] + b_g) (b_g initialised to 1); c = tanh(W_c [inputs, r * h] + b_c);
    new_h = u * h + (1 - u) * c. Variables 'gates/kernel', 'gates/bias', 'candidate/kernel', 'candidate/bias'.
    """

    _default_name = "gru_cell"

    def build(self, input_depth):
        dtype = self._build_dtype
        n = self._num_units
        with _variable_scope("gates"):
            self._gate_kernel = self._add_variable("kernel", [input_depth + n, 2 * n], dtype,
                                                   self._kernel_initializer)
            self._gate_bias = self._add_variable("bias", [2 * n], dtype,
                                                 self._bias_initializer or constant_initializer(1.0))
        with _variable_scope("candidate"):
            self._candidate_kernel = self._add_variable("kernel", [input_depth + n, n], dtype,
                                                        self._kernel_initializer)
            self._candidate_bias = self._add_variable("bias", [n], dtype,
                                                      self._bias_initializer or zeros_initializer())

    def call(self, inputs, state):
        gates = math_ops.sigmoid(_linear([inputs, state], self._gate_kernel, self._gate_bias))
        r, u = array_ops.split(gates, 2, axis=1)
        candidate = self._activation(_linear([inputs, math_ops.multiply(r, state)], self._candidate_kernel,
                                             self._candidate_bias))
        one = convert_to_tensor(1.0, dtype=u.dtype)
        new_h = math_ops.add(math_ops.multiply(u, state), math_ops.multiply(math_ops.subtract(one, u), candidate))
        return new_h, new_h


class MultiRNNCell(RNNCell):
    """`tf.nn.rnn_cell.MultiRNNCell(cells, state_is_tuple=True)`: cells stacked in layers; layer k reads
    layer k-1's output. The state is a tuple of the layers' states; variables live in
    'multi_rnn_cell/cell_<k>/...'."""

    _default_name = "multi_rnn_cell"

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not state_is_tuple:
            raise NotImplementedError("MultiRNNCell(state_is_tuple=False) is not supported; use tuple states")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple

    @property
    def state_size(self):
        return tuple(cell.state_size for cell in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    @property
    def variables(self):
        out = []
        for cell in self._cells:
            out.extend(cell.variables)
        return out

    def build(self, input_depth):
        depth = input_depth
        for index, cell in enumerate(self._cells):
            with _variable_scope("cell_%d" % index):
                cell._maybe_build(depth, self._build_dtype)
            depth = cell.output_size

    def call(self, inputs, state):
        if not isinstance(state, (tuple, list)) or len(state) != len(self._cells):
            raise ValueError("Expected state to be a tuple of length %d, but received: %s"
                             % (len(self._cells), state))
        current = inputs
        new_states = []
        for index, cell in enumerate(self._cells):
            with name_scope("cell_%d" % index):
                current, new_state = cell(current, state[index])
            new_states.append(new_state)
        return current, tuple(new_states)


class DropoutWrapper(RNNCell):
    """`tf.nn.rnn_cell.DropoutWrapper(cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
    seed=None)`: dropout on the wrapped cell's inputs, outputs and (except an LSTM's memory `c`) new state.
    Keep probabilities may be floats or scalar tensors (placeholders, to switch dropout off at test time)."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None):
        super().__init__()
        if variational_recurrent:
            raise NotImplementedError("DropoutWrapper(variational_recurrent=True) is not supported")
        for name, value in (("input_keep_prob", input_keep_prob), ("output_keep_prob", output_keep_prob),
                            ("state_keep_prob", state_keep_prob)):
            if isinstance(value, numbers.Real) and not 0.0 < float(value) <= 1.0:
                raise ValueError("Parameter %s must be between 0 and 1: %r" % (name, value))
        self._cell = cell
        self._input_keep_prob = input_keep_prob
        self._output_keep_prob = output_keep_prob
        self._state_keep_prob = state_keep_prob
        self._seed = seed

    @property
    def wrapped_cell(self):
        return self._cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    @property
    def variables(self):
        return self._cell.variables

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def _dropout(self, value, keep_prob):
        if isinstance(keep_prob, numbers.Real) and float(keep_prob) == 1.0:
            return value
        from .nn import dropout
        return dropout(value, keep_prob=keep_prob, seed=self._seed)

    def __call__(self, inputs, state, scope=None):
        inputs = self._dropout(convert_to_tensor(inputs), self._input_keep_prob)
        output, new_state = self._cell(inputs, state, scope=scope)
        new_state = self._drop_state(new_state)
        output = self._dropout(output, self._output_keep_prob)
        return output, new_state

    def _drop_state(self, state):
        if isinstance(state, LSTMStateTuple):   # TF1's default: an LSTM's memory c is never dropped
            return LSTMStateTuple(state.c, self._dropout(state.h, self._state_keep_prob))
        if isinstance(state, (tuple, list)):
            return type(state)(self._drop_state(s) for s in state)
        return self._dropout(state, self._state_keep_prob)

    def _maybe_build(self, input_depth, dtype, scope=None):
        self._cell._maybe_build(input_depth, dtype, scope)


def _clip(tensor, limit):
    limit = convert_to_tensor(float(limit), dtype=tensor.dtype)
    return math_ops.clip_by_value(tensor, math_ops.negative(limit), limit)


class LSTMCell(RNNCell):
    """`tf.nn.rnn_cell.LSTMCell(num_units, use_peepholes=False, cell_clip=None, initializer=None,
    num_proj=None, proj_clip=None, num_unit_shards=None, num_proj_shards=None, forget_bias=1.0,
    state_is_tuple=True, activation=None, reuse=None, name=None, dtype=None)`: the LSTM of Hochreiter &
    Schmidhuber with the optional peephole connections and output projection of Sak et al. (2014).

    With m the previous output: i, j, f, o = split([inputs, m] W + b, 4) (W 'kernel', b 'bias');
    peepholes add w_i_diag * c to i, w_f_diag * c to f (the previous c) and w_o_diag * new_c to o.
    new_c = sigmoid(f + forget_bias) * c + sigmoid(i) * activation(j), clipped to +-cell_clip;
    new_m = sigmoid(o) * activation(new_c), then times 'projection/kernel' with `num_proj` and clipped to
    +-proj_clip. The state is `LSTMStateTuple(new_c, new_m)` (concatenated with state_is_tuple=False).
    """

    _default_name = "lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None, num_proj=None,
                 proj_clip=None, num_unit_shards=None, num_proj_shards=None, forget_bias=1.0, state_is_tuple=True,
                 activation=None, reuse=None, name=None, dtype=None):
        super().__init__(reuse=reuse, name=name, dtype=dtype)
        if num_unit_shards is not None or num_proj_shards is not None:
            raise ValueError("num_unit_shards and num_proj_shards are deprecated and not supported; "
                             "use a partitioned variable scope instead")
        self._num_units = int(num_units)
        self._use_peepholes = bool(use_peepholes)
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = int(num_proj) if num_proj else None
        self._proj_clip = proj_clip
        self._forget_bias = float(forget_bias)
        self._state_is_tuple = state_is_tuple
        self._activation = activation or math_ops.tanh

    @property
    def state_size(self):
        output = self._num_proj or self._num_units
        return LSTMStateTuple(self._num_units, output) if self._state_is_tuple else self._num_units + output

    @property
    def output_size(self):
        return self._num_proj or self._num_units

    def build(self, input_depth):
        dtype = self._build_dtype
        n = self._num_units
        self._kernel = self._add_variable("kernel", [input_depth + self.output_size, 4 * n], dtype,
                                          self._initializer)
        self._bias = self._add_variable("bias", [4 * n], dtype, zeros_initializer())
        if self._use_peepholes:
            self._peepholes = [self._add_variable(gate, [n], dtype, self._initializer)
                               for gate in ("w_f_diag", "w_i_diag", "w_o_diag")]
        if self._num_proj is not None:
            with _variable_scope("projection"):
                self._projection = self._add_variable("kernel", [n, self._num_proj], dtype, self._initializer)

    def call(self, inputs, state):
        if self._state_is_tuple:
            c, m = state
        else:
            c, m = array_ops.split(state, [self._num_units, self.output_size], axis=1)
        i, j, f, o = array_ops.split(_linear([inputs, m], self._kernel, self._bias), 4, axis=1)
        f = math_ops.add(f, convert_to_tensor(self._forget_bias, dtype=f.dtype))
        if self._use_peepholes:
            w_f, w_i, w_o = self._peepholes
            f = math_ops.add(f, math_ops.multiply(w_f, c))
            i = math_ops.add(i, math_ops.multiply(w_i, c))
        new_c = math_ops.add(math_ops.multiply(math_ops.sigmoid(f), c),
                             math_ops.multiply(math_ops.sigmoid(i), self._activation(j)))
        if self._cell_clip is not None:
            new_c = _clip(new_c, self._cell_clip)
        if self._use_peepholes:
            o = math_ops.add(o, math_ops.multiply(w_o, new_c))
        new_m = math_ops.multiply(math_ops.sigmoid(o), self._activation(new_c))
        if self._num_proj is not None:
            new_m = math_ops.matmul(new_m, self._projection)
            if self._proj_clip is not None:
                new_m = _clip(new_m, self._proj_clip)
        new_state = LSTMStateTuple(new_c, new_m) if self._state_is_tuple else array_ops.concat([new_c, new_m], 1)
        return new_m, new_state


class _CellWrapper(RNNCell):
    """A cell around another cell, with the wrapped cell's state size, output size and zero state."""

    def __init__(self, cell, reuse=None):
        super().__init__(reuse=reuse)
        self._cell = cell

    @property
    def wrapped_cell(self):
        return self._cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)


class _Wrapper(_CellWrapper):
    """A cell around another cell that adds no variable scope of its own (its variables are the wrapped
    cell's, named as if unwrapped), as TF1's DropoutWrapper, ResidualWrapper and DeviceWrapper."""

    @property
    def variables(self):
        return self._cell.variables

    def _maybe_build(self, input_depth, dtype, scope=None):
        self._cell._maybe_build(input_depth, dtype, scope)

    @property
    def built(self):
        return self._cell.built

    @built.setter
    def built(self, value):
        pass


class ResidualWrapper(_Wrapper):
    """`tf.nn.rnn_cell.ResidualWrapper(cell, residual_fn=None)`: the wrapped cell's output plus its input
    (or `residual_fn(inputs, outputs)`); the state is the wrapped cell's."""

    def __init__(self, cell, residual_fn=None):
        super().__init__(cell)
        self._residual_fn = residual_fn

    def __call__(self, inputs, state, scope=None):
        inputs = convert_to_tensor(inputs)
        output, new_state = self._cell(inputs, state, scope=scope)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, output), new_state
        if inputs.shape.is_fully_defined() and output.shape.is_fully_defined() and inputs.shape != output.shape:
            raise ValueError("ResidualWrapper: the cell's output shape %s differs from its input shape %s"
                             % (output.shape, inputs.shape))
        return math_ops.add(inputs, output), new_state


class DeviceWrapper(_Wrapper):
    """`tf.nn.rnn_cell.DeviceWrapper(cell, device)`: the wrapped cell with its ops placed on `device`
    (numflow runs everything on the CPU; the device is recorded on the ops as TF1 would)."""

    def __init__(self, cell, device):
        super().__init__(cell)
        self._device = device

    def __call__(self, inputs, state, scope=None):
        from ..framework.graph import device
        with device(self._device):
            return self._cell(inputs, state, scope=scope)

    def zero_state(self, batch_size, dtype):
        from ..framework.graph import device
        with device(self._device):
            return self._cell.zero_state(batch_size, dtype)
