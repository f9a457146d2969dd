"""`tf.contrib.seq2seq`: sequence losses, the `BasicDecoder` run by
`dynamic_decode`, their sampling helpers, and attention (`BahdanauAttention`, `LuongAttention`,
`AttentionWrapper`), composed of existing ops, `gather_tree` (beam search back-tracking); the
`BeamSearchDecoder` (seq2seq_beam_search.py), the custom, inference and scheduled-sampling helpers
(seq2seq_helpers.py) and monotonic attention (seq2seq_monotonic.py) live beside it.

`dynamic_decode` runs the decoder in a `tf.while_loop` writing each step to TensorArrays, so decoding is
differentiable like `dynamic_rnn`. Variables take TF1's names ('decoder/<cell>/kernel', 'decoder/dense/...',
'memory_layer/kernel', '.../bahdanau_attention/attention_v', '.../attention_layer/kernel').
"""
import collections

import numpy as np

from .. import layers as _layers
from ..framework import dtypes, errors
from ..framework.graph import Tensor, convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from ..ops import array as array_ops
from ..ops import math as math_ops
from ..ops import nn as nn_ops
from ..ops.common import make_tensor
from ..ops.control import _flatten, _pack, cond, while_loop
from ..ops.rnn_cell import RNNCell, _zeros_for
from ..ops.tensor_array import TensorArray
from ..variable_scope import get_variable, variable_scope

__all__ = ["sequence_loss", "tile_batch", "gather_tree", "Helper", "TrainingHelper", "GreedyEmbeddingHelper",
           "SampleEmbeddingHelper", "Decoder", "BasicDecoder", "BasicDecoderOutput", "dynamic_decode",
           "BahdanauAttention", "LuongAttention", "AttentionWrapper", "AttentionWrapperState", "AttentionMechanism",
           "BeamSearchDecoder", "BeamSearchDecoderOutput", "BeamSearchDecoderState", "FinalBeamSearchDecoderOutput",
           "CustomHelper", "InferenceHelper", "ScheduledEmbeddingTrainingHelper", "ScheduledOutputTrainingHelper",
           "hardmax", "safe_cumprod", "monotonic_attention", "BahdanauMonotonicAttention", "LuongMonotonicAttention"]


def _map(fn, structure):
    return _pack(structure, [fn(x) for x in _flatten(structure)])


# --- losses and small functions --------------------------------------------------------------------
def sequence_loss(logits, targets, weights, average_across_timesteps=True, average_across_batch=True,
                  sum_over_timesteps=False, sum_over_batch=False, softmax_loss_function=None, name=None):
    """`tf.contrib.seq2seq.sequence_loss(logits, targets, weights, average_across_timesteps=True,
    average_across_batch=True, sum_over_timesteps=False, sum_over_batch=False,
    softmax_loss_function=None, name=None)`: the weighted softmax cross-entropy of `logits` [batch, time,
    classes] against integer `targets` [batch, time]. Averaged (divided by the summed weights) or summed
    (divided by the number of non-zero weights) over the chosen axes; the axes kept remain."""
    logits, targets, weights = (convert_to_tensor(t) for t in (logits, targets, weights))
    if logits.shape.ndims != 3:
        raise ValueError("Logits must be a [batch_size x sequence_length x logits] tensor")
    if targets.shape.ndims != 2:
        raise ValueError("Targets must be a [batch_size x sequence_length] tensor")
    if weights.shape.ndims != 2:
        raise ValueError("Weights must be a [batch_size x sequence_length] tensor")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError("average_across_timesteps and sum_over_timesteps cannot be set to True at same time.")
    if average_across_batch and sum_over_batch:
        raise ValueError("average_across_batch and sum_over_batch cannot be set to True at same time.")
    with name_scope(name, "sequence_loss"):
        classes = array_ops.shape(logits)[2]
        flat_logits = array_ops.reshape(logits, array_ops.stack([-1, classes]))
        flat_targets = array_ops.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=flat_targets, logits=flat_logits)
        else:
            crossent = softmax_loss_function(labels=flat_targets, logits=flat_logits)
        crossent = math_ops.multiply(crossent, array_ops.reshape(weights, [-1]))
        axes = [axis for axis, flag in ((0, average_across_batch or sum_over_batch),
                                        (1, average_across_timesteps or sum_over_timesteps)) if flag]
        crossent = array_ops.reshape(crossent, array_ops.shape(targets))
        if not axes:
            return crossent
        total = math_ops.reduce_sum(crossent, axis=axes)
        if average_across_batch or average_across_timesteps:
            if (average_across_batch or not sum_over_batch) and (average_across_timesteps or not sum_over_timesteps):
                return math_ops.div_no_nan(total, math_ops.reduce_sum(weights, axis=axes))
        count = math_ops.cast(math_ops.count_nonzero(weights, axis=axes), total.dtype)
        return math_ops.div_no_nan(total, count)


