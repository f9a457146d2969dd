"""Connectionist temporal classification (Graves et al. 2006): `tf.nn.ctc_loss` (+ v2), the greedy and
beam-search decoders.

Inputs are logits, time-major [max_time, batch, num_classes] unless said otherwise; the decoders and the
loss normalise them with a softmax per time step. In TF 1's ops the blank is the last class,
num_classes - 1; the v2 functions take `blank_index` and move that class last before calling the same op.

The loss op (CTCLoss, as in TF) returns the per-example negative log-likelihood and, as a second output,
its gradient with respect to the logits, both from one forward-backward pass in log space; the op's
gradient scales that second output by the incoming gradient (so, as in TF, there is no second-order
gradient).
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor_shape import TensorShape
from .common import make_op

__all__ = ["ctc_loss", "ctc_loss_v2", "ctc_greedy_decoder", "ctc_beam_search_decoder",
           "ctc_beam_search_decoder_v2"]

_FLOATS = (dtypes.float32, dtypes.float64)


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _check_logits(tensor, op_type):
    if tensor.dtype not in _FLOATS:
        raise TypeError("Value passed to parameter 'inputs' of op '%s' has DataType %s not in list of allowed "
                        "values: float32, float64" % (op_type, tensor.dtype.name))
    if tensor.shape.ndims not in (None, 3):
        raise ValueError("Shape must be rank 3 but is rank %d for '%s' (inputs [max_time, batch_size, "
                         "num_classes] of shape %s)" % (tensor.shape.ndims, op_type, tensor.shape))


def _dims(shape):
    return [None] * 3 if shape.ndims is None else [d.value for d in shape]


def _check_lengths(op, sequence_length, max_time, batch):
    sequence_length = np.asarray(sequence_length)
    if sequence_length.shape != (batch,):
        raise errors.InvalidArgumentError(None, op, "len(sequence_length) != batch_size: %s vs %d"
                                          % (list(sequence_length.shape), batch))
    too_long = np.nonzero((sequence_length > max_time) | (sequence_length < 0))[0]
    if too_long.size:
        b = int(too_long[0])
        raise errors.InvalidArgumentError(None, op, "sequence_length(%d) <= %d (max_time) and >= 0 fails: "
                                          "sequence_length(%d) = %d" % (b, max_time, b, sequence_length[b]))
    return sequence_length


# --- the loss ------------------------------------------------------------------------------------------
def _label_rows(op, indices, values, batch, num_classes):
    """The label sequence of each example from a SparseTensor's indices ([N, 2], row-major) and values."""
    indices = np.asarray(indices)
    values = np.asarray(values)
    if indices.ndim != 2 or indices.shape[1] != 2 or values.shape != (indices.shape[0],):
        raise errors.InvalidArgumentError(None, op, "labels must be a 2-D SparseTensor: indices [N, 2] and values "
                                          "[N], got %s and %s" % (list(indices.shape), list(values.shape)))
    if indices.size and (np.any(indices[:, 0] < 0) or np.any(indices[:, 0] >= batch)):
        raise errors.InvalidArgumentError(None, op, "labels batch index must be in [0, %d)" % batch)
    bad = np.nonzero((values < 0) | (values >= num_classes - 1))[0]
    if bad.size:
        raise errors.InvalidArgumentError(None, op, "All labels must be in [0, num_classes - 1) = [0, %d): label "
                                          "%d at %s" % (num_classes - 1, values[bad[0]], indices[bad[0]].tolist()))
    rows = [[] for _ in range(batch)]
    last = [-1] * batch
    for (b, position), value in zip(indices.tolist(), values.tolist()):
        if position <= last[b]:
            raise errors.InvalidArgumentError(None, op, "label indices must be in row-major order: index %s "
                                              "follows position %d" % ([b, position], last[b]))
        last[b] = position
        rows[b].append(value)
    return rows


def _log_add(a, b):
    return np.logaddexp(a, b)


