"""`tf.estimator.export`: what `Estimator.export_saved_model` serves and how requests reach the model.

A serving_input_receiver_fn returns a ServingInputReceiver: the `receiver_tensors` a serving request
feeds (placeholders: raw tensors, or serialized tf.Examples) and the `features` model_fn is called with.
An ExportOutput (PredictOutput, ClassificationOutput, RegressionOutput) in EstimatorSpec.export_outputs
becomes one SignatureDef of the SavedModel; without export_outputs the predictions are served under
'serving_default' as a PredictOutput.
"""
import collections

from ..framework import dtypes
from ..framework.graph import Tensor
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor_shape import TensorShape
from ..platform import tf_logging as logging
from ..saved_model import signature_constants, signature_def_utils

__all__ = ["ServingInputReceiver", "TensorServingInputReceiver", "build_raw_serving_input_receiver_fn",
           "build_parsing_serving_input_receiver_fn", "ExportOutput", "PredictOutput", "ClassificationOutput",
           "RegressionOutput"]

FEATURE_DEFAULT_NAME = "feature"
RECEIVER_DEFAULT_NAME = "input"
SINGLE_FEATURE_DEFAULT_NAME = "feature"
SINGLE_RECEIVER_DEFAULT_NAME = "input"


def _is_tensor(value):
    return isinstance(value, (Tensor, SparseTensor))


def _wrap_and_check(values, default_key, what, allow_sparse=True):
    if values is None:
        raise ValueError("%s must be defined." % what)
    if not isinstance(values, dict):
        values = {default_key: values}
    for key, value in values.items():
        if not isinstance(key, str):
            raise ValueError("%s keys must be strings: %s." % (what, key))
        if not (isinstance(value, Tensor) or (allow_sparse and isinstance(value, SparseTensor))):
            raise ValueError("%s %s must be a Tensor%s." % (what, key, " or SparseTensor" if allow_sparse else ""))
    return dict(values)


def _check_alternatives(alternatives):
    if alternatives is None:
        return None
    if not isinstance(alternatives, dict):
        raise ValueError("receiver_tensors_alternatives should be a dict: %s." % (alternatives,))
    return {name: _wrap_and_check(tensors, RECEIVER_DEFAULT_NAME, "receiver_tensors_alternatives[%r]" % name)
            for name, tensors in alternatives.items()}


