"""`tf.contrib.rnn`: TF1's recurrent cells and `static_rnn` (the same objects as `tf.nn.rnn_cell`)."""
from ..ops.rnn import static_rnn  # noqa: F401
from ..ops.rnn_cell import (BasicLSTMCell, BasicRNNCell, DropoutWrapper, GRUCell, LSTMStateTuple,  # noqa: F401
                            MultiRNNCell, RNNCell)

__all__ = ["BasicLSTMCell", "BasicRNNCell", "DropoutWrapper", "GRUCell", "LSTMStateTuple", "MultiRNNCell",
           "RNNCell", "static_rnn"]
