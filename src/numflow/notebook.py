"""`import tensorflow` as numflow outside `numflow run`: in a Jupyter notebook, IPython or a plain `python`.

    import numflow
    numflow.install_as_tensorflow()     # or, in IPython/Jupyter: %load_ext numflow
    import tensorflow as tf             # numflow, with tf.__version__ == "1.15.0"

Call it before the first `import tensorflow` of the session: a module object imported earlier (a real
TensorFlow, say) stays what it was in the variables that hold it. `numflow.uninstall_as_tensorflow()` (or
`%unload_ext numflow`) undoes it, bringing back a `tensorflow` that was imported before.
"""
import sys

from . import _tensorflow_alias

_displaced = None


def install_as_tensorflow():
    """Make `import tensorflow` (and `tensorflow.compat.v1`, `tensorflow.examples.tutorials.mnist`) resolve
    to numflow in this process, as under `numflow run`. Idempotent; returns True when it changed anything."""
    global _displaced
    if _tensorflow_alias.installed():
        return False
    _displaced = _tensorflow_alias.install()
    if _displaced.get(_tensorflow_alias.ALIAS) is not None:
        print("numflow: a real `tensorflow` was imported before; names bound to it still refer to it. "
              "Import tensorflow again to get numflow.", file=sys.stderr)
    return True


def uninstall_as_tensorflow():
    """Undo `install_as_tensorflow()`: `import tensorflow` finds whatever it found before."""
    global _displaced
    if not _tensorflow_alias.installed():
        return False
    _tensorflow_alias.uninstall(_displaced)
    _displaced = None
    return True


def load_ipython_extension(ipython):
    """`%load_ext numflow`: install the TensorFlow alias in this IPython/Jupyter kernel."""
    install_as_tensorflow()


def unload_ipython_extension(ipython):
    """`%unload_ext numflow`: remove the alias again."""
    uninstall_as_tensorflow()
