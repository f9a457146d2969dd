"""`tf.contrib.seq2seq.BeamSearchDecoder`: beam search over a cell's logits, run by `dynamic_decode`.

Every hypothesis lives in a [batch_size, beam_width] grid; the cell runs on the grid merged into one
batch of batch_size * beam_width rows (so its state, e.g. an AttentionWrapper's over `tile_batch`'d
memory, is created for that many rows), and between steps states are kept split so that each surviving
hypothesis can take its parent's state by a gather along the beam axis.

Scoring follows TF 1.15: a candidate's score is its summed log-probability divided by the length
penalty ((5 + length) / 6) ** length_penalty_weight, where the length counts the tokens before the end
token; with coverage_penalty_weight, finished hypotheses add weight * sum(log(min(accumulated
attention, 1))). Finished hypotheses only continue with the end token at no cost.
"""
import collections

import numpy as np

from .. import layers as _layers
from ..framework import dtypes
from ..framework.graph import Tensor, convert_to_tensor, name_scope
from ..framework.tensor_shape import TensorShape
from ..ops import array as array_ops
from ..ops import math as math_ops
from ..ops import nn as nn_ops
from ..ops.array_extra import where_v2 as _where_v2
from ..ops.control import _flatten, cond
from ..ops.rnn_cell import RNNCell
from ..ops.tensor_array import TensorArray
from .seq2seq import AttentionWrapperState, Decoder, gather_tree

__all__ = ["BeamSearchDecoder", "BeamSearchDecoderOutput", "BeamSearchDecoderState",
           "FinalBeamSearchDecoderOutput"]


class BeamSearchDecoderState(collections.namedtuple(
        "BeamSearchDecoderState", ("cell_state", "log_probs", "finished", "lengths", "accumulated_attention_probs"))):
    """The state of a BeamSearchDecoder, every field [batch_size, beam_width, ...]: the cell's state,
    each hypothesis' summed log-probability, whether it has emitted the end token, its length (int64,
    counting the end token) and, with a coverage penalty, its summed attention probabilities (else ())."""


class BeamSearchDecoderOutput(collections.namedtuple("BeamSearchDecoderOutput",
                                                     ("scores", "predicted_ids", "parent_ids"))):
    """One beam search step, each [batch_size, beam_width]: the chosen hypotheses' scores, their last
    token and the beam each continues."""


class FinalBeamSearchDecoderOutput(collections.namedtuple("FinalBeamDecoderOutput",
                                                          ("predicted_ids", "beam_search_decoder_output"))):
    """What `dynamic_decode` returns for a BeamSearchDecoder: `predicted_ids` [batch, time, beam_width]
    (time-major with output_time_major), each beam's whole token sequence traced back through the parent
    ids, and the per-step `beam_search_decoder_output`."""


def _map_tensors(fn, structure):
    """`fn` applied to every tensor of a nest; TensorArrays and empty tuples pass through as they are."""
    if isinstance(structure, TensorArray):
        return structure
    if isinstance(structure, (list, tuple)):
        items = [_map_tensors(fn, item) for item in structure]
        if hasattr(structure, "_fields"):
            return type(structure)(*items)
        return type(structure)(items)
    return fn(convert_to_tensor(structure))


def _static_int(value):
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, Tensor) and value.op.type == "Const":
        return int(value.op.attrs["value"])
    return None


def _is_static_zero(weight):
    if isinstance(weight, Tensor):
        value = weight.op.attrs["value"] if weight.op.type == "Const" else None
    else:
        value = np.asarray(weight)
    return value is not None and np.ndim(value) == 0 and float(value) == 0.0


def _length_penalty(sequence_lengths, penalty_factor, dtype):
    """((5 + lengths) / 6) ** penalty_factor (GNMT, Wu et al. 2016); the Python 1.0 when the factor is a
    static 0."""
    if _is_static_zero(penalty_factor):
        return 1.0
    factor = convert_to_tensor(penalty_factor, dtype=dtype, name="penalty_factor")
    if factor.shape.ndims not in (None, 0):
        raise ValueError("length_penalty_weight must be a scalar, but saw shape: %s" % factor.shape)
    lengths = math_ops.cast(sequence_lengths, dtype)
    return math_ops.divide(math_ops.pow(5.0 + lengths, factor), math_ops.pow(convert_to_tensor(6.0, dtype), factor))


