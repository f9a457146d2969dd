"""`slim.summaries`: one-line summary helpers named after the tensor they summarize.

The summary's tag is `name` or the tensor's op name, prefixed by `prefix + '/'` when given; summaries go
to GraphKeys.SUMMARIES as tf.summary's do. With print_summary=True the returned op also prints the
tensor (tf.Print) each time it runs.
"""
import numflow as tf

__all__ = ["add_histogram_summaries", "add_histogram_summary", "add_image_summaries", "add_image_summary",
           "add_scalar_summaries", "add_scalar_summary", "add_zero_fraction_summaries",
           "add_zero_fraction_summary"]


def _summary_name(tensor, name=None, prefix=None, postfix=None):
    name = name or tensor.op.name
    if prefix:
        name = prefix + "/" + name
    if postfix:
        name = name + "/" + postfix
    return name


def _maybe_print(summary_op, tensor, message, print_summary):
    return tf.Print(summary_op, [tensor], message) if print_summary else summary_op


def add_histogram_summary(var, name=None, prefix=None):
    """`slim.summaries.add_histogram_summary(var, name=None, prefix=None)`: a histogram summary of `var`."""
    return tf.summary.histogram(_summary_name(var, name, prefix), var)


def add_image_summary(tensor, name=None, prefix=None, print_summary=False):
    """`slim.summaries.add_image_summary(tensor, name=None, prefix=None, print_summary=False)`: an image
    summary of the [batch, height, width, channels] `tensor`."""
    summary_name = _summary_name(tensor, name, prefix)
    return _maybe_print(tf.summary.image(summary_name, tensor), tensor, summary_name, print_summary)


def add_scalar_summary(tensor, name=None, prefix=None, print_summary=False):
    """`slim.summaries.add_scalar_summary(tensor, name=None, prefix=None, print_summary=False)`: a scalar
    summary of `tensor`."""
    summary_name = _summary_name(tensor, name, prefix)
    return _maybe_print(tf.summary.scalar(summary_name, tensor), tensor, summary_name, print_summary)


def add_zero_fraction_summary(tensor, name=None, prefix=None, print_summary=False):
    """`slim.summaries.add_zero_fraction_summary(tensor, name=None, prefix=None, print_summary=False)`: a
    scalar summary '<name>/Fraction_of_Zero_Values' of the fraction of zeros in `tensor`."""
    summary_name = _summary_name(tensor, name, prefix, "Fraction_of_Zero_Values")
    return add_scalar_summary(tf.nn.zero_fraction(tensor), summary_name, print_summary=print_summary)


def add_histogram_summaries(vars, prefix=None):  # noqa: A002 - TF's argument name
    """`slim.summaries.add_histogram_summaries(vars, prefix=None)`: add_histogram_summary for each."""
    return [add_histogram_summary(var, prefix=prefix) for var in vars]


def add_image_summaries(images, prefix=None):
    """`slim.summaries.add_image_summaries(images, prefix=None)`: add_image_summary for each."""
    return [add_image_summary(image, prefix=prefix) for image in images]


def add_scalar_summaries(tensors, prefix=None, print_summary=False):
    """`slim.summaries.add_scalar_summaries(tensors, prefix=None, print_summary=False)`: add_scalar_summary
    for each."""
    return [add_scalar_summary(tensor, prefix=prefix, print_summary=print_summary) for tensor in tensors]


def add_zero_fraction_summaries(tensors, prefix=None):
    """`slim.summaries.add_zero_fraction_summaries(tensors, prefix=None)`: add_zero_fraction_summary for
    each."""
    return [add_zero_fraction_summary(tensor, prefix=prefix) for tensor in tensors]
