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


def summarize_tensor(tensor, tag=None):
    """`tf.contrib.layers.summarize_tensor(tensor, tag=None)`: a scalar summary of a rank-0 tensor,
    otherwise a histogram summary; the tag defaults to the tensor's op name."""
    tf = _tf()
    tensor = tf.convert_to_tensor(tensor)
    tag = tag or tensor.op.name
    if tensor.shape.ndims == 0:
        return tf.summary.scalar(tag, tensor)
    return tf.summary.histogram(tag, tensor)


def summarize_tensors(tensors, summarizer=summarize_tensor):
    """`tf.contrib.layers.summarize_tensors(tensors, summarizer=summarize_tensor)`: `summarizer` of
    each tensor, as a list of summary ops."""
    return [summarizer(tensor) for tensor in tensors]


def summarize_activation(op):
    """`tf.contrib.layers.summarize_activation(op)`: a histogram '<op name>/activation' of the
    activation tensor `op`; for Relu / Softplus / Relu6 also the scalar '<op name>/zeros' and for
    Relu6 '<op name>/6': the fractions of the activation's inputs below 0 and above 6 (counted on the
    inputs, as TF1 does, so no float comparison with the clipped values is needed). Returns the
    histogram."""
    tf = _tf()
    op_name = op.op.name
    if op.op.type in _RECTIFIER_TYPES:
        pre_activation = op.op.inputs[0]
        tf.summary.scalar("%s/zeros" % op_name,
                          tf.reduce_mean(tf.cast(tf.less(pre_activation, 0), tf.float32)))
        if op.op.type == "Relu6":
            tf.summary.scalar("%s/6" % op_name, tf.reduce_mean(tf.cast(tf.greater(pre_activation, 6), tf.float32)))
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