def _attention_probs(cell_state, coverage_penalty_weight):
    """The alignments of the AttentionWrapper state(s) in `cell_state` (averaged over several),
    [batch, beam, memory_time]; None without a coverage penalty."""
    if _is_static_zero(coverage_penalty_weight):
        return None
    if isinstance(cell_state, AttentionWrapperState):
        found = [_mean_alignments(cell_state)]
    elif isinstance(cell_state, tuple):
        found = [_mean_alignments(s) for s in cell_state if isinstance(s, AttentionWrapperState)]
    else:
        found = []
    if not found:
        raise ValueError("coverage_penalty_weight must be 0.0 if no cell is attentional.")
    if len(found) == 1:
        return found[0]
    return math_ops.reduce_mean(array_ops.stack(found, -1), -1)


def _mean_alignments(state):
    """An AttentionWrapper state's alignments, averaged over its mechanisms when it has several."""
    if isinstance(state.alignments, tuple):
        return math_ops.reduce_mean(array_ops.stack(list(state.alignments), -1), -1)
    return state.alignments


def _gather_beams(values, beam_indices, batch_size, beam_width):
    """values [batch, beam_width, ...] picked by beam_indices [batch, k]: slot j of row b holds
    values[b, beam_indices[b, j]]."""
    offsets = array_ops.expand_dims(array_ops.range(batch_size) * beam_width, 1)
    flat_indices = array_ops.reshape(beam_indices + offsets, [-1])
    dims = array_ops.shape(values)
    flat = array_ops.reshape(values, array_ops.concat([[-1], dims[2:]], 0))
    out = array_ops.reshape(array_ops.gather(flat, flat_indices),
                            array_ops.concat([array_ops.shape(beam_indices), dims[2:]], 0))
    out.set_shape(beam_indices.shape.concatenate(values.shape[2:]))
    return out


def _gather_beams_of_state(values, beam_indices, batch_size, beam_width):
    if isinstance(values, TensorArray) or values.shape.ndims is None or values.shape.ndims < 2:
        return values
    return _gather_beams(values, beam_indices, batch_size, beam_width)


def _gather_tree_from_array(stacked, parent_ids, sequence_lengths):
    """The rows of `stacked` [max_time, batch * beam, ...] (written every step for the unsorted grid)
    reordered along each final beam's ancestry; steps past a beam's length keep their own slot."""
    dims = array_ops.shape(parent_ids)
    max_time, batch_size, beam_width = dims[0], dims[1], dims[2]
    beam_ids = array_ops.tile(array_ops.reshape(array_ops.range(beam_width), [1, 1, -1]),
                              array_ops.stack([max_time, batch_size, 1]))
    max_lengths = math_ops.cast(math_ops.reduce_max(sequence_lengths, axis=1), dtypes.int32)
    # An end token no beam index can equal, so that gather_tree never pads a beam index away.
    sorted_ids = gather_tree(beam_ids, parent_ids, max_lengths, beam_width + 1)
    in_bounds = array_ops.transpose(array_ops.sequence_mask(sequence_lengths, max_time), [2, 0, 1])
    sorted_ids = math_ops.where(in_bounds, sorted_ids, beam_ids)
    flat_slots = sorted_ids + array_ops.reshape(array_ops.range(batch_size) * beam_width, [1, -1, 1])
    time_ids = array_ops.tile(array_ops.reshape(array_ops.range(max_time), [-1, 1, 1]),
                              array_ops.stack([1, batch_size, beam_width]))
    indices = array_ops.reshape(array_ops.stack([time_ids, flat_slots], -1), array_ops.stack([max_time, -1, 2]))
    ordered = array_ops.gather_nd(stacked, indices)
    ordered.set_shape(stacked.shape)
    return ordered


