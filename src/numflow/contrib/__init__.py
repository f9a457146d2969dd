"""`tf.contrib`: the parts of TF1's contrib that tutorials use (`tf.contrib.layers`)."""
from . import layers  # noqa: F401
from . import rnn  # noqa: F401,E402
from . import seq2seq  # noqa: F401,E402
from .. import distributions  # noqa: F401,E402 - tf.contrib.distributions: the same classes
