"""`tf.io.decode_json_example`: tf.train.Example protos written in protobuf's JSON mapping, as binary
Example protos (values as parse_example reads them; TensorFlow may order map entries and pack repeated
numbers differently, which parses identically)."""
import base64
import binascii
import json
import math

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.op_def import OpDef, register
from .common import make_tensor

__all__ = ["decode_json_example"]

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _float(value):
    if isinstance(value, str):
        if value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        return float(value)
    return float(value)


def _feature_of(name, spec):
    from ..io.example_proto import BytesList, Feature, FloatList, Int64List
    if not isinstance(spec, dict) or len(spec) > 1:
        raise ValueError("feature %r must hold one of bytesList, floatList, int64List" % name)
    if not spec:
        return Feature()
    (kind, body), = spec.items()
    values = (body or {}).get("value", [])
    if not isinstance(values, list):
        raise ValueError("feature %r: value must be a list" % name)
    if kind in ("bytesList", "bytes_list"):
        return Feature(bytes_list=BytesList(value=[base64.b64decode(v, validate=True) for v in values]))
    if kind in ("floatList", "float_list"):
        return Feature(float_list=FloatList(value=[_float(v) for v in values]))
    if kind in ("int64List", "int64_list"):
        return Feature(int64_list=Int64List(value=[int(v) for v in values]))
    raise ValueError("feature %r has an unknown kind %r" % (name, kind))


def json_to_example_bytes(text):
    """The binary Example for one JSON-mapped Example; ValueError describing what is wrong."""
    from ..io.example_proto import Example, Features
    message = json.loads(text)
    if not isinstance(message, dict):
        raise ValueError("an Example must be a JSON object")
    unknown = set(message) - {"features"}
    if unknown:
        raise ValueError("unknown Example field(s) %s" % sorted(unknown))
    features = message.get("features") or {}
    feature_map = features.get("feature") or {}
    if not isinstance(feature_map, dict):
        raise ValueError("features.feature must be an object")
    return Example(features=Features(feature={name: _feature_of(name, spec)
                                              for name, spec in feature_map.items()})).SerializeToString()


@register
class DecodeJSONExample(OpDef):
    """Each JSON-mapped Example string as a binary Example string."""

    differentiable = False

    def infer(self, op):
        if op.inputs[0].dtype is not dtypes.string:
            raise TypeError("json_examples must be a string tensor, got %s" % op.inputs[0].dtype.name)
        return [(dtypes.string, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        def decode(values):
            values = np.asarray(values, dtype=object)
            out = np.empty(values.shape, dtype=object)
            for index, text in np.ndenumerate(values):
                try:
                    out[index] = json_to_example_bytes(bytes(text).decode("utf-8") if isinstance(text, bytes) else text)
                except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
                    raise errors.InvalidArgumentError(None, op, "Error while parsing JSON at index %s: %s"
                                                      % (list(index), error)) from None
            return out
        return decode


def decode_json_example(json_examples, name=None):
    """`tf.io.decode_json_example(json_examples)`: strings holding tf.train.Example protos in protobuf's
    JSON mapping, converted to binary Example strings (for parse_example); InvalidArgumentError for
    malformed JSON or fields an Example does not have."""
    values = convert_to_tensor(json_examples, dtype=dtypes.string, name="json_examples")
    return make_tensor("DecodeJSONExample", [values], name=name or "DecodeJSONExample")
