"""Fused recurrent kernels: TF's LSTMBlockCell, BlockLSTM, BlockLSTMV2 and GRUBlockCell ops with their
Grad ops, under TF's op names, inputs, outputs and attrs (so GraphDefs move between numflow and TF).

One op computes a whole LSTM or GRU step (BlockLSTM: a whole sequence): ONE matrix product gives every
gate's pre-activation, and the gate math runs in place on that buffer, so a step costs one GEMM and a
dozen elementwise passes instead of the ~15 ops (and their allocations) of a cell built from plain ops.

Gates are kept gate-major, [4, batch, cell_size] (BlockLSTM: [4, time, batch, cell_size]): the product
[x, h_prev] @ w is taken against w viewed as [4, depth, cell_size], so each gate is a contiguous block
(elementwise passes over contiguous rows are several times faster than over the strided columns of
[batch, 4 cell]), and the outputs i, f, o, ci are views of that one buffer. The gradient kernels write the
gate gradients batch-major ([batch, 4 cell], TF's `dicfo`), the layout their products with w need.
BlockLSTM preallocates its [time, batch, cell_size] outputs and runs every step in one call; BlockLSTMGrad
walks back through the steps in one call, with one product per step (the [x, h] gradient) and one product
over all steps for w_grad and b_grad.

LSTM step (TF's definition; `wci`, `wcf`, `wco` are zero without peepholes):
    [i, ci, f, o] = [x, h_prev] @ w + b        (BlockLSTMV2: [i, f, ci, o], no forget_bias)
    i = sigmoid(i + cs_prev * wci);  f = sigmoid(f + forget_bias + cs_prev * wcf);  ci = tanh(ci)
    cs = clip(ci * i + cs_prev * f, cell_clip)  (no clipping when cell_clip <= 0)
    o = sigmoid(o + cs * wco);  co = tanh(cs);  h = co * o
GRU step:
    [r, u] = sigmoid([x, h_prev] @ w_ru + b_ru);  c = tanh([x, r * h_prev] @ w_c + b_c)
    h = u * h_prev + (1 - u) * c

As in TF, the gradients of LSTMBlockCell and BlockLSTM flow from their `cs` and `h` outputs only (the gate
outputs are for the Grad ops), that of GRUBlockCell from `h` only, and the LSTM gradient treats the cell
clip as the identity. Unlike TF (float16/float32 only; GRU float32 only), float64 is accepted too, which
finite-difference checks need. BlockLSTMV2's gradient is BlockLSTMGradV2 (TF 2.21 registers BlockLSTMGrad,
whose gate order is V1's, for it, and so differs from finite differences; numflow does not copy that).
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import Dimension, TensorShape, format_shape
from .common import check_same_dtype, make_op

__all__ = ["lstm_block_cell", "block_lstm", "block_lstm_v2", "gru_block_cell"]

_FLOATING = (dtypes.float16, dtypes.float32, dtypes.float64)

# Positions of the gates i, ci, f, o among the 4 * cell_size columns of w and b.
_ICFO = (0, 1, 2, 3)     # LSTMBlockCell, BlockLSTM (LSTMCell's i, j, f, o)
_IFCO = (0, 2, 1, 3)     # BlockLSTMV2 (Keras's i, f, c, o)

_LSTM_INPUTS = ("x", "cs_prev", "h_prev", "w", "wci", "wcf", "wco", "b")
_LSTM_RANKS = (2, 2, 2, 2, 1, 1, 1, 1)
_LSTM_STATES = ("i", "cs", "f", "o", "ci", "co", "h")
_GRU_INPUTS = ("x", "h_prev", "w_ru", "w_c", "b_ru", "b_c")
_GRU_RANKS = (2, 2, 2, 2, 1, 1)


# --- graph construction: dtypes, ranks, static shapes ------------------------------------------------
def _check_inputs(op, names, ranks, first=0):
    """TypeError unless op.inputs[first:] share one floating dtype; ValueError (TF's shape-function words)
    for an input of the wrong rank."""
    tensors = op.inputs[first:]
    lead = tensors[0]
    if lead.dtype not in _FLOATING:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed values: "
                        "float16, float32, float64" % (names[0], lead.dtype.name))
    for name, tensor in zip(names[1:], tensors[1:]):
        check_same_dtype(op.type, lead, tensor, names[0], name)
    for tensor, rank in zip(tensors, ranks):
        ndims = tensor.shape.ndims
        if ndims is not None and ndims != rank:
            raise ValueError("Shape must be rank %d but is rank %d for '%s' (op: '%s') with input shapes: %s."
                             % (rank, ndims, op.name, op.type,
                                ", ".join(format_shape(t.shape) for t in op.inputs)))
    return lead.dtype


def _dim(tensor, index, divisor=1):
    """Dimension `index` of tensor's static shape (divided by `divisor`), None when unknown."""
    if tensor.shape.ndims is None or tensor.shape[index].value is None:
        return None
    return tensor.shape[index].value // divisor


def _first_known(*values):
    return next((v for v in values if v is not None), None)


def _lstm_cell_size(op, first):
    """cell_size from cs_prev, else h_prev, b or w (TF reads it from cs_prev)."""
    cs_prev, h_prev, w, b = (op.inputs[first + k] for k in (1, 2, 3, 7))
    return _first_known(_dim(cs_prev, 1), _dim(h_prev, 1), _dim(b, 0, 4), _dim(w, 1, 4))


def _shape(*dims):
    return TensorShape([Dimension(d) for d in dims])


# --- run time: shape checks ----------------------------------------------------------------------------
def _check_shapes(op, named_values, expected, sizes):
    """InvalidArgumentError naming the first value whose shape is not the expected one."""
    for (name, value), want in zip(named_values, expected):
        if tuple(value.shape) != want:
            raise errors.InvalidArgumentError(
                None, op, "%s: %s has shape %s but must be %s (%s)"
                % (op.type, name, list(value.shape), list(want),
                   ", ".join("%s %d" % item for item in sizes)))


def _lstm_sizes(op, x, cs_prev, x_rank):
    """(batch_size, input_size, cell_size) of x ([time,] batch, input_size: rank x_rank) and cs_prev."""
    if x.ndim != x_rank or cs_prev.ndim != 2:
        raise errors.InvalidArgumentError(None, op, "%s: x must have rank %d and cs_prev rank 2, got shapes %s "
                                          "and %s" % (op.type, x_rank, list(x.shape), list(cs_prev.shape)))
    return x.shape[-2], x.shape[-1], cs_prev.shape[1]


def _check_lstm_params(op, values, batch, input_size, cell):
    """Checks cs_prev, h_prev, w, wci, wcf, wco, b (values[1:8]) against the sizes."""
    sizes = (("batch_size", batch), ("input_size", input_size), ("cell_size", cell))
    expected = [(batch, cell), (batch, cell), (input_size + cell, 4 * cell), (cell,), (cell,), (cell,), (4 * cell,)]
    _check_shapes(op, list(zip(_LSTM_INPUTS[1:], values[1:8])), expected, sizes)
    return sizes


def _seq_len_max(op, value, time_len):
    """seq_len_max as a Python int in [0, time_len]."""
    if np.ndim(value) != 0:
        raise errors.InvalidArgumentError(None, op, "%s: seq_len_max must be a scalar, got shape %s"
                                          % (op.type, list(np.shape(value))))
    steps = int(value)
    if not 0 <= steps <= time_len:
        raise errors.InvalidArgumentError(None, op, "%s: seq_len_max = %d is not in [0, %d], the length of x's "
                                          "time dimension" % (op.type, steps, time_len))
    return steps


# --- the fused gate math -----------------------------------------------------------------------------
def _sigmoid_(z):
    """z = sigmoid(z) in place, as 0.5 * tanh(0.5 * z) + 0.5 (one transcendental pass, no overflow)."""
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5


def _contiguous_runs(positions):
    """[(start, stop)] of consecutive gate positions, so adjacent gates are activated in one pass."""
    runs = []
    for position in sorted(positions):
        if runs and runs[-1][1] == position:
            runs[-1] = (runs[-1][0], position + 1)
        else:
            runs.append((position, position + 1))
    return runs


class _LSTMStep:
    """One LSTM step's gate math, configured once per plan from the op's attrs and gate layout."""

    def __init__(self, layout, forget_bias, cell_clip, use_peephole):
        self.i, self.ci, self.f, self.o = layout
        self.forget_bias = float(forget_bias)
        self.cell_clip = float(cell_clip)
        self.use_peephole = bool(use_peephole)
        # Without peepholes o does not wait for cs, so it is activated together with i and f.
        early = (self.i, self.f) if self.use_peephole else (self.i, self.f, self.o)
        self.early_runs = _contiguous_runs(early)

    def forward(self, gates, cs_prev, wci, wcf, wco, cs, co, h):
        """gates: [4, batch, cell] pre-activations, activated in place; writes cs, co, h (co and h serve
        as scratch first)."""
        i, ci, f, o = gates[self.i], gates[self.ci], gates[self.f], gates[self.o]
        if self.use_peephole:
            np.multiply(cs_prev, wci, out=h)
            i += h
            np.multiply(cs_prev, wcf, out=h)
            f += h
        if self.forget_bias:
            f += self.forget_bias
        for start, stop in self.early_runs:
            _sigmoid_(gates[start:stop])
        np.tanh(ci, out=ci)
        np.multiply(ci, i, out=cs)
        np.multiply(f, cs_prev, out=co)
        cs += co
        if self.cell_clip > 0:
            np.clip(cs, -self.cell_clip, self.cell_clip, out=cs)
        if self.use_peephole:
            np.multiply(cs, wco, out=co)
            o += co
            _sigmoid_(o)
        np.tanh(cs, out=co)
        np.multiply(co, o, out=h)

    def backward(self, i, cs, f, o, ci, co, cs_prev, dh, dcs, wci, wcf, wco, dgates, cs_prev_grad, scratch):
        """TF's LSTMBlockCellGrad math for one step. dh: the gradient of h; dcs: a buffer holding the gradient
        of cs from later steps, turned into cs's total gradient. Writes the gate gradients into dgates
        ([batch, 4 cell] columns in layout order) and cs_prev's gradient into cs_prev_grad."""
        cell = i.shape[-1]
        d_i, d_ci, d_f, d_o = (dgates[:, k * cell:(k + 1) * cell] for k in (self.i, self.ci, self.f, self.o))
        np.subtract(1.0, o, out=scratch)        # d_o = o (1 - o) dh co
        scratch *= o
        scratch *= dh
        np.multiply(scratch, co, out=d_o)
        np.multiply(co, co, out=scratch)        # dcs += (1 - co^2) dh o (+ d_o wco)
        np.subtract(1.0, scratch, out=scratch)
        scratch *= dh
        scratch *= o
        dcs += scratch
        if self.use_peephole:
            np.multiply(d_o, wco, out=scratch)
            dcs += scratch
        np.multiply(ci, ci, out=scratch)        # d_ci = (1 - ci^2) dcs i
        np.subtract(1.0, scratch, out=scratch)
        scratch *= dcs
        np.multiply(scratch, i, out=d_ci)
        np.subtract(1.0, f, out=scratch)        # d_f = f (1 - f) dcs cs_prev
        scratch *= f
        scratch *= dcs
        np.multiply(scratch, cs_prev, out=d_f)
        np.subtract(1.0, i, out=scratch)        # d_i = i (1 - i) dcs ci
        scratch *= i
        scratch *= dcs
        np.multiply(scratch, ci, out=d_i)
        np.multiply(dcs, f, out=cs_prev_grad)
        if self.use_peephole:
            np.multiply(d_i, wci, out=scratch)
            cs_prev_grad += scratch
            np.multiply(d_f, wcf, out=scratch)
            cs_prev_grad += scratch
        return d_i, d_f, d_o


def _gate_major(matrix, gates):
    """matrix [rows, gates * cell] viewed as [gates, rows, cell] (no copy)."""
    rows, columns = matrix.shape
    return matrix.reshape(rows, gates, columns // gates).transpose(1, 0, 2)


def _peephole_grads(xp, step, d_i, d_f, d_o, cs_prev, cs, axes):
    """wci, wcf, wco gradients: the gate gradients times the cell states they saw, summed over `axes`."""
    if not step.use_peephole:
        zeros = xp.zeros(cs.shape[-1], cs.dtype)
        return zeros, zeros.copy(), zeros.copy()
    return ((d_i * cs_prev).sum(axes), (d_f * cs_prev).sum(axes), (d_o * cs).sum(axes))


# --- LSTMBlockCell -------------------------------------------------------------------------------------
class _LSTMOp(OpDef):
    """What the LSTM ops share: the gate layout and the step math configured from the op's attrs."""

    layout = _ICFO

    def _step(self, op):
        return _LSTMStep(self.layout, op.attrs.get("forget_bias", 0.0), op.attrs["cell_clip"],
                         op.attrs["use_peephole"])


@register
class LSTMBlockCell(_LSTMOp):
    """TF's LSTMBlockCell: one LSTM step; outputs i, cs, f, o, ci, co, h, each [batch, cell_size]."""

    def infer(self, op):
        dtype = _check_inputs(op, _LSTM_INPUTS, _LSTM_RANKS)
        shape = _shape(_dim(op.inputs[0], 0), _lstm_cell_size(op, 0))
        return [(dtype, shape)] * 7

    def kernel(self, op, ctx):
        xp, step = ctx.xp, self._step(op)

        def lstm_block_cell(x, cs_prev, h_prev, w, wci, wcf, wco, b):
            batch, input_size, cell = _lstm_sizes(op, x, cs_prev, 2)
            _check_lstm_params(op, (x, cs_prev, h_prev, w, wci, wcf, wco, b), batch, input_size, cell)
            gates = xp.matmul(xp.concatenate((x, h_prev), axis=1), _gate_major(w, 4))
            gates += b.reshape(4, 1, cell)
            cs, co, h = (xp.empty((batch, cell), x.dtype) for _ in range(3))
            step.forward(gates, cs_prev, wci, wcf, wco, cs, co, h)
            return gates[step.i], cs, gates[step.f], gates[step.o], gates[step.ci], co, h
        return lstm_block_cell

    def grad(self, op, *dys):
        from . import array as array_ops
        from . import math as math_ops
        x, cs_prev, h_prev, w, wci, wcf, wco, b = op.inputs
        i, cs, f, o, ci, co, _ = op.outputs
        grad_op = make_op("LSTMBlockCellGrad", list(op.inputs) + [i, cs, f, o, ci, co, dys[1], dys[6]],
                          {"use_peephole": op.attrs["use_peephole"]}, name="LSTMBlockCellGrad")
        cs_prev_grad, dicfo, wci_grad, wcf_grad, wco_grad = grad_op.outputs
        xh = array_ops.concat([x, h_prev], 1)
        xh_grad = math_ops.matmul(dicfo, w, transpose_b=True)
        input_size = _dim(x, 1)
        if input_size is None:
            input_size = array_ops.shape(x)[1:2]
            x_grad = array_ops.slice(xh_grad, [0, 0], array_ops.concat([[-1], input_size], 0))
            h_prev_grad = array_ops.slice(xh_grad, array_ops.concat([[0], input_size], 0), [-1, -1])
        else:
            x_grad = array_ops.slice(xh_grad, [0, 0], [-1, input_size])
            h_prev_grad = array_ops.slice(xh_grad, [0, input_size], [-1, -1])
        w_grad = math_ops.matmul(xh, dicfo, transpose_a=True)
        b_grad = math_ops.reduce_sum(dicfo, 0)
        return [x_grad, cs_prev_grad, h_prev_grad, w_grad, wci_grad, wcf_grad, wco_grad, b_grad]


@register
class LSTMBlockCellGrad(_LSTMOp):
    """TF's LSTMBlockCellGrad: from LSTMBlockCell's inputs, its outputs i, cs, f, o, ci, co and the
    gradients of cs and h: cs_prev_grad, dicfo (the gate pre-activations' gradient [batch, 4 cell_size]),
    wci_grad, wcf_grad, wco_grad."""

    def infer(self, op):
        dtype = _check_inputs(op, _LSTM_INPUTS + ("i", "cs", "f", "o", "ci", "co", "cs_grad", "h_grad"),
                              _LSTM_RANKS + (2,) * 8)
        batch, cell = _dim(op.inputs[0], 0), _lstm_cell_size(op, 0)
        peephole = _shape(cell)
        return [(dtype, _shape(batch, cell)), (dtype, _shape(batch, None if cell is None else 4 * cell)),
                (dtype, peephole), (dtype, peephole), (dtype, peephole)]

    def _step(self, op):
        return _LSTMStep(self.layout, 0.0, 0.0, op.attrs["use_peephole"])

    def kernel(self, op, ctx):
        xp, step = ctx.xp, self._step(op)

        def lstm_block_cell_grad(x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci, co, cs_grad, h_grad):
            batch, input_size, cell = _lstm_sizes(op, x, cs_prev, 2)
            sizes = _check_lstm_params(op, (x, cs_prev, h_prev, w, wci, wcf, wco, b), batch, input_size, cell)
            states = (i, cs, f, o, ci, co, cs_grad, h_grad)
            _check_shapes(op, list(zip(_LSTM_STATES[:6] + ("cs_grad", "h_grad"), states)), [(batch, cell)] * 8,
                          sizes)
            dicfo = xp.empty((batch, 4 * cell), x.dtype)
            dcs, cs_prev_grad, scratch = cs_grad.copy(), xp.empty_like(cs_prev), xp.empty_like(cs_prev)
            d_i, d_f, d_o = step.backward(i, cs, f, o, ci, co, cs_prev, h_grad, dcs, wci, wcf, wco, dicfo,
                                          cs_prev_grad, scratch)
            return (cs_prev_grad, dicfo) + _peephole_grads(xp, step, d_i, d_f, d_o, cs_prev, cs, 0)
        return lstm_block_cell_grad


def lstm_block_cell(x, cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias=1.0, cell_clip=3.0, use_peephole=False,
                    name=None):
    """`tf.raw_ops.LSTMBlockCell`: one LSTM step (see the module docstring); returns the 7 tensors
    (i, cs, f, o, ci, co, h). `cell_clip` <= 0 means no clipping."""
    inputs = [convert_to_tensor(v, name=n) for v, n in zip((x, cs_prev, h_prev, w, wci, wcf, wco, b), _LSTM_INPUTS)]
    return tuple(make_op("LSTMBlockCell", inputs, {"forget_bias": float(forget_bias), "cell_clip": float(cell_clip),
                                                   "use_peephole": bool(use_peephole)}, name=name).outputs)


# --- BlockLSTM and BlockLSTMV2 -------------------------------------------------------------------------
class _BlockLSTMOp(_LSTMOp):
    """A whole sequence in one kernel: seq_len_max (int64 scalar, read on the host), then x [time, batch,
    input_size] and LSTMBlockCell's other inputs. Steps at or past seq_len_max give zeros."""

    host_inputs = (0,)
    _RANKS = (3, 2, 2, 2, 1, 1, 1, 1)

    def _check_seq_len_max(self, op):
        if op.inputs[0].dtype is not dtypes.int64:
            raise TypeError("Input 'seq_len_max' of '%s' Op has type %s that does not match expected type of int64."
                            % (op.type, op.inputs[0].dtype.name))


class _BlockLSTMForward(_BlockLSTMOp):
    def infer(self, op):
        self._check_seq_len_max(op)
        dtype = _check_inputs(op, _LSTM_INPUTS, self._RANKS, first=1)
        x = op.inputs[1]
        shape = _shape(_dim(x, 0), _dim(x, 1), _lstm_cell_size(op, 1))
        return [(dtype, shape)] * 7

    def kernel(self, op, ctx):
        xp, step = ctx.xp, self._step(op)

        def block_lstm(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b):
            batch, input_size, cell = _lstm_sizes(op, x, cs_prev, 3)
            _check_lstm_params(op, (x, cs_prev, h_prev, w, wci, wcf, wco, b), batch, input_size, cell)
            time_len = x.shape[0]
            steps = _seq_len_max(op, seq_len_max, time_len)
            dtype = x.dtype
            gates = xp.empty((4, time_len, batch, cell), dtype)
            cs, co, h = (xp.empty((time_len, batch, cell), dtype) for _ in range(3))
            if steps < time_len:
                for value in (gates[:, steps:], cs[steps:], co[steps:], h[steps:]):
                    value[...] = 0
            if steps:
                # Each step is one product [x_t, h, 1] @ [w; b] written straight into that step's gates (b
                # rides on the column of ones; measured faster than one product for all x_t plus a
                # recurrent product and an add per step).
                w_b = _gate_major(xp.concatenate((w, b.reshape(1, 4 * cell)), axis=0), 4)
                xh_one = xp.empty((batch, input_size + cell + 1), dtype)
                xh_one[:, -1] = 1
                for t in range(steps):
                    xh_one[:, :input_size] = x[t]
                    xh_one[:, input_size:-1] = h_prev if t == 0 else h[t - 1]
                    step_gates = gates[:, t]
                    xp.matmul(xh_one, w_b, out=step_gates)
                    step.forward(step_gates, cs_prev if t == 0 else cs[t - 1], wci, wcf, wco, cs[t], co[t], h[t])
            return gates[step.i], cs, gates[step.f], gates[step.o], gates[step.ci], co, h
        return block_lstm

    def grad(self, op, *dys):
        outputs = op.outputs
        grad_op = make_op(self.grad_type, list(op.inputs) + list(outputs) + [dys[1], dys[6]],
                          {"use_peephole": op.attrs["use_peephole"]}, name=self.grad_type)
        return [None] + list(grad_op.outputs)


@register
class BlockLSTM(_BlockLSTMForward):
    """TF's BlockLSTM: LSTMBlockCell over every step of x [time, batch, input_size] (gates i, ci, f, o);
    outputs i, cs, f, o, ci, co, h, each [time, batch, cell_size]."""

    grad_type = "BlockLSTMGrad"


@register
class BlockLSTMV2(_BlockLSTMForward):
    """TF's BlockLSTMV2: BlockLSTM with Keras's gate order (i, f, ci, o) and no forget_bias attr."""

    layout = _IFCO
    grad_type = "BlockLSTMGradV2"


class _BlockLSTMBackward(_BlockLSTMOp):
    """The gradient of a whole BlockLSTM sequence, walked back in one kernel: outputs x_grad,
    cs_prev_grad, h_prev_grad, w_grad, wci_grad, wcf_grad, wco_grad, b_grad."""

    def infer(self, op):
        self._check_seq_len_max(op)
        dtype = _check_inputs(op, _LSTM_INPUTS + _LSTM_STATES + ("cs_grad", "h_grad"), self._RANKS + (3,) * 9,
                              first=1)
        x, cs_prev, h_prev, w, wci, wcf, wco, b = op.inputs[1:9]
        cell = _lstm_cell_size(op, 1)
        state = _shape(_dim(x, 1), cell).merge_with(cs_prev.shape).merge_with(h_prev.shape)
        vector = _shape(cell)
        peepholes = [(dtype, vector.merge_with(v.shape)) for v in (wci, wcf, wco)]
        return [(dtype, x.shape), (dtype, state), (dtype, state), (dtype, w.shape)] + peepholes + [(dtype, b.shape)]

    def _step(self, op):
        return _LSTMStep(self.layout, 0.0, 0.0, op.attrs["use_peephole"])

    def kernel(self, op, ctx):
        xp, step = ctx.xp, self._step(op)

        def block_lstm_grad(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci, co, h, cs_grad,
                            h_grad):
            batch, input_size, cell = _lstm_sizes(op, x, cs_prev, 3)
            sizes = _check_lstm_params(op, (x, cs_prev, h_prev, w, wci, wcf, wco, b), batch, input_size, cell)
            time_len = x.shape[0]
            states = (i, cs, f, o, ci, co, h, cs_grad, h_grad)
            _check_shapes(op, list(zip(_LSTM_STATES + ("cs_grad", "h_grad"), states)),
                          [(time_len, batch, cell)] * 9, sizes + (("time", time_len),))
            steps = _seq_len_max(op, seq_len_max, time_len)
            dtype = x.dtype
            dicfo = xp.empty((steps, batch, 4 * cell), dtype)
            dh, dcs = xp.empty((batch, cell), dtype), xp.empty((batch, cell), dtype)
            cs_carry = xp.zeros((batch, cell), dtype)
            scratch = xp.empty((batch, cell), dtype)
            x_grad = xp.zeros(x.shape, dtype)
            # Each step's [x, h] gradient in one product; its h part is carried to the step before.
            xh_grad = xp.zeros((batch, input_size + cell), dtype)
            h_carry = xh_grad[:, input_size:]
            w_t = w.T
            for t in range(steps - 1, -1, -1):
                np.add(h_grad[t], h_carry, out=dh)
                np.add(cs_grad[t], cs_carry, out=dcs)
                step.backward(i[t], cs[t], f[t], o[t], ci[t], co[t], cs_prev if t == 0 else cs[t - 1], dh, dcs,
                              wci, wcf, wco, dicfo[t], cs_carry, scratch)
                xp.matmul(dicfo[t], w_t, out=xh_grad)
                x_grad[t] = xh_grad[:, :input_size]
            h_carry = h_carry.copy()
            if not steps:
                zeros = xp.zeros((cell,), dtype)
                return (x_grad, cs_carry, h_carry, xp.zeros(w.shape, dtype), zeros, zeros.copy(), zeros.copy(),
                        xp.zeros(b.shape, dtype))
            flat = dicfo.reshape(steps * batch, 4 * cell)
            # Every step's [x, h it read, 1] in one matrix: one product gives w_grad and, from the ones, b_grad.
            xh_ones = xp.empty((steps, batch, input_size + cell + 1), dtype)
            xh_ones[:, :, :input_size] = x[:steps]
            xh_ones[0, :, input_size:-1] = h_prev
            xh_ones[1:, :, input_size:-1] = h[:steps - 1]
            xh_ones[:, :, -1] = 1
            w_b_grad = xp.matmul(xh_ones.reshape(steps * batch, input_size + cell + 1).T, flat)
            w_grad, b_grad = w_b_grad[:-1], w_b_grad[-1]
            cs_seen = None
            if step.use_peephole:
                cs_seen = xp.concatenate((cs_prev.reshape(1, batch, cell), cs[:steps - 1]), axis=0)
            gate = [dicfo[:, :, k * cell:(k + 1) * cell] for k in (step.i, step.f, step.o)]
            peepholes = _peephole_grads(xp, step, gate[0], gate[1], gate[2], cs_seen, cs[:steps], (0, 1))
            return (x_grad, cs_carry, h_carry, w_grad) + peepholes + (b_grad,)
        return block_lstm_grad


@register
class BlockLSTMGrad(_BlockLSTMBackward):
    """TF's BlockLSTMGrad (the gradient of BlockLSTM)."""


@register
class BlockLSTMGradV2(_BlockLSTMBackward):
    """TF's BlockLSTMGradV2 (the gradient of BlockLSTMV2: gates i, f, ci, o)."""

    layout = _IFCO


def _block_lstm(op_type, seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, attrs, name):
    inputs = [convert_to_tensor(seq_len_max, dtype=dtypes.int64, name="seq_len_max")]
    inputs += [convert_to_tensor(v, name=n) for v, n in zip((x, cs_prev, h_prev, w, wci, wcf, wco, b), _LSTM_INPUTS)]
    return tuple(make_op(op_type, inputs, attrs, name=name).outputs)


def block_lstm(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias=1.0, cell_clip=3.0,
               use_peephole=False, name=None):
    """`tf.raw_ops.BlockLSTM`: LSTMBlockCell over the first seq_len_max steps of x [time, batch, input_size]
    (later steps give zeros); returns (i, cs, f, o, ci, co, h), each [time, batch, cell_size]."""
    return _block_lstm("BlockLSTM", seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b,
                       {"forget_bias": float(forget_bias), "cell_clip": float(cell_clip),
                        "use_peephole": bool(use_peephole)}, name)


def block_lstm_v2(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, cell_clip=0.0, use_peephole=False, name=None):
    """`tf.raw_ops.BlockLSTMV2`: block_lstm with w's and b's gates in the order i, f, ci, o and no forget bias."""
    return _block_lstm("BlockLSTMV2", seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b,
                       {"cell_clip": float(cell_clip), "use_peephole": bool(use_peephole)}, name)


# --- GRUBlockCell --------------------------------------------------------------------------------------
def _gru_sizes(op, x, h_prev, w_ru, w_c, b_ru, b_c):
    """(batch_size, input_size, cell_size), after checking every parameter's shape."""
    if x.ndim != 2 or h_prev.ndim != 2:
        raise errors.InvalidArgumentError(None, op, "%s: x and h_prev must be rank 2, got shapes %s and %s"
                                          % (op.type, list(x.shape), list(h_prev.shape)))
    batch, input_size = x.shape
    cell = h_prev.shape[1]
    sizes = (("batch_size", batch), ("input_size", input_size), ("cell_size", cell))
    expected = [(batch, cell), (input_size + cell, 2 * cell), (input_size + cell, cell), (2 * cell,), (cell,)]
    _check_shapes(op, list(zip(_GRU_INPUTS[1:], (h_prev, w_ru, w_c, b_ru, b_c))), expected, sizes)
    return batch, input_size, cell, sizes


def _gru_cell_size(op):
    x, h_prev, w_ru, w_c, b_ru, b_c = op.inputs[:6]
    return _first_known(_dim(h_prev, 1), _dim(b_c, 0), _dim(w_c, 1), _dim(b_ru, 0, 2), _dim(w_ru, 1, 2))


@register
class GRUBlockCell(OpDef):
    """TF's GRUBlockCell: one GRU step; outputs r, u, c, h, each [batch, cell_size]."""

    def infer(self, op):
        dtype = _check_inputs(op, _GRU_INPUTS, _GRU_RANKS)
        return [(dtype, _shape(_dim(op.inputs[0], 0), _gru_cell_size(op)))] * 4

    def kernel(self, op, ctx):
        xp = ctx.xp

        def gru_block_cell(x, h_prev, w_ru, w_c, b_ru, b_c):
            batch, input_size, cell, _ = _gru_sizes(op, x, h_prev, w_ru, w_c, b_ru, b_c)
            xh = xp.concatenate((x, h_prev), axis=1)
            ru = xp.matmul(xh, _gate_major(w_ru, 2))
            ru += b_ru.reshape(2, 1, cell)
            _sigmoid_(ru)
            r, u = ru[0], ru[1]
            np.multiply(r, h_prev, out=xh[:, input_size:])     # xh becomes [x, r * h_prev]
            c = xp.matmul(xh, w_c)
            c += b_c
            np.tanh(c, out=c)
            h = xp.subtract(h_prev, c)                           # h = c + u (h_prev - c)
            h *= u
            h += c
            return r, u, c, h
        return gru_block_cell

    def grad(self, op, *dys):
        from . import array as array_ops
        from . import math as math_ops
        x, h_prev, w_ru, w_c, b_ru, b_c = op.inputs
        r, u, c, _ = op.outputs
        d_x, d_h_prev, d_c_bar, d_r_bar_u_bar = make_op("GRUBlockCellGrad", list(op.inputs) + [r, u, c, dys[3]],
                                                        name="GRUBlockCellGrad").outputs
        d_w_ru = math_ops.matmul(array_ops.concat([x, h_prev], 1), d_r_bar_u_bar, transpose_a=True)
        d_w_c = math_ops.matmul(array_ops.concat([x, math_ops.multiply(h_prev, r)], 1), d_c_bar, transpose_a=True)
        return [d_x, d_h_prev, d_w_ru, d_w_c, math_ops.reduce_sum(d_r_bar_u_bar, 0), math_ops.reduce_sum(d_c_bar, 0)]


@register
class GRUBlockCellGrad(OpDef):
    """TF's GRUBlockCellGrad: from GRUBlockCell's inputs, its r, u, c and the gradient of h: d_x, d_h_prev,
    d_c_bar (c's pre-activation gradient) and d_r_bar_u_bar ([batch, 2 cell_size], r's and u's)."""

    def infer(self, op):
        dtype = _check_inputs(op, _GRU_INPUTS + ("r", "u", "c", "d_h"), _GRU_RANKS + (2,) * 4)
        x, h_prev = op.inputs[:2]
        batch, cell = _dim(x, 0), _gru_cell_size(op)
        return [(dtype, x.shape), (dtype, h_prev.shape), (dtype, _shape(batch, cell)),
                (dtype, _shape(batch, None if cell is None else 2 * cell))]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def gru_block_cell_grad(x, h_prev, w_ru, w_c, b_ru, b_c, r, u, c, d_h):
            batch, input_size, cell, sizes = _gru_sizes(op, x, h_prev, w_ru, w_c, b_ru, b_c)
            _check_shapes(op, list(zip(("r", "u", "c", "d_h"), (r, u, c, d_h))), [(batch, cell)] * 4, sizes)
            d_ru = xp.empty((batch, 2 * cell), x.dtype)
            d_r, d_u = d_ru[:, :cell], d_ru[:, cell:]
            scratch = xp.subtract(1.0, u)
            scratch *= d_h                                   # d_h (1 - u)
            d_c_bar = xp.multiply(c, c)
            np.subtract(1.0, d_c_bar, out=d_c_bar)
            d_c_bar *= scratch                               # d_h (1 - u) (1 - c^2)
            scratch *= u
            np.subtract(h_prev, c, out=d_u)
            d_u *= scratch                                   # d_h (h_prev - c) u (1 - u)
            d_xh_r = xp.matmul(d_c_bar, w_c.T)               # the gradient of [x, r * h_prev]
            d_h_r = d_xh_r[:, input_size:]
            np.subtract(1.0, r, out=d_r)
            d_r *= r
            d_r *= h_prev
            d_r *= d_h_r                                     # d_h_r h_prev r (1 - r)
            d_xh = xp.matmul(d_ru, w_ru.T)
            d_x = d_xh[:, :input_size]
            d_x += d_xh_r[:, :input_size]
            d_h_prev = d_xh[:, input_size:]
            np.multiply(d_h_r, r, out=scratch)
            d_h_prev += scratch
            np.multiply(d_h, u, out=scratch)
            d_h_prev += scratch
            return d_x, d_h_prev, d_c_bar, d_ru
        return gru_block_cell_grad


def gru_block_cell(x, h_prev, w_ru, w_c, b_ru, b_c, name=None):
    """`tf.raw_ops.GRUBlockCell`: one GRU step (see the module docstring); returns (r, u, c, h)."""
    inputs = [convert_to_tensor(v, name=n) for v, n in zip((x, h_prev, w_ru, w_c, b_ru, b_c), _GRU_INPUTS)]
    return tuple(make_op("GRUBlockCell", inputs, name=name).outputs)