def _forward_backward(log_probs, label, blank, merge_repeated):
    """(log p(label | x), gradient of -log p with respect to the logits) for one example's [time,
    classes] log-softmax outputs, by the CTC forward-backward recursions over the blank-interleaved label."""
    time, classes = log_probs.shape
    extended = np.full(2 * len(label) + 1, blank, dtype=np.int64)
    extended[1::2] = label
    states = extended.size
    # A label state may be entered from two back (skipping a blank) unless, when repeats merge, it
    # equals the label two back: then the blank between them is what separates the two.
    skip = np.zeros(states, dtype=bool)
    skip[2:] = (extended[2:] != blank) & ((extended[2:] != extended[:-2]) | (not merge_repeated))
    stay = np.ones(states, dtype=bool) if merge_repeated else extended == blank
    emit = log_probs[:, extended]                      # [time, states]
    alpha = np.full((time, states), -np.inf)
    alpha[0, :2] = emit[0, :2]
    for t in range(1, time):
        previous = alpha[t - 1]
        total = np.where(stay, previous, -np.inf)
        total[1:] = _log_add(total[1:], previous[:-1])
        total[2:] = np.where(skip[2:], _log_add(total[2:], previous[:-2]), total[2:])
        alpha[t] = total + emit[t]
    beta = np.full((time, states), -np.inf)           # excludes the emission at t itself
    beta[time - 1, -2:] = 0.0
    if states == 1:
        beta[time - 1, 0] = 0.0
    for t in range(time - 2, -1, -1):
        following = beta[t + 1] + emit[t + 1]
        total = np.where(stay, following, -np.inf)
        total[:-1] = _log_add(total[:-1], following[1:])
        total[:-2] = np.where(skip[2:], _log_add(total[:-2], following[2:]), total[:-2])
        beta[t] = total
    log_likelihood = _log_add(alpha[time - 1, -1], alpha[time - 1, -2]) if states > 1 else alpha[time - 1, 0]
    occupancy = np.exp(alpha + beta - log_likelihood)  # [time, states]: posterior of each state
    expected = np.zeros((time, classes))
    np.add.at(expected, (slice(None), extended), occupancy)
    return log_likelihood, np.exp(log_probs) - expected


def _collapse(label):
    return [v for i, v in enumerate(label) if i == 0 or v != label[i - 1]]


def _required_time(label, merge_repeated):
    """Time steps a label needs: one per label, plus a blank between equal neighbours when repeated
    emissions merge."""
    return len(label) + (sum(1 for a, b in zip(label, label[1:]) if a == b) if merge_repeated else 0)


@register
class CTCLoss(OpDef):
    """Per-example CTC negative log-likelihood of sparse labels and its gradient for the logits."""

    host_only = True        # per-example forward-backward recursions in Python over float64 host arrays

    def infer(self, op):
        inputs, indices, values, sequence_length = op.inputs
        _check_logits(inputs, self.type)
        if indices.dtype is not dtypes.int64 or values.dtype is not dtypes.int32:
            raise TypeError("CTCLoss takes labels as int64 indices and int32 values, got %s and %s"
                            % (indices.dtype.name, values.dtype.name))
        if sequence_length.dtype is not dtypes.int32:
            raise TypeError("sequence_length must be int32, got %s" % sequence_length.dtype.name)
        batch = _dims(inputs.shape)[1]
        return [(inputs.dtype, TensorShape([batch])), (inputs.dtype, inputs.shape)]

    def kernel(self, op, ctx):
        attrs = op.attrs
        dtype = op.inputs[0].dtype.np

        def loss(inputs, indices, values, sequence_length):
            inputs = np.asarray(inputs, np.float64)
            if inputs.ndim != 3:
                raise errors.InvalidArgumentError(None, op, "inputs is not a 3-Tensor")
            max_time, batch, classes = inputs.shape
            lengths = _check_lengths(op, sequence_length, max_time, batch)
            rows = _label_rows(op, indices, values, batch, classes)
            losses = np.zeros(batch, dtype)
            gradient = np.zeros(inputs.shape, dtype)
            for b in range(batch):
                label = _collapse(rows[b]) if attrs["preprocess_collapse_repeated"] else rows[b]
                length = int(lengths[b])
                needed = _required_time(label, attrs["ctc_merge_repeated"])
                if needed > length:
                    if attrs["ignore_longer_outputs_than_inputs"]:
                        continue
                    raise errors.InvalidArgumentError(None, op, "Not enough time for target transition sequence "
                                                      "(required: %d, available: %d), example %d; set "
                                                      "ignore_longer_outputs_than_inputs to skip such examples"
                                                      % (needed, length, b))
                if length == 0:
                    continue
                log_probs = _log_softmax(inputs[:length, b])
                log_likelihood, grad = _forward_backward(log_probs, label, classes - 1, attrs["ctc_merge_repeated"])
                losses[b] = -log_likelihood
                gradient[:length, b] = grad
            return losses, gradient
        return loss

    def grad(self, op, dloss, dgradient):
        from .array import expand_dims
        if dloss is None:
            return [None] * 4
        # The second output is the loss's gradient; it has none of its own (TF raises for it too).
        return [expand_dims(expand_dims(dloss, 0), -1) * op.outputs[1], None, None, None]


