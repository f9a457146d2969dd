"""Stochastic dual coordinate ascent (SDCA), the solver behind TF1's linear estimators (`tf.train.sdca_*`).

- `SdcaFprint`: a 128-bit FarmHash fingerprint (CityHash128 lineage) of each string, as two int64s;
- `SdcaShrinkL1`: the L1 proximal step applied in place to a list of weight variables;
- `SdcaOptimizer`: one pass of dual coordinate ascent over a batch of examples, for the logistic, squared,
  hinge and smooth-hinge losses. It returns each example's new dual and losses and the weight deltas.

TF visits the examples in an order drawn from a non-deterministic source (a shuffle, or adaptive sampling
that favours examples far from their optimum), so only results that do not depend on that order (one
example, or examples sharing no weights) are reproducible; numflow draws its order from the op's seeded
generator.
"""
import collections

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, is_tensor_like
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, format_shape
from .common import make_op
from .hash_functions import _K0, _K1, _MASK64, _hash_up_to_16, _load64, _mix_64_bytes, _rotate_right, \
    _shift_mix, _weak_hash_32
from .state import _ref_of, _uninitialized, _variable_op_of

__all__ = ["sdca_fprint", "sdca_shrink_l1", "sdca_optimizer"]

# CityHash's 128-to-64-bit mixing multiplier (Hash128to64).
_KMUL = 0x9ddfea08eb382d69


def _hash_pair(u, v):
    a = ((u ^ v) * _KMUL) & _MASK64
    a ^= a >> 47
    b = ((v ^ a) * _KMUL) & _MASK64
    b ^= b >> 47
    return (b * _KMUL) & _MASK64


def _city_murmur(data, at, n, low, high):
    """The short-input branch of CityHash128WithSeed (fewer than 128 bytes from `at`)."""
    a, b, c, d = low, high, 0, 0
    if n <= 16:
        a = (_shift_mix((a * _K1) & _MASK64) * _K1) & _MASK64
        c = (b * _K1 + _hash_up_to_16(data[at:at + n], n)) & _MASK64
        d = _shift_mix((a + (_load64(data, at) if n >= 8 else c)) & _MASK64)
    else:
        c = _hash_pair((_load64(data, at + n - 8) + _K1) & _MASK64, a)
        d = _hash_pair((b + n) & _MASK64, (c + _load64(data, at + n - 16)) & _MASK64)
        a = (a + d) & _MASK64
        remaining = n - 16
        while True:
            a ^= (_shift_mix((_load64(data, at) * _K1) & _MASK64) * _K1) & _MASK64
            a = (a * _K1) & _MASK64
            b ^= a
            c ^= (_shift_mix((_load64(data, at + 8) * _K1) & _MASK64) * _K1) & _MASK64
            c = (c * _K1) & _MASK64
            d ^= c
            at += 16
            remaining -= 16
            if remaining <= 0:
                break
    a = _hash_pair(a, c)
    b = _hash_pair(d, b)
    return a ^ b, _hash_pair(b, a)


