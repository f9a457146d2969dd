"""Horovod's gradient compression: `hvd.Compression.none` and `hvd.Compression.fp16`.

A compressor turns a tensor into what travels through the collective and back: fp16 halves the bytes of
float32/float64 gradients at the cost of precision (and range: values beyond 65504 become inf)."""
from ..framework import dtypes

__all__ = ["Compressor", "NoneCompressor", "FP16Compressor", "Compression"]


class Compressor:
    """Interface: `compress(tensor) -> (compressed, context)`, `decompress(compressed, context) -> tensor`."""

    @staticmethod
    def compress(tensor):
        raise NotImplementedError("a Compressor subclass defines compress")

    @staticmethod
    def decompress(tensor, ctx):
        raise NotImplementedError("a Compressor subclass defines decompress")


class NoneCompressor(Compressor):
    """Sends tensors as they are."""

    @staticmethod
    def compress(tensor):
        return tensor, None

    @staticmethod
    def decompress(tensor, ctx):
        return tensor


class FP16Compressor(Compressor):
    """Sends floating-point tensors as float16 and casts them back; other dtypes travel unchanged."""

    @staticmethod
    def compress(tensor):
        from ..ops.math import cast
        if tensor.dtype.is_floating and tensor.dtype is not dtypes.float16:
            return cast(tensor, dtypes.float16), tensor.dtype
        return tensor, None

    @staticmethod
    def decompress(tensor, ctx):
        from ..ops.math import cast
        return tensor if ctx is None else cast(tensor, ctx)


class Compression:
    """The available compressors: `Compression.none`, `Compression.fp16`."""

    none = NoneCompressor
    fp16 = FP16Compressor