def _time_major(tensor, time_major):
    from .array import transpose
    return tensor if time_major else transpose(tensor, [1, 0, 2])


def ctc_loss(labels, inputs=None, sequence_length=None, preprocess_collapse_repeated=False,
             ctc_merge_repeated=True, ignore_longer_outputs_than_inputs=False, time_major=True, logits=None):
    """`tf.nn.ctc_loss(labels, inputs, sequence_length, preprocess_collapse_repeated=False,
    ctc_merge_repeated=True, ignore_longer_outputs_than_inputs=False, time_major=True)`: the CTC loss
    -log p(labels | inputs) per example, a [batch] tensor. `labels` is an int32 SparseTensor of label
    sequences (values in [0, num_classes - 1); class num_classes - 1 is the blank); `inputs` are logits
    [max_time, batch, num_classes] ([batch, max_time, num_classes] when not time_major) and
    sequence_length the valid time steps per example. preprocess_collapse_repeated merges repeated
    labels first; ctc_merge_repeated=False makes every emission of a label count separately.
    Differentiable with respect to the inputs."""
    if not isinstance(labels, SparseTensor):
        raise TypeError("Expected labels (first argument) to be a SparseTensor")
    inputs = inputs if inputs is not None else logits
    if inputs is None or sequence_length is None:
        raise ValueError("ctc_loss needs inputs (or logits) and sequence_length")
    from .math import cast
    with name_scope(None, "CTCLoss", [inputs, sequence_length]):
        inputs = _time_major(convert_to_tensor(inputs, name="inputs"), time_major)
        values = labels.values if labels.values.dtype is dtypes.int32 else cast(labels.values, dtypes.int32)
        attrs = {"preprocess_collapse_repeated": bool(preprocess_collapse_repeated),
                 "ctc_merge_repeated": bool(ctc_merge_repeated),
                 "ignore_longer_outputs_than_inputs": bool(ignore_longer_outputs_than_inputs)}
        op = make_op("CTCLoss", [inputs, labels.indices, values,
                                 convert_to_tensor(sequence_length, dtype=dtypes.int32, name="sequence_length")],
                     attrs)
        return op.outputs[0]


def _blank_last(logits, blank_index, num_classes):
    """Logits [time, batch, classes] with class `blank_index` moved to the end."""
    from .array import concat
    if blank_index == num_classes - 1:
        return logits
    return concat([logits[:, :, :blank_index], logits[:, :, blank_index + 1:],
                   logits[:, :, blank_index:blank_index + 1]], axis=2)


def _num_classes(logits):
    classes = logits.shape[-1].value if logits.shape.ndims else None
    if classes is None:
        raise ValueError("the number of classes (last dimension of the logits) must be known statically, got "
                         "shape %s" % logits.shape)
    return classes


def _blank_index(blank_index, classes):
    blank_index = int(blank_index)
    if blank_index < 0:
        blank_index += classes
    if not 0 <= blank_index < classes:
        raise ValueError("blank_index must be in [-%d, %d), got %d" % (classes, classes, blank_index))
    return blank_index


def ctc_loss_v2(labels, logits, label_length, logit_length, logits_time_major=True, unique=None,
                blank_index=None, name=None):
    """`tf.nn.ctc_loss_v2(labels, logits, label_length, logit_length, logits_time_major=True,
    unique=None, blank_index=None)`: the CTC loss per example. `labels` is a dense int [batch,
    max_label_length] tensor with `label_length` valid entries per row (blank_index defaults to 0), or a
    SparseTensor (label_length unused; blank_index required). `unique` is TF's speed hint and does not
    change the result."""
    from .array import sequence_mask, gather_nd
    from .math import cast, less, subtract, where
    del unique
    with name_scope(name, "ctc_loss_dense", [logits, labels]):
        logits = _time_major(convert_to_tensor(logits, name="logits"), logits_time_major)
        classes = _num_classes(logits)
        if isinstance(labels, SparseTensor):
            if blank_index is None:
                raise ValueError("blank_index must be given when using SparseTensor labels.")
            indices, values = labels.indices, cast(labels.values, dtypes.int32)
        else:
            blank_index = 0 if blank_index is None else blank_index
            labels = convert_to_tensor(labels, name="labels")
            if label_length is None:
                raise ValueError("label_length must be given with dense labels")
            mask = sequence_mask(label_length, maxlen=_label_width(labels))
            indices = where(mask)
            values = cast(gather_nd(labels, indices), dtypes.int32)
        blank = _blank_index(blank_index, classes)
        if blank != classes - 1:
            values = where(less(values, blank), values, subtract(values, 1))
        logits = _blank_last(logits, blank, classes)
        attrs = {"preprocess_collapse_repeated": False, "ctc_merge_repeated": True,
                 "ignore_longer_outputs_than_inputs": False}
        return make_op("CTCLoss", [logits, indices, values,
                                   convert_to_tensor(logit_length, dtype=dtypes.int32, name="logit_length")],
                       attrs).outputs[0]