def _city_hash128_with_seed(data, at, n, low, high):
    if n < 128:
        return _city_murmur(data, at, n, low, high)
    x, y, z = low, high, (n * _K1) & _MASK64
    v0 = (_rotate_right(y ^ _K1, 49) * _K1 + _load64(data, at)) & _MASK64
    v1 = (_rotate_right(v0, 42) * _K1 + _load64(data, at + 8)) & _MASK64
    w0 = (_rotate_right((y + z) & _MASK64, 35) * _K1 + x) & _MASK64
    w1 = (_rotate_right((x + _load64(data, at + 88)) & _MASK64, 53) * _K1) & _MASK64
    while True:   # 128 bytes a round, as two 64-byte steps
        for _ in range(2):
            x, y, z, v0, v1, w0, w1 = _mix_64_bytes(data, at, x, y, z, v0, v1, w0, w1)
            at += 64
        n -= 128
        if n < 128:
            break
    x = (x + _rotate_right((v0 + z) & _MASK64, 49) * _K0) & _MASK64
    y = (y * _K0 + _rotate_right(w1, 37)) & _MASK64
    z = (z * _K0 + _rotate_right(w0, 27)) & _MASK64
    w0 = (w0 * 9) & _MASK64
    v0 = (v0 * _K0) & _MASK64
    done = 0
    while done < n:   # up to four 32-byte chunks taken back from the end
        done += 32
        y = (_rotate_right((x + y) & _MASK64, 42) * _K0 + v1) & _MASK64
        w0 = (w0 + _load64(data, at + n - done + 16)) & _MASK64
        x = (x * _K0 + w0) & _MASK64
        z = (z + w1 + _load64(data, at + n - done)) & _MASK64
        w1 = (w1 + v0) & _MASK64
        v0, v1 = _weak_hash_32(data, at + n - done, (v0 + z) & _MASK64, v1)
        v0 = (v0 * _K0) & _MASK64
    x = _hash_pair(x, v0)
    y = _hash_pair((y + z) & _MASK64, w0)
    return (_hash_pair((x + v1) & _MASK64, w1) + y) & _MASK64, _hash_pair((x + w1) & _MASK64, (y + v1) & _MASK64)


def farmhash_fingerprint128(data):
    """FarmHash Fingerprint128 of `data` (bytes): (low, high) unsigned 64-bit ints, TF's `Fingerprint128`."""
    if len(data) >= 16:
        return _city_hash128_with_seed(data, 16, len(data) - 16, _load64(data, 0),
                                       (_load64(data, 8) + _K0) & _MASK64)
    return _city_hash128_with_seed(data, 0, len(data), _K0, _K1)


def _as_input(value, dtype):
    # Tensors keep their dtype, so that a wrong one is the op's TypeError; other values take `dtype`.
    return convert_to_tensor(value) if is_tensor_like(value) else convert_to_tensor(value, dtype=dtype)


@register
class SdcaFprint(OpDef):
    """Each string's 128-bit fingerprint as two int64s (low word, high word)."""

    differentiable = False
    host_only = True    # hashes each string with a Python FarmHash

    def infer(self, op):
        data = op.inputs[0]
        if data.dtype != dtypes.string:
            raise TypeError("SdcaFprint expects a string input, got %s" % data.dtype.name)
        if data.shape.ndims not in (None, 1):
            raise ValueError("Shape must be rank 1 but is rank %d for 'input' of SdcaFprint" % data.shape.ndims)
        return [(dtypes.int64, TensorShape([data.shape[0].value if data.shape.ndims else None, 2]))]

    def kernel(self, op, ctx):
        def fingerprint(strings):
            if np.ndim(strings) != 1:
                raise errors.InvalidArgumentError(None, op, "input must be a vector, got shape %s"
                                                  % (list(np.shape(strings)),))
            words = np.array([farmhash_fingerprint128(s) for s in strings], dtype=np.uint64).reshape(-1, 2)
            return words.view(np.int64)
        return fingerprint