def tile_batch(t, multiplier, name=None):
    """`tf.contrib.seq2seq.tile_batch(t, multiplier)`: each batch entry of `t` (a tensor or structure of
    [batch, ...] tensors) repeated `multiplier` times in a row: [batch * multiplier, ...]."""
    def tile(tensor):
        if isinstance(tensor, TensorArray):
            return tensor
        tensor = convert_to_tensor(tensor)
        if tensor.shape.ndims == 0:
            raise ValueError("t must have statically known rank")
        rank = tensor.shape.ndims
        expanded = array_ops.expand_dims(tensor, 1)
        tiled = array_ops.tile(expanded, [1, multiplier] + [1] * (rank - 1))
        dims = array_ops.shape(tensor)
        out = array_ops.reshape(tiled, array_ops.concat([array_ops.expand_dims(dims[0] * multiplier, 0), dims[1:]], 0))
        first = tensor.shape[0].value
        out.set_shape(TensorShape([first * multiplier if first is not None else None]).concatenate(tensor.shape[1:]))
        return out
    with name_scope(name, "tile_batch"):
        return _map(tile, t)


@register
class GatherTree(OpDef):
    """Beam search back-tracking: each beam's token sequence from step ids and parent beam ids [time,
    batch, beam]; after a beam's first `end_token` the rest is `end_token`."""

    host_only = True     # back-tracks beam by beam in Python
    differentiable = False

    def infer(self, op):
        step_ids, parent_ids, lengths, end_token = op.inputs
        if step_ids.shape.ndims not in (None, 3):
            raise ValueError("step_ids must be a rank-3 tensor [max_time, batch_size, beam_width], got shape %s"
                             % step_ids.shape)
        if not step_ids.shape.is_compatible_with(parent_ids.shape):
            raise ValueError("step_ids and parent_ids must have one shape: %s vs %s"
                             % (step_ids.shape, parent_ids.shape))
        return [(step_ids.dtype, step_ids.shape)]

    def kernel(self, op, ctx):
        def gather_tree(step_ids, parent_ids, lengths, end_token):
            time, batch, beams = step_ids.shape
            if np.shape(lengths) != (batch,):
                raise errors.InvalidArgumentError(None, op, "max_sequence_lengths must have shape [%d], got %s"
                                                  % (batch, list(np.shape(lengths))))
            out = np.full(step_ids.shape, end_token, dtype=step_ids.dtype)
            for b in range(batch):
                length = min(int(lengths[b]), time)
                for beam in range(beams):
                    if length <= 0:
                        continue
                    parent = beam
                    for level in range(length - 1, -1, -1):
                        if not 0 <= parent < beams:
                            raise errors.InvalidArgumentError(
                                None, op, "gather_tree: parent id %d out of range [0, %d)" % (parent, beams))
                        out[level, b, beam] = step_ids[level, b, parent]
                        parent = parent_ids[level, b, parent]
                    ended = np.flatnonzero(out[:length, b, beam] == end_token)
                    if len(ended):
                        out[ended[0] + 1:length, b, beam] = end_token
            return out
        return gather_tree


def gather_tree(step_ids, parent_ids, max_sequence_lengths, end_token, name=None):
    """`tf.contrib.seq2seq.gather_tree(step_ids, parent_ids, max_sequence_lengths, end_token)`: the full
    beams from per-step ids and parent indices, all [max_time, batch_size, beam_width]."""
    step_ids = convert_to_tensor(step_ids, name="step_ids")
    parent_ids = convert_to_tensor(parent_ids, dtype=step_ids.dtype, name="parent_ids")
    lengths = math_ops.cast(convert_to_tensor(max_sequence_lengths), dtypes.int32)
    end_token = convert_to_tensor(end_token, dtype=step_ids.dtype, name="end_token")
    return make_tensor("GatherTree", [step_ids, parent_ids, lengths, end_token], name=name or "GatherTree")


# --- helpers ---------------------------------------------------------------------------------------
class Helper:
    """`tf.contrib.seq2seq.Helper`: how a BasicDecoder gets its inputs and samples: `initialize()` ->
    (finished, next_inputs); `sample(time, outputs, state)` -> sample_ids; `next_inputs(time, outputs,
    state, sample_ids)` -> (finished, next_inputs, next_state)."""

    sample_ids_shape = TensorShape([])
    sample_ids_dtype = dtypes.int32

    @property
    def batch_size(self):
        return self._batch_size