def _label_width(labels):
    from .array import shape
    width = labels.shape[1].value if labels.shape.ndims == 2 else None
    return width if width is not None else shape(labels)[1]


# --- decoders ------------------------------------------------------------------------------------------
def _decoded_outputs(sequences, batch):
    """SparseTensor parts (indices int64 [N, 2], values int64 [N], dense shape [batch, longest])."""
    indices = [(b, i) for b, sequence in enumerate(sequences) for i in range(len(sequence))]
    values = [v for sequence in sequences for v in sequence]
    longest = max((len(s) for s in sequences), default=0)
    return (np.asarray(indices, np.int64).reshape(-1, 2), np.asarray(values, np.int64),
            np.asarray([batch, longest], np.int64))


def _decoded_shapes():
    return [(dtypes.int64, TensorShape([None, 2])), (dtypes.int64, TensorShape([None])),
            (dtypes.int64, TensorShape([2]))]


@register
class CTCGreedyDecoder(OpDef):
    """Best-path decoding: the most likely class per time step, repeats merged, blanks removed."""

    differentiable = False
    host_only = True        # builds Python label lists per example (a SparseTensor of variable length)

    def infer(self, op):
        inputs = op.inputs[0]
        _check_logits(inputs, self.type)
        batch = _dims(inputs.shape)[1]
        return _decoded_shapes() + [(inputs.dtype, TensorShape([batch, 1]))]

    def kernel(self, op, ctx):
        merge_repeated = op.attrs["merge_repeated"]
        blank_index = op.attrs.get("blank_index", -1)

        def decode(inputs, sequence_length):
            inputs = np.asarray(inputs)
            max_time, batch, classes = inputs.shape
            lengths = _check_lengths(op, sequence_length, max_time, batch)
            blank = classes - 1 if blank_index < 0 else blank_index
            if blank >= classes:
                raise errors.InvalidArgumentError(None, op, "blank_index %d is not a class of %d" % (blank, classes))
            best = inputs.argmax(axis=2)                     # [time, batch]
            score = np.zeros((batch, 1), inputs.dtype)
            sequences = []
            for b in range(batch):
                length = int(lengths[b])
                path = best[:length, b]
                score[b, 0] = -inputs[np.arange(length), b, path].sum()
                keep = path != blank
                if merge_repeated:
                    keep[1:] &= path[1:] != path[:-1]
                sequences.append(path[keep].tolist())
            return _decoded_outputs(sequences, batch) + (score,)
        return decode


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """`tf.nn.ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None)`:
    ([decoded], neg_sum_logits): the best path of logits [max_time, batch, num_classes] (the class with
    the highest logit at each step, consecutive repeats merged when merge_repeated, blanks removed) as
    one int64 SparseTensor [batch, longest], and minus the sum of those logits per example ([batch, 1]).
    The blank is class num_classes - 1 unless blank_index names another."""
    with name_scope(None, "CTCGreedyDecoder", [inputs, sequence_length]):
        inputs = convert_to_tensor(inputs, name="inputs")
        blank = -1 if blank_index is None else _blank_index(blank_index, _num_classes(inputs))
        op = make_op("CTCGreedyDecoder", [inputs, convert_to_tensor(sequence_length, dtype=dtypes.int32,
                                                                    name="sequence_length")],
                     {"merge_repeated": bool(merge_repeated), "blank_index": blank})
        return [SparseTensor(*op.outputs[:3])], op.outputs[3]


