"""`tf.contrib`: the parts of TF1's contrib that tutorials use (`tf.contrib.layers`)."""
from . import layers  # noqa: F401
from . import rnn  # noqa: F401,E402
from . import seq2seq  # noqa: F401,E402
from . import framework  # noqa: F401,E402
from . import training  # noqa: F401,E402
from . import crf  # noqa: F401,E402
from .. import distributions  # noqa: F401,E402 - tf.contrib.distributions: the same classes
from .. import summary_v2 as summary  # noqa: F401,E402 - tf.contrib.summary


def __getattr__(name):
    # tf.contrib.feature_column loads the feature-column package, which numflow loads on first use only.
    # tf.contrib.learn (its data sets) is loaded on first use too, to keep `import numflow` fast.
    if name in ("feature_column", "learn"):
        import importlib
        return importlib.import_module(__name__ + "." + name)
    # tf.contrib.slim, tf.contrib.losses and tf.contrib.metrics load on first use as well.
    if name in ("slim", "losses", "metrics"):
        import importlib
        return importlib.import_module(__name__ + "." + name)
    raise AttributeError("module 'numflow.contrib' has no attribute %r" % name)
