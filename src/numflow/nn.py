"""`tf.nn`: neural-network ops (activations, softmax, cross-entropies, dropout, convolutions, ...)."""
from .ops.nn import *  # noqa: F401,F403
from .ops.nn import __all__ as _nn_all
from .ops.conv import *  # noqa: F401,F403
from .ops.conv import __all__ as _conv_all

__all__ = list(_nn_all) + list(_conv_all)

try:  # sigmoid and tanh live in ops/math; tf.nn re-exports them
    from .ops.math import sigmoid, tanh  # noqa: F401
    __all__ += ["sigmoid", "tanh"]
except ImportError:  # pragma: no cover - only while ops/math is being filled in
    pass

try:
    from .ops.array import space_to_depth, depth_to_space  # noqa: F401
    __all__ += ["space_to_depth", "depth_to_space"]
except ImportError:
    pass

from .ops import rnn_cell, rnn as _rnn  # noqa: F401,E402 - tf.nn.rnn_cell.BasicLSTMCell, ...
from .ops.rnn import dynamic_rnn, static_rnn  # noqa: F401,E402
__all__ += ["rnn_cell", "dynamic_rnn", "static_rnn"]