class ServingInputReceiver(collections.namedtuple(
        "ServingInputReceiver", ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """`tf.estimator.export.ServingInputReceiver(features, receiver_tensors,
    receiver_tensors_alternatives=None)`: `features` (a Tensor, SparseTensor or dict of them, a single
    one named 'feature') for model_fn, and `receiver_tensors` (a Tensor or dict of Tensors, a single one
    named 'input') that a serving request feeds."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        features = _wrap_and_check(features, FEATURE_DEFAULT_NAME, "feature")
        receiver_tensors = _wrap_and_check(receiver_tensors, RECEIVER_DEFAULT_NAME, "receiver_tensor",
                                           allow_sparse=False)
        return super().__new__(cls, features=features, receiver_tensors=receiver_tensors,
                               receiver_tensors_alternatives=_check_alternatives(receiver_tensors_alternatives))


class TensorServingInputReceiver(collections.namedtuple(
        "TensorServingInputReceiver", ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """`tf.estimator.export.TensorServingInputReceiver(features, receiver_tensors, ...)`: like
    ServingInputReceiver, but model_fn gets the single Tensor `features` itself, not a dict."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("features must be defined.")
        if not _is_tensor(features):
            raise ValueError("feature must be a Tensor or SparseTensor.")
        receiver = ServingInputReceiver(features, receiver_tensors, receiver_tensors_alternatives)
        return super().__new__(cls, features=receiver.features[FEATURE_DEFAULT_NAME],
                               receiver_tensors=receiver.receiver_tensors,
                               receiver_tensors_alternatives=receiver.receiver_tensors_alternatives)


def build_raw_serving_input_receiver_fn(features, default_batch_size=None):
    """`build_raw_serving_input_receiver_fn(features, default_batch_size=None)`: a serving_input_receiver_fn
    whose requests feed one placeholder per entry of `features` (a dict of Tensors, or one Tensor), of the
    same dtype and shape with the batch dimension `default_batch_size`, named after the tensor's op."""
    def serving_input_receiver_fn():
        from ..ops.constant import placeholder
        items = features.items() if isinstance(features, dict) else [(None, features)]
        receiver_tensors = {}
        for name, tensor in items:
            shape = tensor.shape.as_list() if tensor.shape.ndims is not None else None
            if shape:
                shape[0] = default_batch_size
            receiver_tensors[name] = placeholder(tensor.dtype, TensorShape(shape), name=tensor.op.name)
        if not isinstance(features, dict):
            single = receiver_tensors[None]
            return TensorServingInputReceiver(single, {RECEIVER_DEFAULT_NAME: single})
        return ServingInputReceiver(receiver_tensors, dict(receiver_tensors))
    return serving_input_receiver_fn


def build_parsing_serving_input_receiver_fn(feature_spec, default_batch_size=None):
    """`build_parsing_serving_input_receiver_fn(feature_spec, default_batch_size=None)`: a
    serving_input_receiver_fn whose requests feed serialized tf.Examples (the string placeholder
    'input_example_tensor', receiver key 'examples'), parsed with tf.parse_example(feature_spec)."""
    def serving_input_receiver_fn():
        from ..ops.constant import placeholder
        from ..ops.parsing import parse_example
        serialized = placeholder(dtypes.string, [default_batch_size], name="input_example_tensor")
        return ServingInputReceiver(parse_example(serialized, feature_spec), {"examples": serialized})
    return serving_input_receiver_fn


class ExportOutput:
    """`tf.estimator.export.ExportOutput`: one served output of a model, as a SignatureDef."""

    def as_signature_def(self, receiver_tensors):
        raise NotImplementedError("ExportOutput subclasses define as_signature_def")


def _single_string_input(receiver_tensors, what):
    if len(receiver_tensors) != 1:
        raise ValueError("%s input must be a single string Tensor; got %s" % (what, receiver_tensors))
    (examples,) = receiver_tensors.values()
    if examples.dtype is not dtypes.string:
        raise ValueError("%s input must be a single string Tensor; got %s" % (what, receiver_tensors))
    return examples


class PredictOutput(ExportOutput):
    """`PredictOutput(outputs)`: a predict signature of a Tensor or a dict {key: Tensor} (a single Tensor
    is served as 'output')."""

    def __init__(self, outputs):
        if not isinstance(outputs, dict):
            outputs = {"output": outputs}
        for key, value in outputs.items():
            if not isinstance(key, str):
                raise ValueError("Prediction output key must be a string; got %r." % (key,))
            if not isinstance(value, Tensor):
                raise ValueError("Prediction output value must be a Tensor; got %r for %s." % (value, key))
        self._outputs = dict(outputs)

    @property
    def outputs(self):
        return self._outputs

    def as_signature_def(self, receiver_tensors):
        return signature_def_utils.predict_signature_def(receiver_tensors, self._outputs)


class ClassificationOutput(ExportOutput):
    """`ClassificationOutput(scores=None, classes=None)`: a classify signature: float32 `scores` and/or
    string `classes`, served from a single string input of serialized tf.Examples."""

    def __init__(self, scores=None, classes=None):
        if scores is not None and not (isinstance(scores, Tensor) and scores.dtype is dtypes.float32):
            raise ValueError("Classification scores must be a float32 Tensor; got {}".format(scores))
        if classes is not None and not (isinstance(classes, Tensor) and classes.dtype is dtypes.string):
            raise ValueError("Classification classes must be a string Tensor; got {}".format(classes))
        if scores is None and classes is None:
            raise ValueError("At least one of scores and classes must be set.")
        self._scores = scores
        self._classes = classes

    @property
    def scores(self):
        return self._scores

    @property
    def classes(self):
        return self._classes

    def as_signature_def(self, receiver_tensors):
        examples = _single_string_input(receiver_tensors, "Classification")
        return signature_def_utils.classification_signature_def(examples, self._classes, self._scores)


class RegressionOutput(ExportOutput):
    """`RegressionOutput(value)`: a regress signature of the float32 Tensor `value`, served from a single
    string input of serialized tf.Examples."""

    def __init__(self, value):
        if not (isinstance(value, Tensor) and value.dtype is dtypes.float32):
            raise ValueError("Regression output value must be a float32 Tensor; got {}".format(value))
        self._value = value

    @property
    def value(self):
        return self._value

    def as_signature_def(self, receiver_tensors):
        examples = _single_string_input(receiver_tensors, "Regression")
        return signature_def_utils.regression_signature_def(examples, self._value)


def export_outputs_of(spec):
    """The EstimatorSpec's export_outputs, defaulting to a PredictOutput of its predictions under
    'serving_default'; several without a 'serving_default' one are a ValueError, as in TF."""
    default_key = signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
    outputs = spec.export_outputs
    if not outputs:
        return {default_key: PredictOutput(spec.predictions)}
    for key, output in outputs.items():
        if not isinstance(output, ExportOutput):
            raise TypeError("Values in export_outputs must be ExportOutput objects. Given: %r for %s"
                            % (output, key))
    outputs = dict(outputs)
    if default_key not in outputs:
        if len(outputs) > 1:
            raise ValueError("Multiple export_outputs were provided, but none of them is specified as the default. "
                             "Do this by naming one of them with signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY.")
        outputs[default_key] = next(iter(outputs.values()))
    return outputs


def build_all_signature_defs(receiver_tensors, export_outputs, receiver_tensors_alternatives=None):
    """{signature key: SignatureDef} of every export output for the receiver tensors (and, keyed
    '<alternative>:<output>', for each alternative receiver); outputs that cannot serve a receiver (a
    classify output without a single string input) are left out with a logged reason."""
    receivers = [(None, receiver_tensors)] + sorted((receiver_tensors_alternatives or {}).items())
    signatures = {}
    for receiver_name, tensors in receivers:
        for output_key, output in export_outputs.items():
            key = output_key if receiver_name is None else "%s:%s" % (receiver_name, output_key)
            try:
                signatures[key] = output.as_signature_def(tensors)
            except ValueError as exc:
                logging.warning("Export includes no signature '%s': %s", key, exc)
    if not signatures:
        raise ValueError("Export failed: no valid signature could be built from the export outputs %s"
                         % sorted(export_outputs))
    return signatures
