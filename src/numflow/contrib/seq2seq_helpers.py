"""More `tf.contrib.seq2seq` helpers for `BasicDecoder`: `CustomHelper` (user callables),
`InferenceHelper` (a custom sampler at inference), and the scheduled-sampling training helpers
(Bengio et al., 2015) that replace some of the teacher-forced inputs by the model's own predictions."""
from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.tensor_shape import TensorShape
from ..ops import array as array_ops
from ..ops import math as math_ops
from ..ops import nn as nn_ops
from ..ops.control import cond
from ..ops.random import multinomial, random_uniform
from ..ops.tensor_array import TensorArray
from .seq2seq import Helper, TrainingHelper

__all__ = ["CustomHelper", "InferenceHelper", "ScheduledEmbeddingTrainingHelper", "ScheduledOutputTrainingHelper"]


class CustomHelper(Helper):
    """`tf.contrib.seq2seq.CustomHelper(initialize_fn, sample_fn, next_inputs_fn, sample_ids_shape=None,
    sample_ids_dtype=None)`: a Helper made of callables: `initialize_fn()` -> (finished, next_inputs),
    `sample_fn(time, outputs, state)` -> sample_ids, `next_inputs_fn(time, outputs, state, sample_ids)`
    -> (finished, next_inputs, next_state). The batch size is the size of `finished` from initialize."""

    def __init__(self, initialize_fn, sample_fn, next_inputs_fn, sample_ids_shape=None, sample_ids_dtype=None):
        self._initialize_fn = initialize_fn
        self._sample_fn = sample_fn
        self._next_inputs_fn = next_inputs_fn
        self._batch_size = None
        self.sample_ids_shape = TensorShape(sample_ids_shape or [])
        self.sample_ids_dtype = sample_ids_dtype or dtypes.int32

    @property
    def batch_size(self):
        if self._batch_size is None:
            raise ValueError("batch_size accessed before initialize was called")
        return self._batch_size

    def initialize(self, name=None):
        with name_scope(name, "%sInitialize" % type(self).__name__):
            finished, next_inputs = self._initialize_fn()
            if self._batch_size is None:
                self._batch_size = array_ops.size(finished)
        return finished, next_inputs

    def sample(self, time, outputs, state, name=None):
        with name_scope(name, "%sSample" % type(self).__name__):
            return self._sample_fn(time=time, outputs=outputs, state=state)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, "%sNextInputs" % type(self).__name__):
            return self._next_inputs_fn(time=time, outputs=outputs, state=state, sample_ids=sample_ids)


class InferenceHelper(Helper):
    """`tf.contrib.seq2seq.InferenceHelper(sample_fn, sample_shape, sample_dtype, start_inputs, end_fn,
    next_inputs_fn=None)`: inference with a custom sampler: `sample_fn(outputs)` -> sample_ids; a row
    finishes where `end_fn(sample_ids)` is true; the next inputs are `next_inputs_fn(sample_ids)` (the
    sample ids themselves without it). Starts from `start_inputs`."""

    def __init__(self, sample_fn, sample_shape, sample_dtype, start_inputs, end_fn, next_inputs_fn=None):
        self._sample_fn = sample_fn
        self._end_fn = end_fn
        self.sample_ids_shape = TensorShape(sample_shape)
        self.sample_ids_dtype = dtypes.as_dtype(sample_dtype)
        self._next_inputs_fn = next_inputs_fn
        self._start_inputs = convert_to_tensor(start_inputs, name="start_inputs")
        self._batch_size = array_ops.shape(self._start_inputs)[0]

    def initialize(self, name=None):
        finished = array_ops.tile(convert_to_tensor([False]), array_ops.reshape(self._batch_size, [1]))
        return finished, self._start_inputs

    def sample(self, time, outputs, state, name=None):
        return self._sample_fn(outputs)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        next_inputs = sample_ids if self._next_inputs_fn is None else self._next_inputs_fn(sample_ids)
        return self._end_fn(sample_ids), next_inputs, state


def _sampling_probability(value):
    probability = convert_to_tensor(value, name="sampling_probability")
    if probability.shape.ndims not in (0, 1):
        raise ValueError("sampling_probability must be either a scalar or a vector. saw shape: %s"
                         % probability.shape)
    return probability


def _bernoulli(probability, batch_size, seed, dtype):
    """One Bernoulli(probability) draw per batch row (probability a scalar or a [batch] vector)."""
    uniform = random_uniform(array_ops.reshape(batch_size, [1]), seed=seed, dtype=probability.dtype)
    return math_ops.cast(math_ops.less(uniform, probability), dtype)


