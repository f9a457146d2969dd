"""Tensors as bytes and compressed bytes: `tf.io.serialize_tensor` / `parse_tensor` (a TensorProto, as TF
writes it) and `tf.io.decode_compressed` (ZLIB or GZIP data)."""
import gzip
import zlib

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_tensor
from .io_ops import string_scalar

__all__ = ["serialize_tensor", "parse_tensor", "decode_compressed"]


@register
class SerializeTensor(OpDef):
    """A tensor as a serialized TensorProto (a scalar string)."""

    differentiable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        from ..framework.graph_def import ndarray_to_tensor_proto
        dtype = op.inputs[0].dtype

        def serialize(value):
            return string_scalar(ndarray_to_tensor_proto(np.asarray(value), dtype).SerializeToString())
        return serialize


@register
class ParseTensor(OpDef):
    """A serialized TensorProto back as a tensor of `out_type`."""

    differentiable = False

    def infer(self, op):
        serialized = op.inputs[0]
        if serialized.dtype is not dtypes.string:
            raise TypeError("serialized must be a string tensor, got %s" % serialized.dtype.name)
        if serialized.shape.ndims not in (None, 0):
            raise ValueError("serialized must be a scalar, got shape %s" % serialized.shape)
        return [(op.attrs["out_type"], TensorShape(None))]

    def kernel(self, op, ctx):
        from ..framework.graph_def import tensor_proto_to_ndarray
        from ..io.graph_proto import TensorProto
        out_type = op.attrs["out_type"]

        def parse(serialized):
            data = np.asarray(serialized, dtype=object)[()]
            try:
                proto = TensorProto.FromString(bytes(data))
            except Exception as error:  # a malformed message: name the problem, never crash
                raise errors.InvalidArgumentError(None, op, "Could not parse `serialized` as TensorProto: %s"
                                                  % error) from None
            value = tensor_proto_to_ndarray(proto, "serialized TensorProto")
            found = dtypes.as_dtype(int(proto.dtype))
            if found is not out_type:
                raise errors.InvalidArgumentError(None, op, "Type mismatch between parsed tensor (%s) and dtype "
                                                  "(%s)" % (found.name, out_type.name))
            return value
        return parse


def serialize_tensor(tensor, name=None):
    """`tf.io.serialize_tensor(tensor)`: a scalar string holding `tensor` as a serialized TensorProto
    (readable by TensorFlow's parse_tensor)."""
    tensor = convert_to_tensor(tensor, name="tensor")
    return make_tensor("SerializeTensor", [tensor], name=name or "SerializeTensor")


def parse_tensor(serialized, out_type, name=None):
    """`tf.io.parse_tensor(serialized, out_type)`: the tensor a serialized TensorProto holds;
    InvalidArgumentError when it is malformed or not of `out_type`."""
    serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
    return make_tensor("ParseTensor", [serialized], {"out_type": dtypes.as_dtype(out_type)},
                       name=name or "ParseTensor")


def _inflate(op, data, compression_type):
    try:
        if compression_type == "ZLIB":
            return zlib.decompress(data)
        if compression_type == "GZIP":
            return gzip.decompress(data)
    except (zlib.error, OSError, EOFError) as error:
        raise errors.DataLossError(None, op, "%s data is corrupt or truncated: %s" % (compression_type, error)) \
            from None
    return data


@register
class DecodeCompressed(OpDef):
    """Each string of a tensor decompressed (ZLIB, GZIP, or '' for none)."""

    differentiable = False

    def infer(self, op):
        if op.inputs[0].dtype is not dtypes.string:
            raise TypeError("bytes must be a string tensor, got %s" % op.inputs[0].dtype.name)
        if op.attrs["compression_type"] not in ("", "ZLIB", "GZIP"):
            raise ValueError("compression_type must be '', 'ZLIB' or 'GZIP', got %r" % op.attrs["compression_type"])
        return [(dtypes.string, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        kind = op.attrs["compression_type"]

        def decode(values):
            values = np.asarray(values, dtype=object)
            out = np.empty(values.shape, dtype=object)
            for index, data in np.ndenumerate(values):
                out[index] = _inflate(op, bytes(data), kind)
            return out
        return decode


def decode_compressed(bytes, compression_type="", name=None):  # noqa: A002 - TF's argument name
    """`tf.io.decode_compressed(bytes, compression_type='')`: each string decompressed ('ZLIB' or 'GZIP';
    '' leaves them as they are); DataLossError for corrupt data."""
    values = convert_to_tensor(bytes, dtype=dtypes.string, name="bytes")
    return make_tensor("DecodeCompressed", [values], {"compression_type": compression_type or ""},
                       name=name or "DecodeCompressed")
