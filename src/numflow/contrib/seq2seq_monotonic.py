"""Monotonic attention for `tf.contrib.seq2seq` (Raffel et al., 2017, "Online and Linear-Time Attention
by Enforcing Monotonic Alignments"): `hardmax`, `safe_cumprod`, `monotonic_attention` and the
`BahdanauMonotonicAttention` / `LuongMonotonicAttention` mechanisms.

At each output step the decoder scans the memory from where it last attended, stopping at entry j with
probability p_j = sigmoid(score_j); the alignments are the probabilities of stopping at each entry,
given the previous step's alignments. They are not normalised: the mass not stopped anywhere is lost.
"""
import numpy as np

from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope
from ..init_ops import constant_initializer
from ..ops import array as array_ops
from ..ops import math as math_ops
from ..ops.functional import scan
from ..ops.random import random_normal
from ..variable_scope import get_variable
from .seq2seq import BahdanauAttention, LuongAttention

__all__ = ["hardmax", "safe_cumprod", "monotonic_attention", "BahdanauMonotonicAttention",
           "LuongMonotonicAttention"]

_MODES = ("recursive", "parallel", "hard")


def hardmax(logits, name=None):
    """`tf.contrib.seq2seq.hardmax(logits, name=None)`: the one-hot vector of each row's arg-max (over
    the last axis), in the dtype of `logits`."""
    with name_scope(name, "Hardmax"):
        logits = convert_to_tensor(logits, name="logits")
        depth = logits.shape[-1].value
        if depth is None:
            depth = array_ops.shape(logits)[-1]
        return array_ops.one_hot(math_ops.argmax(logits, -1), depth, dtype=logits.dtype)


def safe_cumprod(x, *args, **kwargs):
    """`tf.contrib.seq2seq.safe_cumprod(x, *args, **kwargs)`: `tf.cumprod(x, ...)` computed as
    exp(cumsum(log(x))), with x clipped to [smallest positive normal, 1] first, so that the product of
    many numbers near zero neither underflows to a NaN gradient nor divides by zero."""
    with name_scope(None, "SafeCumprod"):
        x = convert_to_tensor(x, name="x")
        tiny = np.finfo(x.dtype.np).tiny
        return math_ops.exp(math_ops.cumsum(math_ops.log(math_ops.clip_by_value(x, tiny, 1.0)), *args, **kwargs))


def monotonic_attention(p_choose_i, previous_attention, mode):
    """`tf.contrib.seq2seq.monotonic_attention(p_choose_i, previous_attention, mode)`: the expected
    alignments [batch, memory_time] of monotonic attention, from the stopping probabilities
    `p_choose_i` and the previous step's alignments. `mode`:

    - 'recursive': q_j = (1 - p_{j-1}) q_{j-1} + previous_j computed by a `tf.scan`; exact, slow.
    - 'parallel': q = cumprod(1 - p) * cumsum(previous / cumprod(1 - p)) with exclusive cumulative
      products (safe_cumprod, the divisor clipped to [1e-10, 1]); fast, can be inexact when p is near 1.
    - 'hard': p_choose_i must be 0 or 1 and previous_attention one-hot: the first chosen entry at or
      after the previous one.

    The alignments are p_choose_i * q.
    """
    p_choose_i = convert_to_tensor(p_choose_i, name="p_choose_i")
    previous_attention = convert_to_tensor(previous_attention, name="previous_attention")
    if mode == "recursive":
        batch_size = array_ops.shape(p_choose_i)[0]
        ones = array_ops.ones(array_ops.stack([batch_size, 1]), dtype=p_choose_i.dtype)
        shifted_stay = array_ops.concat([ones, 1.0 - p_choose_i[:, :-1]], 1)
        # scan runs over memory time, so both sequences go time-major.
        q = scan(lambda carried, step: step[0] * carried + step[1],
                 [array_ops.transpose(shifted_stay), array_ops.transpose(previous_attention)],
                 initializer=array_ops.zeros(array_ops.reshape(batch_size, [1]), dtype=p_choose_i.dtype))
        return p_choose_i * array_ops.transpose(q)
    if mode == "parallel":
        stay = safe_cumprod(1.0 - p_choose_i, axis=1, exclusive=True)
        q = stay * math_ops.cumsum(previous_attention / math_ops.clip_by_value(stay, 1e-10, 1.0), axis=1)
        return p_choose_i * q
    if mode == "hard":
        # Only entries at or after the previous choice may be chosen; the first of them wins.
        p_choose_i = p_choose_i * math_ops.cumsum(previous_attention, axis=1)
        return p_choose_i * math_ops.cumprod(1.0 - p_choose_i, axis=1, exclusive=True)
    raise ValueError("mode must be 'recursive', 'parallel', or 'hard'.")


