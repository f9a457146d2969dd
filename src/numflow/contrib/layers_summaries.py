"""`tf.contrib.layers` summary helpers: summarize_tensor(s), summarize_activation(s),
summarize_collection and the variables / weights / biases shorthands. Each writes through
`tf.summary.scalar` (rank-0 tensors) or `tf.summary.histogram` (the rest), into the SUMMARIES
collection. Re-exported by `numflow.contrib.layers`."""
import functools
import re

from ..framework.graph import GraphKeys
from .layers_common import tf as _tf

__all__ = ["summarize_tensor", "summarize_tensors", "summarize_activation", "summarize_activations",
           "summarize_collection", "summarize_variables", "summarize_weights", "summarize_biases"]

# activations whose fraction of zeros says how many units are dead
_RECTIFIER_TYPES = ("Relu", "Softplus", "Relu6")


def _scalar_summary(tensor, tag):
    if tensor.shape.ndims != 0:
        raise ValueError("Expected a scalar for the summary %r, got shape %s" % (tag, tensor.shape))
    return _tf().summary.scalar(tag, tensor)


def summarize_tensor(tensor, tag=None):
    """`tf.contrib.layers.summarize_tensor(tensor, tag=None)`: a scalar summary of a rank-0 tensor,
    otherwise a histogram summary; the tag defaults to the tensor's op name."""
    tf = _tf()
    tensor = tf.convert_to_tensor(tensor)
    tag = tag or tensor.op.name
    if tensor.shape.ndims == 0:
        return _scalar_summary(tensor, tag)
    return tf.summary.histogram(tag, tensor)


def summarize_tensors(tensors, summarizer=summarize_tensor):
    """`tf.contrib.layers.summarize_tensors(tensors, summarizer=summarize_tensor)`: `summarizer` of
    each tensor, as a list of summary ops."""
    return [summarizer(tensor) for tensor in tensors]


def summarize_activation(op):
    """`tf.contrib.layers.summarize_activation(op)`: a histogram '<op name>/activation' of the
    activation tensor `op`; for Relu / Softplus / Relu6 also the scalar '<op name>/zeros' (the fraction
    of zeros) and for Relu6 '<op name>/sixes' (the fraction above 6). Returns the histogram."""
    tf = _tf()
    op_name = op.op.name
    if op.op.type in _RECTIFIER_TYPES:
        _scalar_summary(tf.nn.zero_fraction(op), "%s/zeros" % op_name)
    if op.op.type == "Relu6":
        _scalar_summary(tf.reduce_mean(tf.cast(tf.greater(op, 6), tf.float32)), "%s/sixes" % op_name)
    return tf.summary.histogram("%s/activation" % op_name, op)


def summarize_collection(collection, name_filter=None, summarizer=summarize_tensor):
    """`tf.contrib.layers.summarize_collection(collection, name_filter=None,
    summarizer=summarize_tensor)`: summarizes the tensors of `collection` whose names match the regex
    `name_filter` from the start (all when None)."""
    tensors = [t for t in _tf().get_collection(collection)
               if name_filter is None or re.match(name_filter, t.name)]
    return summarize_tensors(tensors, summarizer)


summarize_variables = functools.partial(summarize_collection, GraphKeys.GLOBAL_VARIABLES)
summarize_weights = functools.partial(summarize_collection, GraphKeys.WEIGHTS)
summarize_biases = functools.partial(summarize_collection, GraphKeys.BIASES)


def summarize_activations(name_filter=None, summarizer=summarize_activation):
    """`tf.contrib.layers.summarize_activations(name_filter=None, summarizer=summarize_activation)`:
    summarize_collection over the ACTIVATIONS collection."""
    return summarize_collection(GraphKeys.ACTIVATIONS, name_filter, summarizer)
