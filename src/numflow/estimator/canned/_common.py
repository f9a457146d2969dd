"""What the canned estimators share: checking features and columns, and the layer summaries."""
import math

from ... import summary as _summary


def check_features_dict(features):
    if not isinstance(features, dict):
        raise ValueError("features should be a dictionary of `Tensor`s. Given type: %s" % type(features))


def check_feature_columns(feature_columns, what="feature_columns"):
    """The columns as a tuple; ValueError when there are none."""
    from ...feature_column.feature_column import _FeatureColumn
    if isinstance(feature_columns, _FeatureColumn):
        feature_columns = [feature_columns]
    feature_columns = tuple(feature_columns or ())
    if not feature_columns:
        raise ValueError("%s must not be empty." % what)
    return feature_columns


def zero_fraction(value):
    from ...framework import dtypes
    from ...ops import math as math_ops
    return math_ops.reduce_mean(math_ops.cast(math_ops.equal(value, 0.0), dtypes.float32))


def add_layer_summary(value, tag):
    """TF's per-layer summaries: the fraction of zeros and a histogram of the activations."""
    _summary.scalar("%s/fraction_of_zero_values" % tag, zero_fraction(value))
    _summary.histogram("%s/activation" % tag, value)


def default_linear_learning_rate(feature_columns, cap):
    """min(cap, 1 / sqrt(number of columns)), TF's default learning rate for linear models."""
    return min(cap, 1.0 / math.sqrt(len(feature_columns)))
