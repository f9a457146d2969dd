"""Candidate samplers for sampled losses (`tf.nn.uniform_candidate_sampler`, `log_uniform_...`,
`learned_unigram_...`, `fixed_unigram_...`, `all_candidate_sampler`) and `compute_accidental_hits`.

Every sampler op takes true_classes (int64 [batch, num_true]) and returns (sampled_candidates int64
[num_sampled], true_expected_count float32 [batch, num_true], sampled_expected_count float32
[num_sampled]). An expected count is how often the sampler is expected to produce a class in one call:
num_sampled * p(class) when sampling with replacement; with `unique` sampling draws are repeated until
num_sampled distinct classes are found, and the count is 1 - (1 - p) ** num_tries, num_tries being the
number of draws that took.
"""
import math

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op
from .random import get_seed

__all__ = ["uniform_candidate_sampler", "log_uniform_candidate_sampler", "learned_unigram_candidate_sampler",
           "fixed_unigram_candidate_sampler", "all_candidate_sampler", "compute_accidental_hits"]


def _check_true_classes(op, true_classes, num_true, range_max):
    """InvalidArgumentError unless true_classes is [batch, num_true] with classes in [0, range_max)."""
    if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
        raise errors.InvalidArgumentError(None, op, "true_classes must be a matrix [batch_size, num_true=%d], "
                                          "got shape %s" % (num_true, list(true_classes.shape)))
    outside = (true_classes < 0) | (true_classes >= range_max)
    if np.any(outside):
        raise errors.InvalidArgumentError(None, op, "`true_candidate` out of range [0, %d), received %d"
                                          % (range_max, int(true_classes[outside][0])))


class _CandidateSampler(OpDef):
    """Shared shapes and sampling loop; subclasses define the distribution (probabilities, draw)."""

    stateful = True
    differentiable = False
    foldable = False
    host_only = True        # draws with the Session's host generator, rejecting repeats in a Python loop

    def infer(self, op):
        true_classes = op.inputs[0]
        if true_classes.dtype is not dtypes.int64:
            raise TypeError("true_classes must be int64, got %s" % true_classes.dtype.name)
        num_true, num_sampled = op.attrs["num_true"], op.attrs["num_sampled"]
        shape = true_classes.shape
        if shape.ndims is not None:
            if shape.ndims != 2:
                raise ValueError("true_classes must be a matrix [batch_size, num_true], got shape %s" % shape)
            if shape[1].value is not None and shape[1].value != num_true:
                raise ValueError("true_classes must have num_true=%d columns, got shape %s" % (num_true, shape))
        batch = shape[0].value if shape.ndims == 2 else None
        return [(dtypes.int64, TensorShape([num_sampled])), (dtypes.float32, TensorShape([batch, num_true])),
                (dtypes.float32, TensorShape([num_sampled]))]

    def distribution(self, op, ctx):
        """(probabilities over [0, range_max) as a float64 array or a callable of ids, draw(rng, n))."""
        raise NotImplementedError

    def update(self, op, ctx, true_classes):
        """Hook for samplers that learn from the true classes they see."""

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        num_true, num_sampled = op.attrs["num_true"], op.attrs["num_sampled"]
        unique, range_max = op.attrs["unique"], op.attrs["range_max"]

        def sample(true_classes):
            _check_true_classes(op, true_classes, num_true, range_max)
            if unique and num_sampled > range_max:
                raise errors.InvalidArgumentError(None, op, "Sampler's range is too small: num_sampled %d > "
                                                  "range_max %d with unique=True" % (num_sampled, range_max))
            probability, draw = self.distribution(op, ctx)
            if unique:
                chosen, seen, tries = [], set(), 0
                while len(chosen) < num_sampled:
                    for value in draw(rng, max(2 * (num_sampled - len(chosen)), 16)):
                        tries += 1
                        if value not in seen:
                            seen.add(value)
                            chosen.append(value)
                            if len(chosen) == num_sampled:
                                break
                sampled = np.array(chosen, dtype=np.int64)
            else:
                sampled = np.asarray(draw(rng, num_sampled), dtype=np.int64)
                tries = num_sampled

            def expected(ids):
                p = probability(ids)
                if unique:
                    return -np.expm1(tries * np.log1p(-np.minimum(p, 1.0)))
                return p * num_sampled
            true_count = expected(true_classes).astype(np.float32)
            sampled_count = expected(sampled).astype(np.float32)
            self.update(op, ctx, true_classes)
            return sampled, true_count, sampled_count
        return sample


def _table(weights):
    """(probability of ids, draw) of a finite distribution given by non-negative weights."""
    p = np.asarray(weights, dtype=np.float64)
    p = p / p.sum()
    cumulative = np.cumsum(p)

    def probability(ids):
        ids = np.asarray(ids)
        return np.where((ids >= 0) & (ids < p.size), p[np.clip(ids, 0, p.size - 1)], 0.0)

    def draw(rng, n):
        return np.minimum(np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right"),
                          p.size - 1).tolist()
    return probability, draw