class _MonotonicMixin:
    """What both monotonic mechanisms share: a learned scalar 'attention_score_bias' added to the score,
    sigmoid stopping probabilities (with optional pre-sigmoid Gaussian noise, or a hard threshold at 0),
    and one-hot initial alignments at the first memory entry."""

    def _init_monotonic(self, sigmoid_noise, sigmoid_noise_seed, score_bias_init, mode):
        if mode not in _MODES:
            raise ValueError("mode must be 'recursive', 'parallel', or 'hard'.")
        self._sigmoid_noise = float(sigmoid_noise)
        self._sigmoid_noise_seed = sigmoid_noise_seed
        self._score_bias_init = float(score_bias_init)
        self._mode = mode

    def initial_alignments(self, batch_size, dtype):
        """One-hot at memory entry 0: [batch_size, max_time]."""
        first = array_ops.zeros(array_ops.reshape(convert_to_tensor(batch_size), [1]), dtype=dtypes.int32)
        return array_ops.one_hot(first, self._alignments_size, dtype=dtype)

    def initial_state(self, batch_size, dtype):
        return self.initial_alignments(batch_size, dtype)

    def __call__(self, query, state):
        with self._score_scope():
            score = self._score(convert_to_tensor(query))
            bias = get_variable("attention_score_bias", [], dtype=score.dtype,
                                initializer=constant_initializer(self._score_bias_init))
            score = score + bias
        score = self._masked_score(score)
        if self._sigmoid_noise > 0:
            score = score + self._sigmoid_noise * random_normal(array_ops.shape(score), dtype=score.dtype,
                                                                seed=self._sigmoid_noise_seed)
        if self._mode == "hard":
            p_choose_i = math_ops.cast(math_ops.greater(score, 0.0), score.dtype)
        else:
            p_choose_i = math_ops.sigmoid(score)
        alignments = monotonic_attention(p_choose_i, state, self._mode)
        return alignments, alignments


class BahdanauMonotonicAttention(_MonotonicMixin, BahdanauAttention):
    """`tf.contrib.seq2seq.BahdanauMonotonicAttention(num_units, memory, memory_sequence_length=None,
    normalize=False, score_mask_value=None, sigmoid_noise=0.0, sigmoid_noise_seed=None,
    score_bias_init=0.0, mode='parallel', dtype=None, name='BahdanauMonotonicAttention')`: monotonic
    attention with BahdanauAttention's additive score plus 'attention_score_bias' (variables under
    'bahdanau_monotonic_attention'). The attention state is the previous alignments."""

    _scope_name = "bahdanau_monotonic_attention"

    def __init__(self, num_units, memory, memory_sequence_length=None, normalize=False, score_mask_value=None,
                 sigmoid_noise=0.0, sigmoid_noise_seed=None, score_bias_init=0.0, mode="parallel", dtype=None,
                 name="BahdanauMonotonicAttention"):
        self._init_monotonic(sigmoid_noise, sigmoid_noise_seed, score_bias_init, mode)
        super().__init__(num_units, memory, memory_sequence_length=memory_sequence_length, normalize=normalize,
                         score_mask_value=score_mask_value, dtype=dtype, name=name)


class LuongMonotonicAttention(_MonotonicMixin, LuongAttention):
    """`tf.contrib.seq2seq.LuongMonotonicAttention(num_units, memory, memory_sequence_length=None,
    scale=False, score_mask_value=None, sigmoid_noise=0.0, sigmoid_noise_seed=None, score_bias_init=0.0,
    mode='parallel', dtype=None, name='LuongMonotonicAttention')`: monotonic attention with
    LuongAttention's dot-product score plus 'attention_score_bias' (variables under
    'luong_monotonic_attention')."""

    _scope_name = "luong_monotonic_attention"

    def __init__(self, num_units, memory, memory_sequence_length=None, scale=False, score_mask_value=None,
                 sigmoid_noise=0.0, sigmoid_noise_seed=None, score_bias_init=0.0, mode="parallel", dtype=None,
                 name="LuongMonotonicAttention"):
        self._init_monotonic(sigmoid_noise, sigmoid_noise_seed, score_bias_init, mode)
        super().__init__(num_units, memory, memory_sequence_length=memory_sequence_length, scale=scale,
                         score_mask_value=score_mask_value, dtype=dtype, name=name)
