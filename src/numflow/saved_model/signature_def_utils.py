"""`tf.saved_model.signature_def_utils`: SignatureDefs, the named computations a SavedModel serves.

A SignatureDef maps input keys and output keys to TensorInfos (tensor name, dtype, shape) and names its
method: predict (any tensors), classify (serialized tf.Examples in; classes and/or scores out) or
regress (serialized tf.Examples in; one float tensor out), as TensorFlow Serving's APIs expect.
"""
from ..framework import dtypes
from ..io.meta_graph_proto import SignatureDef, TensorInfo
from . import signature_constants as _keys
from .utils import build_tensor_info, tensor_info_dtype

__all__ = ["build_signature_def", "predict_signature_def", "classification_signature_def",
           "regression_signature_def", "is_valid_signature"]


def build_signature_def(inputs=None, outputs=None, method_name=None):
    """`build_signature_def(inputs=None, outputs=None, method_name=None)`: a SignatureDef from dicts
    {key: TensorInfo} (copied) and a method name."""
    signature = SignatureDef()
    for target, infos in ((signature.inputs, inputs), (signature.outputs, outputs)):
        for key, info in (infos or {}).items():
            if not isinstance(info, TensorInfo):
                raise TypeError("SignatureDef %s for key %r must be a TensorInfo (see "
                                "tf.saved_model.utils.build_tensor_info), got %r"
                                % ("inputs" if target is signature.inputs else "outputs", key, info))
            target[key] = TensorInfo.FromString(info.SerializeToString())
    if method_name is not None:
        signature.method_name = method_name
    return signature


def predict_signature_def(inputs, outputs):
    """`predict_signature_def(inputs, outputs)`: a 'tensorflow/serving/predict' SignatureDef of the
    Tensors in the dicts `inputs` and `outputs` (neither may be empty)."""
    if inputs is None or not inputs:
        raise ValueError("Prediction inputs cannot be None or empty.")
    if outputs is None or not outputs:
        raise ValueError("Prediction outputs cannot be None or empty.")
    return build_signature_def({key: build_tensor_info(t) for key, t in inputs.items()},
                               {key: build_tensor_info(t) for key, t in outputs.items()},
                               _keys.PREDICT_METHOD_NAME)


def _string_tensor_info(tensor, what):
    info = build_tensor_info(tensor)
    if tensor_info_dtype(info) is not dtypes.string:
        raise ValueError("%s must be a string Tensor." % what)
    return info


def _float_tensor_info(tensor, what):
    info = build_tensor_info(tensor)
    if tensor_info_dtype(info) is not dtypes.float32:
        raise ValueError("%s must be a float Tensor." % what)
    return info


def classification_signature_def(examples, classes, scores):
    """`classification_signature_def(examples, classes, scores)`: a 'tensorflow/serving/classify'
    SignatureDef: `examples` a string Tensor of serialized tf.Examples, `classes` a string Tensor and/or
    `scores` a float Tensor."""
    if examples is None:
        raise ValueError("Classification examples cannot be None.")
    inputs = {_keys.CLASSIFY_INPUTS: _string_tensor_info(examples, "Classification examples")}
    if classes is None and scores is None:
        raise ValueError("Classification classes and scores cannot both be None.")
    outputs = {}
    if classes is not None:
        outputs[_keys.CLASSIFY_OUTPUT_CLASSES] = _string_tensor_info(classes, "Classification classes")
    if scores is not None:
        outputs[_keys.CLASSIFY_OUTPUT_SCORES] = _float_tensor_info(scores, "Classification scores")
    return build_signature_def(inputs, outputs, _keys.CLASSIFY_METHOD_NAME)


def regression_signature_def(examples, predictions):
    """`regression_signature_def(examples, predictions)`: a 'tensorflow/serving/regress' SignatureDef:
    `examples` a string Tensor of serialized tf.Examples, `predictions` a float Tensor."""
    if examples is None:
        raise ValueError("Regression examples cannot be None.")
    if predictions is None:
        raise ValueError("Regression predictions cannot be None.")
    return build_signature_def({_keys.REGRESS_INPUTS: _string_tensor_info(examples, "Regression examples")},
                               {_keys.REGRESS_OUTPUTS: _float_tensor_info(predictions, "Regression predictions")},
                               _keys.REGRESS_METHOD_NAME)


def is_valid_signature(signature_def):
    """Whether `signature_def` is a well-formed predict, classify or regress SignatureDef."""
    if not isinstance(signature_def, SignatureDef):
        return False
    method = signature_def.method_name
    inputs, outputs = signature_def.inputs, signature_def.outputs
    if method == _keys.PREDICT_METHOD_NAME:
        return bool(inputs) and bool(outputs)
    if method == _keys.CLASSIFY_METHOD_NAME:
        if set(inputs) != {_keys.CLASSIFY_INPUTS} or not outputs:
            return False
        if tensor_info_dtype(inputs[_keys.CLASSIFY_INPUTS]) is not dtypes.string:
            return False
        allowed = {_keys.CLASSIFY_OUTPUT_CLASSES: dtypes.string, _keys.CLASSIFY_OUTPUT_SCORES: dtypes.float32}
        return all(key in allowed and tensor_info_dtype(info) is allowed[key] for key, info in outputs.items())
    if method == _keys.REGRESS_METHOD_NAME:
        return (set(inputs) == {_keys.REGRESS_INPUTS} and set(outputs) == {_keys.REGRESS_OUTPUTS}
                and tensor_info_dtype(inputs[_keys.REGRESS_INPUTS]) is dtypes.string
                and tensor_info_dtype(outputs[_keys.REGRESS_OUTPUTS]) is dtypes.float32)
    return False