@register
class UniformCandidateSampler(_CandidateSampler):
    """Classes drawn uniformly from [0, range_max)."""

    def distribution(self, op, ctx):
        range_max = op.attrs["range_max"]

        def probability(ids):
            return np.full(np.shape(ids), 1.0 / range_max)
        return probability, lambda rng, n: rng.integers(0, range_max, n).tolist()


@register
class LogUniformCandidateSampler(_CandidateSampler):
    """Zipfian classes: P(k) = (log(k + 2) - log(k + 1)) / log(range_max + 1)."""

    def distribution(self, op, ctx):
        range_max = op.attrs["range_max"]
        log_range = math.log(range_max + 1)

        def probability(ids):
            ids = np.asarray(ids, dtype=np.float64)
            return (np.log(ids + 2.0) - np.log(ids + 1.0)) / log_range

        def draw(rng, n):
            values = np.floor(np.exp(rng.random(n) * log_range)).astype(np.int64) - 1
            return np.clip(values, 0, range_max - 1).tolist()
        return probability, draw


@register
class FixedUnigramCandidateSampler(_CandidateSampler):
    """Classes drawn in proportion to given counts raised to `distortion`; the first num_reserved_ids
    classes and, with sharding, those of other shards (id % num_shards != shard) have probability 0."""

    def distribution(self, op, ctx):
        cached = ctx.resources.get(("FixedUnigram", op))
        if cached is None:
            weights = np.zeros(op.attrs["range_max"], dtype=np.float64)
            counts = np.asarray(op.attrs["unigrams"], dtype=np.float64) ** op.attrs["distortion"]
            start = op.attrs["num_reserved_ids"]
            weights[start:start + counts.size] = counts
            shards, shard = op.attrs["num_shards"], op.attrs["shard"]
            if shards > 1:
                weights[np.arange(weights.size) % shards != shard] = 0.0
            if not weights.sum() > 0:
                raise errors.InvalidArgumentError(None, op, "fixed_unigram_candidate_sampler: every class "
                                                  "has weight 0")
            cached = ctx.resources[("FixedUnigram", op)] = _table(weights)
        return cached


@register
class LearnedUnigramCandidateSampler(_CandidateSampler):
    """Classes drawn in proportion to how often they were true classes in earlier runs of this op in
    this Session (every class starts with a count of 1, so the first draws are uniform)."""

    def _counts(self, op, ctx):
        key = ("LearnedUnigram", op)
        counts = ctx.resources.get(key)
        if counts is None:
            counts = ctx.resources[key] = np.ones(op.attrs["range_max"], dtype=np.float64)
        return counts

    def distribution(self, op, ctx):
        return _table(self._counts(op, ctx))

    def update(self, op, ctx, true_classes):
        counts = self._counts(op, ctx)
        ids = np.asarray(true_classes).ravel()
        ids = ids[(ids >= 0) & (ids < counts.size)]
        np.add.at(counts, ids, 1.0)


@register
class AllCandidateSampler(_CandidateSampler):
    """Every class of [0, num_sampled) once, each with expected count 1."""

    def kernel(self, op, ctx):
        num_true, num_sampled = op.attrs["num_true"], op.attrs["num_sampled"]
        range_max = num_sampled

        def sample(true_classes):
            _check_true_classes(op, true_classes, num_true, range_max)
            return (np.arange(num_sampled, dtype=np.int64), np.ones(true_classes.shape, np.float32),
                    np.ones(num_sampled, np.float32))
        return sample


def _sampler(op_type, true_classes, num_true, num_sampled, unique, range_max, seed, name, **extra):
    num_true, num_sampled, range_max = int(num_true), int(num_sampled), int(range_max)
    if num_true < 1 or num_sampled < 1 or range_max < 1:
        raise ValueError("num_true, num_sampled and range_max must be positive, got %d, %d and %d"
                         % (num_true, num_sampled, range_max))
    seed1, seed2 = get_seed(seed)
    attrs = {"num_true": num_true, "num_sampled": num_sampled, "unique": bool(unique), "range_max": range_max,
             "seed": seed1, "seed2": seed2}
    attrs.update(extra)
    true_classes = convert_to_tensor(true_classes, dtype=dtypes.int64, name="true_classes")
    op = make_op(op_type, [true_classes], attrs, name=name or op_type)
    return tuple(op.outputs)


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """`tf.nn.uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
    seed=None)`: (sampled_candidates, true_expected_count, sampled_expected_count) with classes drawn
    uniformly from [0, range_max)."""
    return _sampler("UniformCandidateSampler", true_classes, num_true, num_sampled, unique, range_max, seed,
                    name)


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None,
                                  name=None):
    """`tf.nn.log_uniform_candidate_sampler(...)`: classes drawn from the log-uniform (Zipfian)
    distribution P(k) = (log(k + 2) - log(k + 1)) / log(range_max + 1), for classes sorted by
    decreasing frequency."""
    return _sampler("LogUniformCandidateSampler", true_classes, num_true, num_sampled, unique, range_max,
                    seed, name)


