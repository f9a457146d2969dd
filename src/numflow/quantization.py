"""`tf.quantization`: the fake-quantization ops, which simulate quantization on float32 tensors (TF's
quantize/dequantize and quantized_concat need quantized dtypes, which numflow leaves out on purpose)."""
from .ops.quant_and_misc import (fake_quant_with_min_max_args, fake_quant_with_min_max_args_gradient,  # noqa: F401
                                 fake_quant_with_min_max_vars, fake_quant_with_min_max_vars_gradient,
                                 fake_quant_with_min_max_vars_per_channel,
                                 fake_quant_with_min_max_vars_per_channel_gradient)

__all__ = ["fake_quant_with_min_max_args", "fake_quant_with_min_max_args_gradient", "fake_quant_with_min_max_vars",
           "fake_quant_with_min_max_vars_gradient", "fake_quant_with_min_max_vars_per_channel",
           "fake_quant_with_min_max_vars_per_channel_gradient"]