class ScheduledEmbeddingTrainingHelper(TrainingHelper):
    """`tf.contrib.seq2seq.ScheduledEmbeddingTrainingHelper(inputs, sequence_length, embedding,
    sampling_probability, time_major=False, seed=None, scheduling_seed=None, name=None)`: teacher forcing
    where, with `sampling_probability` per row and step, the next input is instead the embedding of an id
    sampled from the output logits. sample_ids are those ids, and -1 where the input was read."""

    def __init__(self, inputs, sequence_length, embedding, sampling_probability, time_major=False, seed=None,
                 scheduling_seed=None, name=None):
        with name_scope(name, "ScheduledEmbeddingSamplingWrapper"):
            if callable(embedding):
                self._embedding_fn = embedding
            else:
                params = convert_to_tensor(embedding, name="embedding")
                self._embedding_fn = lambda ids: nn_ops.embedding_lookup(params, ids)
            self._sampling_probability = _sampling_probability(sampling_probability)
            self._seed = seed
            self._scheduling_seed = scheduling_seed
            super().__init__(inputs, sequence_length, time_major=time_major, name=name)

    def sample(self, time, outputs, state, name=None):
        with name_scope(name, "ScheduledEmbeddingTrainingHelperSample"):
            chosen = _bernoulli(self._sampling_probability, self.batch_size, self._scheduling_seed, dtypes.bool)
            drawn = math_ops.cast(array_ops.reshape(multinomial(outputs, 1, seed=self._seed), [-1]), dtypes.int32)
            return math_ops.where(chosen, drawn, array_ops.fill(array_ops.reshape(self.batch_size, [1]), -1))

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, "ScheduledEmbeddingTrainingHelperNextInputs"):
            finished, base_inputs, state = super().next_inputs(time, outputs, state, sample_ids)

            def sampled():
                embedded = self._embedding_fn(math_ops.maximum(sample_ids, 0))
                return math_ops.where(math_ops.greater(sample_ids, -1), embedded, base_inputs)
            next_inputs = cond(math_ops.reduce_all(finished), lambda: base_inputs, sampled)
            return finished, next_inputs, state


class ScheduledOutputTrainingHelper(TrainingHelper):
    """`tf.contrib.seq2seq.ScheduledOutputTrainingHelper(inputs, sequence_length, sampling_probability,
    time_major=False, seed=None, next_inputs_fn=None, auxiliary_inputs=None, name=None)`: teacher
    forcing where, with `sampling_probability` per row and step, the next input is instead the cell's
    output (through `next_inputs_fn` if given), with `auxiliary_inputs` of the next step concatenated
    (they are also concatenated to `inputs`). sample_ids are int32 1 where the output was fed back."""

    def __init__(self, inputs, sequence_length, sampling_probability, time_major=False, seed=None,
                 next_inputs_fn=None, auxiliary_inputs=None, name=None):
        with name_scope(name, "ScheduledOutputTrainingHelper"):
            self._sampling_probability = _sampling_probability(sampling_probability)
            self._auxiliary_ta = None
            if auxiliary_inputs is not None:
                inputs = convert_to_tensor(inputs, name="inputs")
                auxiliary_inputs = convert_to_tensor(auxiliary_inputs, name="auxiliary_inputs")
                inputs = array_ops.concat([inputs, auxiliary_inputs], -1)
                if not time_major:
                    auxiliary_inputs = array_ops.transpose(
                        auxiliary_inputs, [1, 0] + list(range(2, auxiliary_inputs.shape.ndims)))
                self._auxiliary_ta = TensorArray(auxiliary_inputs.dtype, size=array_ops.shape(auxiliary_inputs)[0],
                                                 element_shape=auxiliary_inputs.shape[1:]).unstack(auxiliary_inputs)
            self._seed = seed
            self._next_inputs_fn = next_inputs_fn
            super().__init__(inputs, sequence_length, time_major=time_major, name=name)

    def sample(self, time, outputs, state, name=None):
        with name_scope(name, "ScheduledOutputTrainingHelperSample"):
            return _bernoulli(self._sampling_probability, self.batch_size, self._seed, dtypes.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, "ScheduledOutputTrainingHelperNextInputs"):
            finished, base_inputs, state = super().next_inputs(time, outputs, state, sample_ids)
            chosen = math_ops.cast(sample_ids, dtypes.bool)

            def sampled():
                fed_back = outputs if self._next_inputs_fn is None else self._next_inputs_fn(outputs)
                if self._auxiliary_ta is not None:
                    fed_back = array_ops.concat([fed_back, self._auxiliary_ta.read(math_ops.add(time, 1))], -1)
                return math_ops.where(chosen, fed_back, base_inputs)
            skip = math_ops.logical_or(math_ops.reduce_all(finished),
                                       math_ops.logical_not(math_ops.reduce_any(chosen)))
            next_inputs = cond(skip, lambda: base_inputs, sampled)
            return finished, next_inputs, state