def sdca_fprint(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.train.sdca_fprint`: an int64 [N, 2] tensor, the FarmHash Fingerprint128 of each of the N strings
    of `input` (low 64 bits, then high 64 bits), used by SDCA to key examples."""
    return make_op("SdcaFprint", [_as_input(input, dtypes.string)], name=name or "SdcaFprint").outputs[0]


def _shrinkage(l1, l2):
    # TF divides in float32: l2 == 0 gives an infinite shrinkage (every weight becomes 0).
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float32(l1) / np.float32(l2))


def _shrink(weights, shrinkage):
    """The L1 proximal step: weights moved towards 0 by `shrinkage`, those within it set to 0."""
    return np.sign(weights) * np.maximum(np.abs(weights) - shrinkage, 0)


@register
class SdcaShrinkL1(OpDef):
    """Applies the L1 proximal step sign(w) * max(|w| - l1 / l2, 0) to each weight variable in place."""

    stateful = True
    updates_state = True
    differentiable = False

    def infer(self, op):
        for tensor in op.inputs:
            _variable_op_of(tensor)
            if tensor.dtype != dtypes.float32:
                raise TypeError("SdcaShrinkL1 expects float32 weights, got %s for '%s'"
                                % (tensor.dtype.name, tensor.name))
        return []

    ref_inputs = range(1 << 30)   # every input, however many, is a weight variable

    def kernel(self, op, ctx):
        variable_ops = [t.op for t in op.inputs]
        cells = [ctx.variable_cell(v) for v in variable_ops]
        shrinkage = _shrinkage(op.attrs["l1"], op.attrs["l2"])

        def shrink_in_place():
            for cell, variable_op in zip(cells, variable_ops):
                if cell.value is None:
                    raise _uninitialized(variable_op)
            for cell in cells:
                cell.value[...] = _shrink(cell.value, shrinkage)
        return shrink_in_place


def sdca_shrink_l1(weights, l1, l2, name=None):
    """`tf.train.sdca_shrink_l1`: applies L1 regularization shrinkage to each of the float32 weight
    variables in the list `weights`, in place: w = sign(w) * max(|w| - l1 / l2, 0). Returns the Operation."""
    refs = [_ref_of(w) for w in weights]
    return make_op("SdcaShrinkL1", refs, {"num_features": len(refs), "l1": float(l1), "l2": float(l2)},
                   name=name or "SdcaShrinkL1")


def _binary_label(label, op):
    """The losses with a margin take labels 0 or 1 and work with -1 or +1."""
    if label == 0.0:
        return -1.0
    if label == 1.0:
        return 1.0
    raise errors.InvalidArgumentError(
        None, op, "Only labels of 0.0 or 1.0 are supported right now. Found example with label: %g" % label)


class _LogisticLoss:
    """log(1 + exp(-y wx)); dual variable a with a*y in [0, 1]."""

    smoothness = 0.25
    binary = True
    _newton_steps = 10   # Newton's method converges quadratically: ten steps reach float precision

    @staticmethod
    def updated_dual(partitions, label, weight, dual, wx, norm):
        # The new dual a = (1 + tanh(x)) / (2y) solves wx + partitions*norm*weight*(a - dual) = -y*logit(a*y).
        scale = partitions * norm * weight
        x = 0.0
        for _ in range(_LogisticLoss._newton_steps):
            tanh_x = np.tanh(x)
            residual = -2 * label * x - wx - scale * (0.5 * (1 + tanh_x) / label - dual)
            slope = -2 * label - scale * (1 - tanh_x * tanh_x) * 0.5 / label
            x -= residual / slope
        return 0.5 * (1 + np.tanh(x)) / label

    @staticmethod
    def primal_loss(wx, label, weight):
        margin = label * wx
        return float(np.logaddexp(0.0, -margin)) * weight

    @staticmethod
    def dual_loss(dual, label, weight):
        ay = dual * label
        log_ay = np.log(ay) if ay > 0 else 0.0
        log_rest = np.log(1 - ay) if 1 - ay > 0 else 0.0
        return (ay * log_ay + (1 - ay) * log_rest) * weight

    @staticmethod
    def derivative(wx, label, weight):
        return -label / (1 + np.exp(label * wx)) * weight


class _SquaredLoss:
    """(wx - y)^2 / 2; unconstrained dual."""

    smoothness = 1.0
    binary = False

    @staticmethod
    def updated_dual(partitions, label, weight, dual, wx, norm):
        return dual + (label - wx - dual) / (1 + partitions * norm * weight)

    @staticmethod
    def primal_loss(wx, label, weight):
        return 0.5 * (wx - label) ** 2 * weight

    @staticmethod
    def dual_loss(dual, label, weight):
        return (-dual * label + 0.5 * dual * dual) * weight

    @staticmethod
    def derivative(wx, label, weight):
        return (wx - label) * weight


class _HingeLoss:
    """max(0, 1 - y wx); dual a with a*y in [0, 1]."""

    smoothness = 0.0
    binary = True

    @staticmethod
    def updated_dual(partitions, label, weight, dual, wx, norm):
        candidate = dual + (label - wx) / (partitions * weight * norm)
        return float(np.clip(label * candidate, 0.0, 1.0)) * label

    @staticmethod
    def primal_loss(wx, label, weight):
        return max(0.0, 1 - label * wx) * weight

    @staticmethod
    def dual_loss(dual, label, weight):
        ay = dual * label
        return np.inf if ay < 0 or ay > 1 else -ay * weight

    @staticmethod
    def derivative(wx, label, weight):
        return (-label if label * wx < 1 else 0.0) * weight


class _SmoothHingeLoss:
    """The hinge smoothed quadratically over a margin of width 1 (gamma = 1)."""

    smoothness = 1.0
    binary = True
    _gamma = 1.0

    @staticmethod
    def updated_dual(partitions, label, weight, dual, wx, norm):
        gamma = _SmoothHingeLoss._gamma
        candidate = dual + (label - wx - gamma * dual) / (partitions * weight * norm + gamma)
        return float(np.clip(label * candidate, 0.0, 1.0)) * label

    @staticmethod
    def primal_loss(wx, label, weight):
        gamma = _SmoothHingeLoss._gamma
        margin = label * wx
        if margin >= 1:
            return 0.0
        if margin <= 1 - gamma:
            return (1 - margin - gamma / 2) * weight
        return (1 - margin) ** 2 / (2 * gamma) * weight

    @staticmethod
    def dual_loss(dual, label, weight):
        ay = dual * label
        if ay < 0 or ay > 1:
            return np.inf
        return (-ay + 0.5 * _SmoothHingeLoss._gamma * dual * dual) * weight

    @staticmethod
    def derivative(wx, label, weight):
        gamma = _SmoothHingeLoss._gamma
        margin = label * wx
        if margin >= 1:
            return 0.0
        if margin <= 1 - gamma:
            return -label * weight
        return (margin - 1) * label / gamma * weight


_LOSSES = {"logistic_loss": _LogisticLoss, "squared_loss": _SquaredLoss, "hinge_loss": _HingeLoss,
           "smooth_hinge_loss": _SmoothHingeLoss}

_SDCA_COUNTS = ("num_sparse_features", "num_sparse_features_with_values", "num_dense_features")


def _sdca_groups(op):
    """op.inputs split into TF's named input lists."""
    sparse, valued, dense = (op.attrs[k] for k in _SDCA_COUNTS)
    sizes = [("sparse_example_indices", sparse), ("sparse_feature_indices", sparse),
             ("sparse_feature_values", valued), ("dense_features", dense), ("example_weights", 1),
             ("example_labels", 1), ("sparse_indices", sparse), ("sparse_weights", sparse),
             ("dense_weights", dense), ("example_state_data", 1)]
    groups, at = {}, 0
    for key, size in sizes:
        groups[key] = list(range(at, at + size))
        at += size
    return groups


@register
class SdcaOptimizer(OpDef):
    """One pass of stochastic dual coordinate ascent over a batch: new example state and weight deltas."""

    stateful = True       # draws the order in which the examples are visited
    differentiable = False
    host_only = True      # a sequential pass over the examples in Python

    def infer(self, op):
        if op.attrs["loss_type"] not in _LOSSES:
            raise ValueError("Unsupported loss type: %s (expected one of %s)"
                             % (op.attrs["loss_type"], ", ".join(sorted(_LOSSES))))
        if op.attrs["num_loss_partitions"] < 1:
            raise ValueError("num_loss_partitions must be at least 1, got %d" % op.attrs["num_loss_partitions"])
        groups = _sdca_groups(op)
        inputs = op.inputs

        def check(key, dtype, rank):
            for index in groups[key]:
                tensor = inputs[index]
                if tensor.dtype != dtype:
                    raise TypeError("SdcaOptimizer expects %s for '%s', got %s"
                                    % (dtype.name, key, tensor.dtype.name))
                if tensor.shape.ndims not in (None, rank):
                    raise ValueError("Shape must be rank %d but is rank %d for '%s' of SdcaOptimizer"
                                     % (rank, tensor.shape.ndims, key))
        for key in ("sparse_example_indices", "sparse_feature_indices", "sparse_indices"):
            check(key, dtypes.int64, 1)
        for key in ("sparse_feature_values", "example_weights", "example_labels", "sparse_weights",
                    "dense_weights"):
            check(key, dtypes.float32, 1)
        check("dense_features", dtypes.float32, 2)
        check("example_state_data", dtypes.float32, 2)
        state = inputs[groups["example_state_data"][0]].shape
        if state.ndims == 2 and state[1].value not in (None, 4):
            raise ValueError("example_state_data must have shape [num_examples, 4], got %s" % format_shape(state))
        return ([(dtypes.float32, state)]
                + [(dtypes.float32, inputs[i].shape) for i in groups["sparse_weights"]]
                + [(dtypes.float32, inputs[i].shape) for i in groups["dense_weights"]])

    def kernel(self, op, ctx):
        groups = _sdca_groups(op)
        attrs = op.attrs
        loss = _LOSSES[attrs["loss_type"]]
        shrinkage = _shrinkage(attrs["l1"], attrs["l2"])
        l2 = float(np.float32(attrs["l2"]))
        partitions = attrs["num_loss_partitions"]
        generator = ctx.random_generator(op)

        def run(*args):
            def take(key):
                return [np.asarray(args[i]) for i in groups[key]]
            # An example of weight or norm 0 divides by zero: TF's result is then inf or nan, silently.
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                return _sdca_pass(op, loss, shrinkage, l2, partitions, attrs["adaptative"], generator,
                                  take("sparse_example_indices"), take("sparse_feature_indices"),
                                  take("sparse_feature_values"), take("dense_features"),
                                  take("example_weights")[0], take("example_labels")[0], take("sparse_weights"),
                                  take("dense_weights"), take("example_state_data")[0])
        return run


def _invalid(op, message):
    return errors.InvalidArgumentError(None, op, message)


def _sdca_pass(op, loss, shrinkage, l2, partitions, adaptive, generator, example_indices, feature_indices,
               feature_values, dense_features, example_weights, example_labels, sparse_weights, dense_weights,
               state):
    num_examples = example_weights.shape[0]
    if example_labels.shape[0] != num_examples or state.shape != (num_examples, 4):
        raise _invalid(op, "example_weights, example_labels and example_state_data must describe the same "
                           "%d examples (example_state_data [%d, 4]), got %d labels and state of shape %s"
                       % (num_examples, num_examples, example_labels.shape[0], list(state.shape)))
    # Each example's sparse features, group by group: (weight ids, values).
    sparse_rows = []
    for group, (rows, ids) in enumerate(zip(example_indices, feature_indices)):
        values = feature_values[group] if group < len(feature_values) else np.ones(len(ids))
        if not len(rows) == len(ids) == len(values):
            raise _invalid(op, "sparse group %d: example indices, feature indices and values differ in length "
                               "(%d, %d, %d)" % (group, len(rows), len(ids), len(values)))
        size = sparse_weights[group].shape[0]
        if len(ids) and (ids.min() < 0 or ids.max() >= size):
            bad = ids[(ids < 0) | (ids >= size)][0]
            raise _invalid(op, "Found sparse feature indices out of valid range: %d (group %d has %d weights)"
                           % (bad, group, size))
        if len(rows) and (rows.min() < 0 or rows.max() >= num_examples):
            raise _invalid(op, "Found sparse example indices out of valid range [0, %d) in group %d"
                           % (num_examples, group))
        order = np.argsort(rows, kind="stable")
        bounds = np.searchsorted(rows[order], np.arange(num_examples + 1))
        ids, values = ids[order], values[order].astype(np.float64)
        sparse_rows.append([(ids[bounds[e]:bounds[e + 1]], values[bounds[e]:bounds[e + 1]])
                            for e in range(num_examples)])
    for group, features in enumerate(dense_features):
        if features.shape != (num_examples, dense_weights[group].shape[0]):
            raise _invalid(op, "dense group %d: features of shape %s do not match %d examples and %d weights"
                           % (group, list(features.shape), num_examples, dense_weights[group].shape[0]))
    dense = [f.astype(np.float64) for f in dense_features]
    nominal_sparse = [w.astype(np.float64) for w in sparse_weights]
    nominal_dense = [w.astype(np.float64) for w in dense_weights]
    delta_sparse = [np.zeros_like(w) for w in nominal_sparse]
    delta_dense = [np.zeros_like(w) for w in nominal_dense]
    squared_norms = np.zeros(num_examples)
    for rows in sparse_rows:
        squared_norms += [np.dot(values, values) for _, values in rows]
    for features in dense:
        squared_norms += np.einsum("ij,ij->i", features, features)
    labels = np.array([_binary_label(float(y), op) if loss.binary else float(y) for y in example_labels])
    weights = example_weights.astype(np.float64)
    shrunk_sparse = [_shrink(w, shrinkage) for w in nominal_sparse]
    shrunk_dense = [_shrink(w, shrinkage) for w in nominal_dense]

    def margin_before_pass(example):
        total = 0.0
        for rows, shrunk in zip(sparse_rows, shrunk_sparse):
            ids, values = rows[example]
            total += np.dot(values, shrunk[ids])
        for features, shrunk in zip(dense, shrunk_dense):
            total += np.dot(features[example], shrunk)
        return float(total)

    def current_margin(example):
        # The weights with this pass's deltas, scaled as if every loss partition moved alike.
        total = 0.0
        for rows, nominal, delta in zip(sparse_rows, nominal_sparse, delta_sparse):
            ids, values = rows[example]
            total += np.dot(values, _shrink(nominal[ids] + delta[ids] * partitions, shrinkage))
        for features, nominal, delta in zip(dense, nominal_dense, delta_dense):
            total += np.dot(features[example], _shrink(nominal + delta * partitions, shrinkage))
        return float(total)

    out_state = state.astype(np.float32)
    order = (_adaptive_order(loss, l2, squared_norms, weights, labels, state[:, 0], current_margin, generator)
             if adaptive else generator.permutation(num_examples))
    for example in order:
        # A revisited example starts from the dual its last visit left.
        weight, label, dual = weights[example], labels[example], float(out_state[example, 0])
        wx = current_margin(example)
        new_dual = loss.updated_dual(partitions, label, weight, dual, wx, squared_norms[example] / l2)
        step = (new_dual - dual) * weight / l2
        for rows, delta in zip(sparse_rows, delta_sparse):
            ids, values = rows[example]
            np.add.at(delta, ids, values * step)
        for features, delta in zip(dense, delta_dense):
            delta += features[example] * step
        out_state[example] = (new_dual, loss.primal_loss(margin_before_pass(example), label, weight),
                              loss.dual_loss(dual, label, weight), weight)
    return tuple([out_state] + [d.astype(np.float32) for d in delta_sparse]
                 + [d.astype(np.float32) for d in delta_dense])


def _adaptive_order(loss, l2, squared_norms, weights, labels, duals, current_margin, generator):
    """TF's adaptive sampling: examples drawn in proportion to how far their dual is from optimal (scaled by
    their norm and weight); a drawn example is kept with probability 0.1**(times drawn before), the draws
    stop after as many rejections as examples, and the examples never drawn follow by decreasing weight."""
    num_examples = len(weights)
    scores = np.array([weights[e] * np.sqrt(squared_norms[e] + l2 * loss.smoothness)
                       * abs(duals[e] + loss.derivative(current_margin(e), labels[e], 1.0))
                       for e in range(num_examples)])
    order, counts, rejections = [], np.zeros(num_examples, np.int64), 0
    total = scores.sum()
    if total > 0 and np.isfinite(total):
        probabilities = scores / total
        while len(order) < num_examples and rejections < num_examples:
            picked = generator.choice(num_examples, p=probabilities)
            if generator.random() > 0.1 ** counts[picked]:
                rejections += 1
                continue
            counts[picked] += 1
            order.append(picked)
    unseen = [e for e in np.argsort(-scores, kind="stable") if counts[e] == 0]
    return (order + unseen)[:num_examples]


_SdcaOptimizerResult = collections.namedtuple(
    "SdcaOptimizer", ["out_example_state_data", "out_delta_sparse_weights", "out_delta_dense_weights"])


def sdca_optimizer(sparse_example_indices, sparse_feature_indices, sparse_feature_values, dense_features,
                   example_weights, example_labels, sparse_indices, sparse_weights, dense_weights,
                   example_state_data, loss_type, l1, l2, num_loss_partitions, num_inner_iterations,
                   adaptative=True, name=None):
    """`tf.train.sdca_optimizer`: one pass of stochastic dual coordinate ascent (Shalev-Shwartz & Zhang)
    over a batch of examples for a linear model with L1/L2 regularization.

    Sparse features come as parallel lists per feature group (the example of each entry, the weight it
    multiplies, and for the first groups its value; 1 otherwise); dense features as [N, d] matrices.
    `loss_type` is one of 'logistic_loss', 'squared_loss', 'hinge_loss', 'smooth_hinge_loss' (the binary
    losses take labels 0 or 1). `example_state_data` is [N, 4]: dual, primal loss, dual loss, example
    weight. Returns (out_example_state_data, out_delta_sparse_weights, out_delta_dense_weights): the new
    example state and, per weight tensor, the change of its weights (apply it, then `sdca_shrink_l1`).
    """
    def tensors(values, dtype):
        return [_as_input(v, dtype) for v in values]
    sparse = tensors(sparse_example_indices, dtypes.int64)
    inputs = (sparse + tensors(sparse_feature_indices, dtypes.int64)
              + tensors(sparse_feature_values, dtypes.float32) + tensors(dense_features, dtypes.float32)
              + tensors([example_weights, example_labels], dtypes.float32)
              + tensors(sparse_indices, dtypes.int64) + tensors(sparse_weights, dtypes.float32)
              + tensors(dense_weights, dtypes.float32) + tensors([example_state_data], dtypes.float32))
    counts = (len(sparse), len(sparse_feature_values), len(dense_features))
    for key, values, expected in (("sparse_feature_indices", sparse_feature_indices, counts[0]),
                                  ("sparse_indices", sparse_indices, counts[0]),
                                  ("sparse_weights", sparse_weights, counts[0]),
                                  ("dense_weights", dense_weights, counts[2])):
        if len(values) != expected:
            raise ValueError("List argument '%s' to 'SdcaOptimizer' Op with length %d must match length %d of "
                             "the corresponding feature list" % (key, len(values), expected))
    attrs = dict(zip(_SDCA_COUNTS, counts))
    attrs.update({"loss_type": loss_type, "adaptative": bool(adaptative), "l1": float(l1), "l2": float(l2),
                  "num_loss_partitions": int(num_loss_partitions),
                  "num_inner_iterations": int(num_inner_iterations)})
    outputs = make_op("SdcaOptimizer", inputs, attrs, name=name or "SdcaOptimizer").outputs
    return _SdcaOptimizerResult(outputs[0], outputs[1:1 + counts[0]], outputs[1 + counts[0]:])
