"""`tf.contrib.learn`: the parts of TF1's contrib.learn that still make sense without its Estimator
(`datasets`, `ModeKeys`). contrib.learn's own Estimator, Experiment and learn_runner were deprecated in
TF1 in favour of `tf.estimator`, which numflow provides."""
from . import datasets

__all__ = ["datasets", "ModeKeys"]


class ModeKeys:
    """`tf.contrib.learn.ModeKeys`: the mode a contrib.learn model function runs in. Unlike
    `tf.estimator.ModeKeys` (whose inference key is PREDICT), inference is INFER; both are 'infer'."""

    TRAIN = "train"
    EVAL = "eval"
    INFER = "infer"
