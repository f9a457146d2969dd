"""`tf.train.experimental`: loss scaling for mixed-precision training (see train/loss_scale.py)."""
from .loss_scale import (DynamicLossScale, FixedLossScale, LossScale, MixedPrecisionLossScaleOptimizer,  # noqa: F401
                         disable_mixed_precision_graph_rewrite, enable_mixed_precision_graph_rewrite)

__all__ = ["DynamicLossScale", "FixedLossScale", "LossScale", "MixedPrecisionLossScaleOptimizer",
           "disable_mixed_precision_graph_rewrite", "enable_mixed_precision_graph_rewrite"]