def learned_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None,
                                      name=None):
    """`tf.nn.learned_unigram_candidate_sampler(...)`: classes drawn in proportion to how often they
    appeared as true classes in this op's earlier runs (in this Session)."""
    return _sampler("LearnedUnigramCandidateSampler", true_classes, num_true, num_sampled, unique, range_max,
                    seed, name)


def _read_vocab_counts(vocab_file):
    """The last comma-separated field of each non-empty line of `vocab_file`, as floats."""
    from ..platform import gfile
    counts = []
    with gfile.GFile(vocab_file, "r") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            try:
                counts.append(float(line.split(",")[-1]))
            except ValueError:
                raise ValueError("%s:%d: the last field of a vocabulary line must be a count, got %r"
                                 % (vocab_file, number, line)) from None
    return counts


def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, vocab_file="",
                                    distortion=1.0, num_reserved_ids=0, num_shards=1, shard=0, unigrams=(),
                                    seed=None, name=None):
    """`tf.nn.fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
    vocab_file='', distortion=1.0, num_reserved_ids=0, num_shards=1, shard=0, unigrams=())`: classes
    drawn in proportion to `unigrams` (or the last CSV field of each line of `vocab_file`), each raised
    to `distortion`; ids below num_reserved_ids are never drawn."""
    if bool(vocab_file) == bool(len(unigrams)):
        raise ValueError("Exactly one of vocab_file and unigrams must be given")
    counts = _read_vocab_counts(vocab_file) if vocab_file else [float(u) for u in unigrams]
    if any(c < 0 for c in counts):
        raise ValueError("unigram counts must be non-negative")
    if len(counts) + int(num_reserved_ids) != int(range_max):
        raise ValueError("Mismatch between vocabulary size (%d) + num_reserved_ids (%d) and range_max (%d)"
                         % (len(counts), int(num_reserved_ids), int(range_max)))
    if not 0 <= int(shard) < int(num_shards):
        raise ValueError("shard must be in [0, num_shards), got %d of %d" % (int(shard), int(num_shards)))
    return _sampler("FixedUnigramCandidateSampler", true_classes, num_true, num_sampled, unique, range_max,
                    seed, name, unigrams=tuple(counts), distortion=float(distortion),
                    num_reserved_ids=int(num_reserved_ids), num_shards=int(num_shards), shard=int(shard))


def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None, name=None):
    """`tf.nn.all_candidate_sampler(true_classes, num_true, num_sampled, unique)`: the classes
    0 .. num_sampled - 1, each with expected count 1 (for testing sampled losses against full ones)."""
    return _sampler("AllCandidateSampler", true_classes, num_true, num_sampled, True, num_sampled, seed, name)


@register
class ComputeAccidentalHits(OpDef):
    """The (row, sampled position) pairs where a sampled candidate equals one of the row's true classes."""

    differentiable = False

    def infer(self, op):
        true_classes, sampled = op.inputs
        num_true = op.attrs["num_true"]
        if true_classes.shape.ndims not in (None, 2):
            raise ValueError("true_classes must be a matrix, got shape %s" % true_classes.shape)
        if true_classes.shape.ndims == 2 and true_classes.shape[1].value not in (None, num_true):
            raise ValueError("true_classes must have num_true=%d columns, got shape %s"
                             % (num_true, true_classes.shape))
        if sampled.shape.ndims not in (None, 1):
            raise ValueError("sampled_candidates must be a vector, got shape %s" % sampled.shape)
        vector = TensorShape([None])
        return [(dtypes.int32, vector), (dtypes.int64, vector), (dtypes.float32, vector)]

    def kernel(self, op, ctx):
        lowest = np.float32(-np.finfo(np.float32).max)
        xp = ctx.xp

        def hits(true_classes, sampled):
            # One entry per (row, sampled position, matching true class), in that order, as TF lists them.
            rows, positions, _ = np.nonzero(sampled[None, :, None] == true_classes[:, None, :])
            return (rows.astype(np.int32), positions.astype(np.int64),
                    xp.full(rows.shape, lowest, dtype=np.float32))
        return hits


def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """`tf.nn.compute_accidental_hits(true_classes, sampled_candidates, num_true)`: (indices int32,
    ids int64, weights float32) listing each row `indices[i]` whose true classes include the sampled
    candidate at position `ids[i]`; weights are -FLT_MAX, to be added to those sampled logits."""
    true_classes = convert_to_tensor(true_classes, dtype=dtypes.int64, name="true_classes")
    sampled = convert_to_tensor(sampled_candidates, dtype=dtypes.int64, name="sampled_candidates")
    op = make_op("ComputeAccidentalHits", [true_classes, sampled], {"num_true": int(num_true)},
                 name=name or "ComputeAccidentalHits")
    return tuple(op.outputs)