class TrainingHelper(Helper):
    """`tf.contrib.seq2seq.TrainingHelper(inputs, sequence_length, time_major=False, name=None)`: teacher
    forcing: step t reads inputs[:, t]; a row is finished after its `sequence_length` steps."""

    def __init__(self, inputs, sequence_length, time_major=False, name=None):
        with name_scope(name, "TrainingHelper"):
            inputs = convert_to_tensor(inputs, name="inputs")
            if not time_major:
                perm = [1, 0] + list(range(2, inputs.shape.ndims))
                inputs = array_ops.transpose(inputs, perm)
            self._input_ta = TensorArray(inputs.dtype, size=array_ops.shape(inputs)[0],
                                         element_shape=inputs.shape[1:]).unstack(inputs)
            self._sequence_length = convert_to_tensor(sequence_length, name="sequence_length")
            if self._sequence_length.shape.ndims != 1:
                raise ValueError("Expected sequence_length to be a vector, but received shape: %s"
                                 % self._sequence_length.shape)
            self._zero_inputs = array_ops.zeros_like(inputs[0])
            self._batch_size = array_ops.size(self._sequence_length)

    @property
    def inputs(self):
        return self._input_ta

    @property
    def sequence_length(self):
        return self._sequence_length

    def _inputs_at(self, time, finished):
        return cond(math_ops.reduce_all(finished), lambda: self._zero_inputs, lambda: self._input_ta.read(time))

    def initialize(self, name=None):
        finished = math_ops.equal(convert_to_tensor(0, dtype=self._sequence_length.dtype), self._sequence_length)
        return finished, self._inputs_at(0, finished)

    def sample(self, time, outputs, state, name=None):
        return math_ops.cast(math_ops.argmax(outputs, axis=-1), dtypes.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        next_time = math_ops.add(time, 1)
        finished = math_ops.greater_equal(math_ops.cast(next_time, self._sequence_length.dtype),
                                          self._sequence_length)
        return finished, self._inputs_at(next_time, finished), state


class GreedyEmbeddingHelper(Helper):
    """`tf.contrib.seq2seq.GreedyEmbeddingHelper(embedding, start_tokens, end_token)`: feeds back the
    embedding of the arg-max of each output; a row finishes when it emits `end_token`. `embedding` is a
    params tensor for `embedding_lookup` or a callable taking ids."""

    def __init__(self, embedding, start_tokens, end_token):
        if callable(embedding):
            self._embed = embedding
        else:
            params = convert_to_tensor(embedding)
            self._embed = lambda ids: nn_ops.embedding_lookup(params, ids)
        self._start_tokens = convert_to_tensor(start_tokens, dtype=dtypes.int32, name="start_tokens")
        self._end_token = convert_to_tensor(end_token, dtype=dtypes.int32, name="end_token")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._batch_size = array_ops.size(self._start_tokens)
        self._start_inputs = self._embed(self._start_tokens)

    def initialize(self, name=None):
        finished = array_ops.zeros_like(self._start_tokens, dtype=dtypes.bool)
        return finished, self._start_inputs

    def sample(self, time, outputs, state, name=None):
        if not isinstance(outputs, Tensor):
            raise TypeError("Expected outputs to be a single Tensor, got: %s" % type(outputs))
        return math_ops.cast(math_ops.argmax(outputs, axis=-1), dtypes.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        finished = math_ops.equal(sample_ids, self._end_token)
        next_inputs = cond(math_ops.reduce_all(finished), lambda: self._start_inputs,
                           lambda: self._embed(sample_ids))
        return finished, next_inputs, state


class SampleEmbeddingHelper(GreedyEmbeddingHelper):
    """`tf.contrib.seq2seq.SampleEmbeddingHelper(embedding, start_tokens, end_token,
    softmax_temperature=None, seed=None)`: like GreedyEmbeddingHelper, but samples each id from the
    softmax of outputs / softmax_temperature."""

    def __init__(self, embedding, start_tokens, end_token, softmax_temperature=None, seed=None):
        super().__init__(embedding, start_tokens, end_token)
        self._temperature = softmax_temperature
        self._seed = seed

    def sample(self, time, outputs, state, name=None):
        if not isinstance(outputs, Tensor):
            raise TypeError("Expected outputs to be a single Tensor, got: %s" % type(outputs))
        logits = outputs if self._temperature is None else math_ops.divide(outputs, self._temperature)
        from ..ops.random import multinomial
        return math_ops.cast(array_ops.reshape(multinomial(logits, 1, seed=self._seed), [-1]), dtypes.int32)


# --- decoders --------------------------------------------------------------------------------------
class Decoder:
    """`tf.contrib.seq2seq.Decoder`: `batch_size`, `output_size`, `output_dtype`, `initialize()` ->
    (finished, inputs, state), `step(time, inputs, state)` -> (outputs, state, inputs, finished) and
    optionally `finalize(outputs, state, sequence_lengths)`."""

    tracks_own_finished = False


class BasicDecoderOutput(collections.namedtuple("BasicDecoderOutput", ("rnn_output", "sample_id"))):
    """The per-step output of a BasicDecoder: the (projected) cell output and the sampled id."""


class BasicDecoder(Decoder):
    """`tf.contrib.seq2seq.BasicDecoder(cell, helper, initial_state, output_layer=None)`: each step runs
    `cell` (then `output_layer`, e.g. a `tf.layers.Dense` to vocabulary logits) and lets `helper` sample
    and choose the next inputs."""

    def __init__(self, cell, helper, initial_state, output_layer=None):
        if not isinstance(cell, RNNCell):
            raise TypeError("cell must be an RNNCell, received: %s" % type(cell))
        if not isinstance(helper, Helper):
            raise TypeError("helper must be a Helper, received: %s" % type(helper))
        self._cell = cell
        self._helper = helper
        self._initial_state = initial_state
        self._output_layer = output_layer

    @property
    def batch_size(self):
        return self._helper.batch_size

    @property
    def output_size(self):
        size = self._cell.output_size
        if self._output_layer is not None:
            size = self._output_layer.units
        return BasicDecoderOutput(rnn_output=size, sample_id=self._helper.sample_ids_shape)

    @property
    def output_dtype(self):
        dtype = _flatten(self._initial_state)[0].dtype
        return BasicDecoderOutput(dtype, self._helper.sample_ids_dtype)

    def initialize(self, name=None):
        return self._helper.initialize() + (self._initial_state,)

    def step(self, time, inputs, state, name=None):
        with name_scope(name, "BasicDecoderStep"):
            cell_outputs, cell_state = self._cell(inputs, state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            sample_ids = self._helper.sample(time, cell_outputs, cell_state)
            finished, next_inputs, next_state = self._helper.next_inputs(time, cell_outputs, cell_state, sample_ids)
        return BasicDecoderOutput(cell_outputs, sample_ids), next_state, next_inputs, finished


def _where_rows(finished, new, old):
    new, old = convert_to_tensor(new), convert_to_tensor(old)
    if new.shape.ndims == 0:
        return new
    return math_ops.where(finished, old, new)


def dynamic_decode(decoder, output_time_major=False, impute_finished=False, maximum_iterations=None,
                   parallel_iterations=32, swap_memory=False, scope=None):
    """`tf.contrib.seq2seq.dynamic_decode(decoder, output_time_major=False, impute_finished=False,
    maximum_iterations=None, scope=None)`: steps `decoder` until every row is finished (or
    `maximum_iterations`). Returns `(final_outputs, final_state, final_sequence_lengths)`; outputs are
    [batch, time, ...] (time-major with `output_time_major`). With `impute_finished`, finished rows emit
    zeros and keep their state."""
    if not isinstance(decoder, Decoder):
        raise TypeError("Expected decoder to be type Decoder, but saw: %s" % type(decoder))
    with variable_scope(scope or "decoder"):
        finished, inputs, state = decoder.initialize()
        finished = convert_to_tensor(finished)
        # One step outside the loop creates the variables (the loop body then only reads them).
        with name_scope("build"):
            dry_outputs = decoder.step(convert_to_tensor(0), inputs, state)[0]
        flat_templates = _flatten(dry_outputs)
        output_tas = [TensorArray(t.dtype, size=0, dynamic_size=True, element_shape=t.shape) for t in flat_templates]
        lengths = array_ops.zeros_like(finished, dtype=dtypes.int32)
        if maximum_iterations is not None:
            maximum_iterations = convert_to_tensor(maximum_iterations, dtype=dtypes.int32, name="maximum_iterations")
            finished = math_ops.logical_or(finished, math_ops.less_equal(maximum_iterations, 0))
        flat_state = _flatten(state)
        flat_inputs = _flatten(inputs)
        counts = (len(output_tas), len(flat_state), len(flat_inputs))

        def split(rest):
            a, b = counts[0], counts[0] + counts[1]
            return rest[:a], rest[a:b], rest[b:]

        def condition(time, finished_now, lengths_now, *rest):
            return math_ops.logical_not(math_ops.reduce_all(finished_now))

        def body(time, finished_now, lengths_now, *rest):
            tas, states, ins = split(list(rest))
            current_state = _pack(state, states)
            outputs, next_state, next_inputs, decoder_finished = decoder.step(time, _pack(inputs, ins), current_state)
            if decoder.tracks_own_finished:
                next_finished = convert_to_tensor(decoder_finished)
            else:
                next_finished = math_ops.logical_or(convert_to_tensor(decoder_finished), finished_now)
            next_lengths = math_ops.where(math_ops.logical_not(finished_now),
                                          array_ops.fill(array_ops.shape(lengths_now), math_ops.add(time, 1)),
                                          lengths_now)
            if maximum_iterations is not None:
                next_finished = math_ops.logical_or(next_finished,
                                                    math_ops.greater_equal(math_ops.add(time, 1), maximum_iterations))
            flat_outputs = [convert_to_tensor(o) for o in _flatten(outputs)]
            flat_next_state = _flatten(next_state)
            if impute_finished:
                flat_outputs = [_where_rows(finished_now, o, array_ops.zeros_like(o)) for o in flat_outputs]
                flat_next_state = [s if isinstance(s, TensorArray) else _where_rows(finished_now, s, old)
                                   for s, old in zip(flat_next_state, states)]
            tas = [ta.write(time, o) for ta, o in zip(tas, flat_outputs)]
            return [math_ops.add(time, 1), next_finished, next_lengths] + tas + list(flat_next_state) + \
                [convert_to_tensor(x) for x in _flatten(next_inputs)]

        invariants = [TensorShape([]), finished.shape, lengths.shape] + [TensorShape(None)] * counts[0] + \
            [_invariant(s) for s in flat_state] + [_invariant(x) for x in flat_inputs]
        results = while_loop(condition, body, [convert_to_tensor(0), finished, lengths] + output_tas + flat_state +
                             flat_inputs, shape_invariants=invariants, name="decoder_loop")
        tas, states, _ = split(list(results[3:]))
        final_lengths = results[2]
        final_state = _pack(state, states)
        final_outputs = _pack(dry_outputs, [ta.stack() for ta in tas])
        if hasattr(decoder, "finalize"):
            final_outputs, final_state = decoder.finalize(final_outputs, final_state, final_lengths)
        if not output_time_major:
            final_outputs = _map(_batch_major, final_outputs)
        return final_outputs, final_state, final_lengths


def _invariant(value):
    if isinstance(value, TensorArray):
        return TensorShape(None)
    return convert_to_tensor(value).shape


def _batch_major(tensor):
    rank = tensor.shape.ndims
    if rank is None or rank < 2:
        return tensor
    return array_ops.transpose(tensor, [1, 0] + list(range(2, rank)))


# --- attention -------------------------------------------------------------------------------------
class AttentionMechanism:
    """`tf.contrib.seq2seq.AttentionMechanism`: the base of the attention mechanisms."""


def _unique_scope_name(base):
    """`base`, or `base_1`, `base_2`, ... when the current variable scope already has one: the name TF1's
    layers get from their default-named variable scope."""
    with variable_scope(None, default_name=base) as scope:
        return scope.name.split("/")[-1]


class _BaseAttention(AttentionMechanism):
    """Memory [batch, max_time, depth] (zeroed past `memory_sequence_length`), its keys through
    'memory_layer', and the masked softmax that turns a score into alignments."""

    def __init__(self, num_units, memory, memory_sequence_length, probability_fn, score_mask_value, name):
        self._num_units = int(num_units)
        self._name = name
        with name_scope(name, "BaseAttentionMechanism"):
            memory = convert_to_tensor(memory, name="memory")
            if memory.shape.ndims != 3:
                raise ValueError("memory must be a [batch_size, max_time, depth] tensor, got shape %s" % memory.shape)
            self._mask = None
            if memory_sequence_length is not None:
                lengths = convert_to_tensor(memory_sequence_length)
                self._mask = array_ops.sequence_mask(lengths, array_ops.shape(memory)[1], dtype=memory.dtype)
                memory = math_ops.multiply(memory, array_ops.expand_dims(self._mask, 2))
            self._values = memory
            self.memory_layer = _layers.Dense(num_units, use_bias=False, name=_unique_scope_name("memory_layer"),
                                              dtype=memory.dtype)
            self._keys = self.memory_layer(memory)
        self._probability_fn = probability_fn or nn_ops.softmax
        self._score_mask_value = score_mask_value
        self._alignments_size = memory.shape[1].value or array_ops.shape(memory)[1]

    @property
    def values(self):
        return self._values

    @property
    def keys(self):
        return self._keys

    @property
    def alignments_size(self):
        return self._alignments_size

    @property
    def state_size(self):
        return self._alignments_size

    @property
    def batch_size(self):
        return self._values.shape[0].value or array_ops.shape(self._values)[0]

    def _masked_score(self, score):
        """`score` with the memory entries past each row's length set to score_mask_value (-inf)."""
        if self._mask is None:
            return score
        fill = self._score_mask_value
        if fill is None:
            fill = -np.inf
        masked = array_ops.fill(array_ops.shape(score), convert_to_tensor(float(fill), dtype=score.dtype)) \
            if not isinstance(fill, Tensor) else array_ops.ones_like(score) * fill
        return math_ops.where(math_ops.cast(self._mask, dtypes.bool), score, masked)

    def _alignments(self, score):
        return self._probability_fn(self._masked_score(score))

    def initial_alignments(self, batch_size, dtype):
        """Zeros [batch_size, max_time]."""
        return _zeros_for(self._alignments_size, batch_size, dtype) if isinstance(self._alignments_size, int) else \
            array_ops.zeros(array_ops.stack([batch_size, self._alignments_size]), dtype=dtype)

    initial_state = initial_alignments

    def _score_scope(self):
        """The scope of the score's variables: '<kind>_attention', made unique at each call as TF1 does, so
        that a second mechanism of the same kind in one AttentionWrapper gets '<kind>_attention_1'."""
        return variable_scope(None, default_name=self._scope_name)

    def __call__(self, query, state):
        with self._score_scope():
            score = self._score(convert_to_tensor(query))
        alignments = self._alignments(score)
        return alignments, alignments


class BahdanauAttention(_BaseAttention):
    """`tf.contrib.seq2seq.BahdanauAttention(num_units, memory, memory_sequence_length=None,
    normalize=False, probability_fn=None, score_mask_value=None, dtype=None, name='BahdanauAttention')`:
    additive attention, score_j = v . tanh(keys_j + query W) ('attention_v', 'query_layer'); with
    `normalize`, v is weight-normalised: g v / |v| ('attention_g', and a bias 'attention_b')."""

    _scope_name = "bahdanau_attention"

    def __init__(self, num_units, memory, memory_sequence_length=None, normalize=False, probability_fn=None,
                 score_mask_value=None, dtype=None, custom_key_value_fn=None, name="BahdanauAttention"):
        super().__init__(num_units, memory, memory_sequence_length, probability_fn, score_mask_value, name)
        self.query_layer = _layers.Dense(num_units, use_bias=False, name="query_layer", dtype=self._values.dtype)
        self._normalize = normalize

    def _score(self, query):
        dtype = self._keys.dtype
        processed = array_ops.expand_dims(self.query_layer(query), 1)
        v = get_variable("attention_v", [self._num_units], dtype=dtype)
        if self._normalize:
            from ..init_ops import constant_initializer, zeros_initializer
            g = get_variable("attention_g", [], dtype=dtype,
                             initializer=constant_initializer(np.sqrt(1.0 / self._num_units)))
            b = get_variable("attention_b", [self._num_units], dtype=dtype, initializer=zeros_initializer())
            v = math_ops.multiply(g, math_ops.multiply(v, math_ops.rsqrt(math_ops.reduce_sum(math_ops.square(v)))))
            return math_ops.reduce_sum(v * math_ops.tanh(self._keys + processed + b), [2])
        return math_ops.reduce_sum(v * math_ops.tanh(self._keys + processed), [2])


class LuongAttention(_BaseAttention):
    """`tf.contrib.seq2seq.LuongAttention(num_units, memory, memory_sequence_length=None, scale=False,
    probability_fn=None, score_mask_value=None, dtype=None, name='LuongAttention')`: multiplicative
    attention, score_j = query . keys_j (times a learned scalar 'attention_g' with `scale`)."""

    _scope_name = "luong_attention"

    def __init__(self, num_units, memory, memory_sequence_length=None, scale=False, probability_fn=None,
                 score_mask_value=None, dtype=None, name="LuongAttention"):
        super().__init__(num_units, memory, memory_sequence_length, probability_fn, score_mask_value, name)
        self._scale = scale

    def _score(self, query):
        depth = query.shape[-1].value
        if depth is not None and depth != self._num_units:
            raise ValueError("Incompatible or unknown inner dimensions between query and keys. Query (%s) has "
                             "units: %s. Keys (%s) have units: %d. Perhaps you need to set num_units to the "
                             "keys' dimension (%d)?" % (query, depth, self._keys, self._num_units, depth))
        score = array_ops.squeeze(math_ops.matmul(array_ops.expand_dims(query, 1), self._keys, transpose_b=True), [1])
        if self._scale:
            from ..init_ops import constant_initializer
            g = get_variable("attention_g", [], dtype=score.dtype, initializer=constant_initializer(1.0))
            score = math_ops.multiply(g, score)
        return score


class AttentionWrapperState(collections.namedtuple(
        "AttentionWrapperState",
        ("cell_state", "attention", "time", "alignments", "alignment_history", "attention_state"))):
    """The state of an AttentionWrapper: the wrapped cell's state, the last attention vector, the step,
    the alignments, their history (a TensorArray, or () without alignment_history) and the mechanism's
    state."""

    def clone(self, **kwargs):
        """A copy with the given fields replaced (e.g. `cell_state=encoder_state`)."""
        return self._replace(**kwargs)


def _compute_attention(attention_mechanism, cell_output, attention_state, attention_layer):
    """One mechanism's step: (attention, alignments, next_attention_state), the attention being
    [cell_output, context] through `attention_layer`, or the context itself without one."""
    alignments, next_attention_state = attention_mechanism(cell_output, state=attention_state)
    context = array_ops.squeeze(math_ops.matmul(array_ops.expand_dims(alignments, 1), attention_mechanism.values),
                                [1])
    if attention_layer is None:
        return context, alignments, next_attention_state
    return attention_layer(array_ops.concat([cell_output, context], 1)), alignments, next_attention_state


class AttentionWrapper(RNNCell):
    """`tf.contrib.seq2seq.AttentionWrapper(cell, attention_mechanism, attention_layer_size=None,
    alignment_history=False, cell_input_fn=None, output_attention=True, initial_cell_state=None,
    name=None, attention_layer=None, attention_fn=None)`: each step feeds [inputs, previous attention] to
    `cell`, attends over the memory with the cell's output as query, and forms the attention
    [cell output, context] W ('attention_layer', no bias; the context itself without
    `attention_layer_size` or `attention_layer`). Outputs the attention (or the cell output with
    output_attention=False).

    With a list of mechanisms (and optionally a list of layer sizes or layers, one each), every
    mechanism attends with the same query, the attention is their attentions concatenated, and the
    state's alignments, attention_state and alignment_history are tuples with one entry per mechanism
    (variables 'attention_layer', 'attention_layer_1', ... and '<kind>_attention', '<kind>_attention_1').
    `attention_fn(mechanism, cell_output, attention_state, attention_layer)` -> (attention, alignments,
    next_attention_state) replaces the computation above.
    """

    _default_name = "attention_wrapper"

    def __init__(self, cell, attention_mechanism, attention_layer_size=None, alignment_history=False,
                 cell_input_fn=None, output_attention=True, initial_cell_state=None, name=None, attention_layer=None,
                 attention_fn=None):
        super().__init__(name=name)
        self._is_multi = isinstance(attention_mechanism, (list, tuple))
        mechanisms = list(attention_mechanism) if self._is_multi else [attention_mechanism]
        for mechanism in mechanisms:
            if not isinstance(mechanism, AttentionMechanism):
                raise TypeError("attention_mechanism must be an AttentionMechanism or list of multiple "
                                "AttentionMechanism instances, saw type: %s" % type(mechanism).__name__)
        if attention_layer_size is not None and attention_layer is not None:
            raise ValueError("Only one of attention_layer_size and attention_layer should be set")
        self._cell = cell
        self._mechanisms = mechanisms
        self._cell_input_fn = cell_input_fn or (lambda inputs, attention: array_ops.concat([inputs, attention], -1))
        self._attention_fn = attention_fn or _compute_attention
        self._attention_layers = None
        if attention_layer_size is not None:
            sizes = list(attention_layer_size) if isinstance(attention_layer_size, (list, tuple)) else \
                [attention_layer_size]
            if len(sizes) != len(mechanisms):
                raise ValueError("If provided, attention_layer_size must contain exactly one integer per "
                                 "attention_mechanism, saw: %d vs %d" % (len(sizes), len(mechanisms)))
            # One name each, as TF1's default-named layer scopes give them.
            self._attention_layers = [
                _layers.Dense(size, use_bias=False, name="attention_layer" + ("_%d" % i if i else ""),
                              dtype=mechanisms[i].values.dtype) for i, size in enumerate(sizes)]
        elif attention_layer is not None:
            self._attention_layers = list(attention_layer) if isinstance(attention_layer, (list, tuple)) else \
                [attention_layer]
            if len(self._attention_layers) != len(mechanisms):
                raise ValueError("If provided, attention_layer must contain exactly one layer per "
                                 "attention_mechanism, saw: %d vs %d" % (len(self._attention_layers), len(mechanisms)))
        self._alignment_history = alignment_history
        self._output_attention = output_attention
        self._initial_cell_state = initial_cell_state

    def _item_or_tuple(self, items):
        items = tuple(items)
        return items if self._is_multi else items[0]

    def _attention_size(self):
        if self._attention_layers is not None:
            return sum(layer.units for layer in self._attention_layers)
        return sum(mechanism.values.shape[-1].value for mechanism in self._mechanisms)

    @property
    def output_size(self):
        return self._attention_size() if self._output_attention else self._cell.output_size

    @property
    def state_size(self):
        return AttentionWrapperState(
            cell_state=self._cell.state_size, time=TensorShape([]), attention=self._attention_size(),
            alignments=self._item_or_tuple(m.alignments_size for m in self._mechanisms),
            attention_state=self._item_or_tuple(m.state_size for m in self._mechanisms),
            alignment_history=self._item_or_tuple(m.alignments_size if self._alignment_history else ()
                                                  for m in self._mechanisms))

    def zero_state(self, batch_size, dtype):
        with name_scope("AttentionWrapperZeroState"):
            cell_state = self._initial_cell_state if self._initial_cell_state is not None else \
                self._cell.zero_state(batch_size, dtype)
            alignments = [m.initial_alignments(batch_size, dtype) for m in self._mechanisms]
            # The element shape lets BeamSearchDecoder.finalize reorder the history along the beams.
            histories = [TensorArray(dtype, size=0, dynamic_size=True, element_shape=a.shape)
                         if self._alignment_history else () for a in alignments]
            return AttentionWrapperState(
                cell_state=cell_state, time=convert_to_tensor(0, dtype=dtypes.int32),
                attention=_zeros_for(self._attention_size(), batch_size, dtype),
                alignments=self._item_or_tuple(alignments), alignment_history=self._item_or_tuple(histories),
                attention_state=self._item_or_tuple(m.initial_state(batch_size, dtype) for m in self._mechanisms))

    def build(self, input_depth):
        self._cell._maybe_build(input_depth + self._attention_size(), self._build_dtype)

    def call(self, inputs, state):
        if not isinstance(state, AttentionWrapperState):
            raise TypeError("Expected state to be instance of AttentionWrapperState. Received type %s instead."
                            % type(state))
        cell_inputs = self._cell_input_fn(inputs, state.attention)
        cell_output, next_cell_state = self._cell(cell_inputs, state.cell_state)
        previous_states = state.attention_state if self._is_multi else [state.attention_state]
        previous_histories = state.alignment_history if self._is_multi else [state.alignment_history]
        attentions, alignments, attention_states, histories = [], [], [], []
        from ..variable_scope import AUTO_REUSE
        # The mechanisms' and attention layers' variables live in this cell's scope, made on the first step.
        with variable_scope(self._scope, reuse=AUTO_REUSE):
            for i, mechanism in enumerate(self._mechanisms):
                layer = self._attention_layers[i] if self._attention_layers else None
                attention, alignment, next_attention_state = self._attention_fn(mechanism, cell_output,
                                                                                previous_states[i], layer)
                attentions.append(attention)
                alignments.append(alignment)
                attention_states.append(next_attention_state)
                histories.append(previous_histories[i].write(state.time, alignment) if self._alignment_history
                                 else ())
        attention = array_ops.concat(attentions, 1) if len(attentions) > 1 else attentions[0]
        next_state = AttentionWrapperState(time=math_ops.add(state.time, 1), cell_state=next_cell_state,
                                           attention=attention, alignments=self._item_or_tuple(alignments),
                                           alignment_history=self._item_or_tuple(histories),
                                           attention_state=self._item_or_tuple(attention_states))
        return (attention if self._output_attention else cell_output), next_state


# These modules subclass the classes above, so they are imported once those exist.
from .seq2seq_beam_search import (BeamSearchDecoder, BeamSearchDecoderOutput,  # noqa: E402
                                  BeamSearchDecoderState, FinalBeamSearchDecoderOutput)
from .seq2seq_helpers import (CustomHelper, InferenceHelper, ScheduledEmbeddingTrainingHelper,  # noqa: E402
                              ScheduledOutputTrainingHelper)
from .seq2seq_monotonic import (BahdanauMonotonicAttention, LuongMonotonicAttention, hardmax,  # noqa: E402
                                monotonic_attention, safe_cumprod)