class BeamSearchDecoder(Decoder):
    """`tf.contrib.seq2seq.BeamSearchDecoder(cell, embedding, start_tokens, end_token, initial_state,
    beam_width, output_layer=None, length_penalty_weight=0.0, coverage_penalty_weight=0.0,
    reorder_tensor_arrays=True)`: beam search decoding, run with `dynamic_decode`.

    `initial_state` is the cell's state for batch_size * beam_width rows (e.g. `tile_batch(encoder_state,
    beam_width)`, or `AttentionWrapper.zero_state(batch_size * beam_width, dtype).clone(cell_state=...)`
    over `tile_batch`'d memory). `embedding` is a params tensor for `embedding_lookup` or a callable
    taking ids; `start_tokens` int32 [batch_size]; `end_token` int32 scalar. `output_layer` (e.g.
    `tf.layers.Dense(vocab_size)`) maps the cell output to logits. Each step keeps the `beam_width`
    best-scoring continuations of all beams. `finalize` traces the beams back with `gather_tree`; with
    `reorder_tensor_arrays`, TensorArrays in the cell state (an AttentionWrapper's alignment_history) are
    stacked and reordered the same way.
    """

    tracks_own_finished = True

    def __init__(self, cell, embedding, start_tokens, end_token, initial_state, beam_width, output_layer=None,
                 length_penalty_weight=0.0, coverage_penalty_weight=0.0, reorder_tensor_arrays=True):
        if not isinstance(cell, RNNCell):
            raise TypeError("cell must be an RNNCell, received: %s" % type(cell))
        if output_layer is not None and not isinstance(output_layer, _layers.Layer):
            raise TypeError("output_layer must be a Layer, received: %s" % type(output_layer))
        self._cell = cell
        self._output_layer = output_layer
        self._reorder_tensor_arrays = reorder_tensor_arrays
        if callable(embedding):
            self._embedding_fn = embedding
        else:
            params = convert_to_tensor(embedding, name="embedding")
            self._embedding_fn = lambda ids: nn_ops.embedding_lookup(params, ids)
        self._start_tokens = convert_to_tensor(start_tokens, dtype=dtypes.int32, name="start_tokens")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        self._end_token = convert_to_tensor(end_token, dtype=dtypes.int32, name="end_token")
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._beam_width = int(beam_width)
        if self._beam_width < 1:
            raise ValueError("beam_width must be a positive integer, got %d" % self._beam_width)
        self._length_penalty_weight = length_penalty_weight
        self._coverage_penalty_weight = coverage_penalty_weight
        self._static_batch_size = self._start_tokens.shape[0].value
        self._batch_size = self._static_batch_size if self._static_batch_size is not None else \
            array_ops.size(self._start_tokens)
        self._initial_cell_state = _map_tensors(self._maybe_split_batch_beams, initial_state)
        tiled_tokens = array_ops.tile(array_ops.expand_dims(self._start_tokens, 1), [1, self._beam_width])
        self._start_inputs = self._embedding_fn(tiled_tokens)
        # Only the first beam is alive at the start; the others are copies that must not be chosen twice.
        first_beam = array_ops.zeros(array_ops.stack([self._batch_size]), dtype=dtypes.int32)
        self._finished = array_ops.one_hot(first_beam, self._beam_width, on_value=False, off_value=True,
                                           dtype=dtypes.bool)

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def output_size(self):
        shape = TensorShape([self._beam_width])
        return BeamSearchDecoderOutput(scores=shape, predicted_ids=shape, parent_ids=shape)

    @property
    def output_dtype(self):
        dtype = _flatten(self._initial_cell_state)[0].dtype
        return BeamSearchDecoderOutput(scores=dtype, predicted_ids=dtypes.int32, parent_ids=dtypes.int32)

    # --- [batch * beam, ...] <-> [batch, beam, ...] --------------------------------------------------
    def _split_batch_beams(self, t):
        expected = TensorShape([self._static_batch_size * self._beam_width
                                if self._static_batch_size is not None else None])
        if not t.shape[:1].is_compatible_with(expected):
            raise ValueError("Unexpected behavior when reshaping between beam width and batch size.  The tensor "
                             "has shape: %s.  We expected its first dimension to be batch_size * beam_width == %s. "
                             " Perhaps you forgot to create a zero_state with batch_size=encoder_batch_size * "
                             "beam_width?" % (t.shape, expected[0].value))
        lead = array_ops.stack([self._batch_size, self._beam_width])
        out = array_ops.reshape(t, array_ops.concat([lead, array_ops.shape(t)[1:]], 0))
        out.set_shape(TensorShape([self._static_batch_size, self._beam_width]).concatenate(t.shape[1:]))
        return out

    def _merge_batch_beams(self, t):
        rows = self._static_batch_size * self._beam_width if self._static_batch_size is not None else \
            self._batch_size * self._beam_width
        out = array_ops.reshape(t, array_ops.concat([array_ops.reshape(rows, [1]), array_ops.shape(t)[2:]], 0))
        out.set_shape(TensorShape([rows if isinstance(rows, int) else None]).concatenate(t.shape[2:]))
        return out

    def _maybe_split_batch_beams(self, t):
        if t.shape.ndims is None:
            raise ValueError("Expected tensor (%s) to have known rank, but ndims == None." % t)
        return self._split_batch_beams(t) if t.shape.ndims >= 1 else t

    def _maybe_merge_batch_beams(self, t):
        if t.shape.ndims is None:
            raise ValueError("Expected tensor (%s) to have known rank, but ndims == None." % t)
        return self._merge_batch_beams(t) if t.shape.ndims >= 2 else t

    # --- the Decoder interface -------------------------------------------------------------------------
    def initialize(self, name=None):
        """`(finished, start_inputs, initial_state)`: beam 0 alive with log-probability 0, the other
        beams finished with -inf."""
        with name_scope(name, "BeamSearchDecoderInitialize"):
            dtype = _flatten(self._initial_cell_state)[0].dtype
            first_beam = array_ops.zeros(array_ops.stack([self._batch_size]), dtype=dtypes.int32)
            log_probs = array_ops.one_hot(first_beam, self._beam_width, on_value=convert_to_tensor(0.0, dtype),
                                          off_value=convert_to_tensor(-np.inf, dtype), dtype=dtype)
            attention = _attention_probs(self._initial_cell_state, self._coverage_penalty_weight)
            state = BeamSearchDecoderState(
                cell_state=self._initial_cell_state, log_probs=log_probs, finished=self._finished,
                lengths=array_ops.zeros(array_ops.stack([self._batch_size, self._beam_width]), dtype=dtypes.int64),
                accumulated_attention_probs=attention if attention is not None else ())
        return self._finished, self._start_inputs, state

    def step(self, time, inputs, state, name=None):
        """One beam search step: `(BeamSearchDecoderOutput, next_state, next_inputs, finished)`."""
        with name_scope(name, "BeamSearchDecoderStep"):
            merged_inputs = _map_tensors(self._merge_batch_beams, inputs)
            cell_state = _map_tensors(self._maybe_merge_batch_beams, state.cell_state)
            cell_outputs, next_cell_state = self._cell(merged_inputs, cell_state)
            logits = self._split_batch_beams(convert_to_tensor(cell_outputs))
            next_cell_state = _map_tensors(self._maybe_split_batch_beams, next_cell_state)
            if self._output_layer is not None:
                logits = self._output_layer(logits)
            output, next_state = self._search_step(logits, next_cell_state, state)
            next_inputs = cond(math_ops.reduce_all(next_state.finished), lambda: self._start_inputs,
                               lambda: self._embedding_fn(output.predicted_ids))
        return output, next_state, next_inputs, next_state.finished

    def _search_step(self, logits, next_cell_state, beam_state):
        batch_size, beam_width = self._batch_size, self._beam_width
        dtype = logits.dtype
        vocab_size = logits.shape[-1].value
        if vocab_size is None:
            vocab_size = array_ops.shape(logits)[-1]
        previously_finished = beam_state.finished
        not_finished = math_ops.logical_not(previously_finished)
        finished_3d = array_ops.expand_dims(previously_finished, 2)

        # A finished hypothesis continues only with the end token, at log-probability 0.
        is_end = math_ops.equal(array_ops.range(vocab_size), self._end_token)
        finished_row = math_ops.cast(math_ops.logical_not(is_end), dtype) * convert_to_tensor(dtype.min, dtype)
        step_log_probs = _where_v2(finished_3d, finished_row, nn_ops.log_softmax(logits))
        total_log_probs = array_ops.expand_dims(beam_state.log_probs, 2) + step_log_probs

        # The length a candidate is scored with counts its tokens before the end token.
        grows = math_ops.cast(math_ops.logical_and(array_ops.expand_dims(not_finished, 2),
                                                   math_ops.logical_not(is_end)), dtypes.int64)
        candidate_lengths = array_ops.expand_dims(beam_state.lengths, 2) + grows

        accumulated = None
        attention = _attention_probs(next_cell_state, self._coverage_penalty_weight)
        if attention is not None:
            attention = attention * array_ops.expand_dims(math_ops.cast(not_finished, attention.dtype), 2)
            accumulated = beam_state.accumulated_attention_probs + attention
        scores = self._scores(total_log_probs, candidate_lengths, previously_finished, accumulated)

        flat_scores = array_ops.reshape(scores, array_ops.stack([batch_size, -1]))
        next_scores, word_indices = nn_ops.top_k(flat_scores, k=beam_width)
        grid = TensorShape([self._static_batch_size, beam_width])
        next_scores.set_shape(grid)
        word_indices.set_shape(grid)
        next_word_ids = math_ops.cast(math_ops.floormod(word_indices, vocab_size), dtypes.int32)
        next_beam_ids = math_ops.cast(math_ops.floordiv(word_indices, vocab_size), dtypes.int32)

        flat_log_probs = array_ops.reshape(total_log_probs, array_ops.stack([batch_size, -1, 1]))
        next_log_probs = array_ops.squeeze(_gather_beams(flat_log_probs, word_indices, batch_size,
                                                         beam_width * vocab_size), [2])
        next_log_probs.set_shape(grid)
        parent_finished = _gather_beams(previously_finished, next_beam_ids, batch_size, beam_width)
        next_finished = math_ops.logical_or(parent_finished, math_ops.equal(next_word_ids, self._end_token))
        next_lengths = _gather_beams(beam_state.lengths, next_beam_ids, batch_size, beam_width) + \
            math_ops.cast(math_ops.logical_not(parent_finished), dtypes.int64)
        next_accumulated = () if accumulated is None else \
            _gather_beams(accumulated, next_beam_ids, batch_size, beam_width)
        next_cell_state = _map_tensors(
            lambda t: _gather_beams_of_state(t, next_beam_ids, batch_size, beam_width), next_cell_state)
        output = BeamSearchDecoderOutput(scores=next_scores, predicted_ids=next_word_ids, parent_ids=next_beam_ids)
        next_state = BeamSearchDecoderState(cell_state=next_cell_state, log_probs=next_log_probs,
                                            finished=next_finished, lengths=next_lengths,
                                            accumulated_attention_probs=next_accumulated)
        return output, next_state

    def _scores(self, log_probs, lengths, finished, accumulated_attention):
        scores = log_probs / _length_penalty(lengths, self._length_penalty_weight, log_probs.dtype)
        if accumulated_attention is None:
            return scores
        weight = convert_to_tensor(self._coverage_penalty_weight, dtype=log_probs.dtype,
                                   name="coverage_penalty_weight")
        if weight.shape.ndims != 0:
            raise ValueError("coverage_penalty_weight should be a scalar, but saw shape: %s" % weight.shape)
        # Memory positions past the source length have no attention: they must not count as uncovered.
        covered = _where_v2(math_ops.equal(accumulated_attention, 0.0), 1.0, accumulated_attention)
        coverage = math_ops.reduce_sum(math_ops.log(math_ops.minimum(covered, 1.0)), 2)
        coverage = coverage * math_ops.cast(finished, coverage.dtype) * weight
        return scores + array_ops.expand_dims(coverage, 2)

    def finalize(self, outputs, final_state, sequence_lengths):
        """The beams traced back: `(FinalBeamSearchDecoderOutput, final_state)`; outputs are time-major
        here ([max_time, batch_size, beam_width])."""
        max_lengths = math_ops.cast(math_ops.reduce_max(final_state.lengths, axis=1), dtypes.int32)
        predicted_ids = gather_tree(outputs.predicted_ids, outputs.parent_ids, max_lengths, self._end_token)
        if self._reorder_tensor_arrays:
            final_state = final_state._replace(cell_state=self._sort_arrays(
                final_state.cell_state, outputs.parent_ids, final_state.lengths))
        return FinalBeamSearchDecoderOutput(predicted_ids=predicted_ids, beam_search_decoder_output=outputs), \
            final_state

    def _sort_arrays(self, structure, parent_ids, lengths):
        if isinstance(structure, TensorArray):
            stacked = structure.stack()
            if stacked.shape.ndims is None or stacked.shape.ndims < 2:
                # TF1 leaves a TensorArray of unknown or scalar elements unsorted too.
                return structure
            return _gather_tree_from_array(stacked, parent_ids, lengths)
        if isinstance(structure, (list, tuple)):
            items = [self._sort_arrays(item, parent_ids, lengths) for item in structure]
            return type(structure)(*items) if hasattr(structure, "_fields") else type(structure)(items)
        return structure
