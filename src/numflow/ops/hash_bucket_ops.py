"""The StringToHashBucketFast op: a deterministic hash of each string into [0, num_buckets).

The hash is FarmHash's Fingerprint64 of the UTF-8 bytes, as in TF, so a string lands in the same bucket
as with TensorFlow (stable across runs, processes and platforms). Integer inputs are hashed as their
decimal text, which is what TF's feature columns hash after `tf.as_string`.
"""
import numpy as np

from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from .common import make_tensor

__all__ = ["string_to_hash_bucket_fast", "fingerprint64"]


from .hash_functions import farmhash_fingerprint64 as fingerprint64  # noqa: E402 - TF's hash


def _as_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return str(int(value)).encode("ascii")


@register
class StringToHashBucketFast(OpDef):
    """out = fingerprint64(input) mod num_buckets, int64, elementwise (the input's shape)."""

    differentiable = False

    def infer(self, op):
        (values,) = op.inputs
        if values.dtype is not dtypes.string and not values.dtype.is_integer:
            raise TypeError("StringToHashBucketFast takes strings (or integers, hashed as their decimal text), "
                            "got %s" % values.dtype.name)
        return [(dtypes.int64, values.shape)]

    def kernel(self, op, ctx):
        num_buckets = op.attrs["num_buckets"]

        def hash_bucket(values):
            values = np.asarray(values)
            # Each distinct value is hashed once: feature values repeat a lot within a batch.
            unique, inverse = np.unique(values.ravel(), return_inverse=True)
            buckets = np.array([fingerprint64(_as_bytes(v)) % num_buckets for v in unique.tolist()],
                               dtype=np.int64)
            return buckets[inverse].reshape(values.shape) if unique.size else np.zeros(values.shape, np.int64)
        return hash_bucket


def string_to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002 - TF's argument name
    """`tf.strings.to_hash_bucket_fast(input, num_buckets)`: each string hashed to an int64 bucket in
    [0, num_buckets) by TF's FarmHash Fingerprint64 (the same buckets as TensorFlow)."""
    if int(num_buckets) < 1:
        raise ValueError("num_buckets must be >= 1, got %r" % (num_buckets,))
    with name_scope(name, "StringToHashBucketFast", [input]):
        values = convert_to_tensor(input, name="input")
        return make_tensor("StringToHashBucketFast", [values], {"num_buckets": int(num_buckets)},
                           name="StringToHashBucketFast")