def _beam_search(log_probs, beam_width, top_paths, merge_repeated):
    """CTC prefix beam search over [time, classes] log-probabilities (blank last): the top_paths label
    prefixes with the highest total probability (over the alignments that produce them) and their log
    probabilities."""
    time, classes = log_probs.shape
    blank = classes - 1
    # prefix -> (log p ending in blank, log p ending in its last label)
    beams = {(): (0.0, -np.inf)}
    for t in range(time):
        step = log_probs[t]
        grown = {}

        def add(prefix, blank_part, label_part):
            old_blank, old_label = grown.get(prefix, (-np.inf, -np.inf))
            grown[prefix] = (np.logaddexp(old_blank, blank_part), np.logaddexp(old_label, label_part))
        for prefix, (p_blank, p_label) in beams.items():
            total = np.logaddexp(p_blank, p_label)
            add(prefix, total + step[blank], -np.inf)
            last = prefix[-1] if prefix else None
            for c in range(classes - 1):
                if c == last:
                    # Repeating the last label without a blank between stays on the same prefix; after a
                    # blank it extends the prefix.
                    add(prefix, -np.inf, p_label + step[c])
                    add(prefix + (c,), -np.inf, p_blank + step[c])
                else:
                    add(prefix + (c,), -np.inf, total + step[c])
        ranked = sorted(grown.items(), key=lambda item: -np.logaddexp(*item[1]))
        beams = dict(ranked[:beam_width])
    ranked = sorted(beams.items(), key=lambda item: -np.logaddexp(*item[1]))[:top_paths]
    paths = [list(prefix) for prefix, _ in ranked]
    if merge_repeated:
        paths = [_collapse(path) for path in paths]
    scores = [float(np.logaddexp(*parts)) for _, parts in ranked]
    while len(paths) < top_paths:
        paths.append([])
        scores.append(-np.inf)
    return paths, scores


@register
class CTCBeamSearchDecoder(OpDef):
    """Prefix beam search: the top_paths most likely label sequences of each example."""

    differentiable = False
    host_only = True        # a Python prefix beam search over dicts of label tuples

    def infer(self, op):
        inputs = op.inputs[0]
        _check_logits(inputs, self.type)
        top_paths, beam_width = op.attrs["top_paths"], op.attrs["beam_width"]
        if top_paths <= 0 or beam_width <= 0:
            raise ValueError("beam_width and top_paths must be positive, got %d and %d" % (beam_width, top_paths))
        if top_paths > beam_width:
            raise ValueError("top_paths (%d) must be <= beam_width (%d)" % (top_paths, beam_width))
        batch = _dims(inputs.shape)[1]
        shapes = _decoded_shapes()
        return ([shapes[0]] * top_paths + [shapes[1]] * top_paths + [shapes[2]] * top_paths +
                [(inputs.dtype, TensorShape([batch, top_paths]))])

    def kernel(self, op, ctx):
        beam_width, top_paths = op.attrs["beam_width"], op.attrs["top_paths"]
        merge_repeated = op.attrs["merge_repeated"]

        def decode(inputs, sequence_length):
            inputs = np.asarray(inputs)
            max_time, batch, _ = inputs.shape
            lengths = _check_lengths(op, sequence_length, max_time, batch)
            per_path = [[] for _ in range(top_paths)]
            scores = np.zeros((batch, top_paths), inputs.dtype)
            for b in range(batch):
                log_probs = _log_softmax(inputs[:int(lengths[b]), b].astype(np.float64))
                paths, path_scores = _beam_search(log_probs, beam_width, top_paths, merge_repeated)
                for k in range(top_paths):
                    per_path[k].append(paths[k])
                scores[b] = path_scores
            parts = [_decoded_outputs(sequences, batch) for sequences in per_path]
            return tuple(p[0] for p in parts) + tuple(p[1] for p in parts) + tuple(p[2] for p in parts) + (scores,)
        return decode


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1, merge_repeated=True):
    """`tf.nn.ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1,
    merge_repeated=True)`: (decoded, log_probabilities): a list of top_paths int64 SparseTensors (the
    k-th most likely label sequence of each example, found by CTC prefix beam search keeping
    beam_width prefixes per step) and their log probabilities [batch, top_paths]. With merge_repeated,
    equal consecutive labels of a result are merged as well (TF 1's default)."""
    with name_scope(None, "CTCBeamSearchDecoder", [inputs, sequence_length]):
        inputs = convert_to_tensor(inputs, name="inputs")
        op = make_op("CTCBeamSearchDecoder", [inputs, convert_to_tensor(sequence_length, dtype=dtypes.int32,
                                                                        name="sequence_length")],
                     {"beam_width": int(beam_width), "top_paths": int(top_paths),
                      "merge_repeated": bool(merge_repeated)})
        k = int(top_paths)
        outputs = op.outputs
        decoded = [SparseTensor(outputs[i], outputs[k + i], outputs[2 * k + i]) for i in range(k)]
        return decoded, outputs[3 * k]


def ctc_beam_search_decoder_v2(inputs, sequence_length, beam_width=100, top_paths=1):
    """`tf.nn.ctc_beam_search_decoder_v2(inputs, sequence_length, beam_width=100, top_paths=1)`: the
    beam search decoder without merging repeated labels of a result (TF 2's behaviour)."""
    return ctc_beam_search_decoder(inputs, sequence_length, beam_width, top_paths, merge_repeated=False)
