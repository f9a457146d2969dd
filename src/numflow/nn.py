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

from .ops.nn_extra import *  # noqa: F401,F403,E402
from .ops.nn_extra import __all__ as _nn_extra_all  # noqa: E402
__all__ += [n for n in _nn_extra_all if n not in ("space_to_batch_nd", "batch_to_space_nd",
                                                   "batch_to_space", "required_space_to_batch_paddings")]
from .ops.candidate_sampling import *  # noqa: F401,F403,E402
from .ops.candidate_sampling import __all__ as _sampling_all  # noqa: E402
__all__ += list(_sampling_all)
# Recurrent nets (issue 12): bidirectional, raw and state-saving RNNs.
from .ops.rnn import (bidirectional_dynamic_rnn, raw_rnn, static_bidirectional_rnn,  # noqa: F401,E402
                      static_state_saving_rnn)
__all__ += ["bidirectional_dynamic_rnn", "raw_rnn", "static_bidirectional_rnn", "static_state_saving_rnn"]
# CTC loss and decoders, fractional pooling (issue 12).
from .ops.ctc import *  # noqa: F401,F403,E402
from .ops.ctc import __all__ as _ctc_all  # noqa: E402
__all__ += list(_ctc_all)
from .ops.fractional_pool import fractional_avg_pool, fractional_max_pool  # noqa: F401,E402
__all__ += ["fractional_avg_pool", "fractional_max_pool"]
from .ops.quant_and_misc import approx_max_k, approx_min_k  # noqa: F401,E402 - issue 12
__all__ += ["approx_max_k", "approx_min_k"]
