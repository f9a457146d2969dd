"""TF1's script scaffolding around the graph: `tf.app`, `tf.flags`, `tf.logging`, `tf.gfile` and `tf.test`.

The modules are also importable under their public names (`numflow.app`, `numflow.flags`,
`numflow.logging`, `numflow.gfile`, `numflow.test`, and `numflow.io.gfile`), which is what `import
tensorflow.X` resolves to under `numflow run`; `tensorflow.python.platform.X` resolves to the modules here.
"""
import sys as _sys

from . import app, flags, gfile, test, tf_logging
from .. import io as _io

_io.gfile = gfile  # tf.io.gfile

_package = __name__.rpartition(".")[0]
for _public, _module in (("app", app), ("flags", flags), ("logging", tf_logging), ("gfile", gfile),
                         ("test", test), ("io.gfile", gfile)):
    _sys.modules.setdefault("%s.%s" % (_package, _public), _module)
del _public, _module, _package, _io
