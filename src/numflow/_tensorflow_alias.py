"""Makes `import tensorflow` resolve to numflow; installed only by `numflow run` and
`numflow.install_as_tensorflow()` (`%load_ext numflow` in IPython/Jupyter), never on plain import.

`tensorflow` -> `numflow`, `tensorflow.X.Y` -> `numflow.X.Y`, `tensorflow.compat.v1[.X]` -> `numflow[.X]`
(numflow is its own `compat.v1`) and `tensorflow.python[.X]` -> `numflow[.X]` (so `from
tensorflow.python.platform import gfile` works). A real TensorFlow in the same environment stays untouched
outside `numflow run`, because nothing here runs unless `install()` is called.

While installed, numflow also presents itself as the TensorFlow it implements: `tf.__version__` is
`tf.VERSION` (1.15.0), so scripts that branch on it take TF1's branch, and `tf.logging` writes to the
'tensorflow' logger. numflow's own version stays in `numflow.GIT_VERSION` ("numflow-X.Y.Z") and
`numflow.NUMFLOW_VERSION`; outside the alias `numflow.__version__` is numflow's own version.
"""
import importlib
import importlib.abc
import importlib.util
import sys

ALIAS = "tensorflow"
TARGET = "numflow"


# Horovod's TensorFlow API is numflow.horovod: `import horovod.tensorflow as hvd` (and `import horovod`).
HOROVOD_ALIAS = "horovod"
HOROVOD_TARGET = TARGET + ".horovod"


def _is_alias(fullname):
    return any(fullname == alias or fullname.startswith(alias + ".") for alias in (ALIAS, HOROVOD_ALIAS))


def target_name(fullname):
    """The numflow module that `fullname` (tensorflow[.*], horovod[.*]) stands for."""
    if fullname == HOROVOD_ALIAS or fullname.startswith(HOROVOD_ALIAS + "."):
        parts = fullname.split(".")[1:]
        if parts[:1] == ["tensorflow"]:
            parts = parts[1:]
        return ".".join([HOROVOD_TARGET] + parts)
    parts = fullname.split(".")[1:]
    if parts[:2] == ["compat", "v1"]:
        parts = parts[2:]
    if parts[:1] == ["python"]:  # tensorflow.python.platform.gfile -> numflow.platform.gfile
        parts = parts[1:]
    return ".".join([TARGET] + parts)


class _ExistingModuleLoader(importlib.abc.Loader):
    """Hands the import system a module numflow has already imported, without executing anything."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class TensorFlowAliasFinder(importlib.abc.MetaPathFinder):
    """A `sys.meta_path` finder that answers for `tensorflow` and its submodules with numflow's."""

    def find_spec(self, fullname, path=None, target=None):
        if not _is_alias(fullname):
            return None
        name = target_name(fullname)
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name is not None and e.name != name and not name.startswith(e.name + "."):
                raise  # a missing dependency inside numflow, not a missing alias target
            raise ModuleNotFoundError("No module named %r: numflow (running this script as TensorFlow) has no %r"
                                      % (fullname, name), name=fullname) from None
        return importlib.util.spec_from_loader(fullname, _ExistingModuleLoader(module),
                                               is_package=hasattr(module, "__path__"))


_finder = TensorFlowAliasFinder()


def _present_as_tensorflow(numflow, on):
    """Switch numflow's version string and logger name between its own and TensorFlow's."""
    from .platform import tf_logging
    numflow.__version__ = numflow.VERSION if on else numflow.NUMFLOW_VERSION
    tf_logging.use_logger_name(ALIAS if on else TARGET)


def install():
    """Put the alias finder first on `sys.meta_path`; returns the `tensorflow*` entries it displaced."""
    displaced = {name: mod for name, mod in sys.modules.items() if _is_alias(name)}
    for name in displaced:
        del sys.modules[name]
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
        _present_as_tensorflow(importlib.import_module(TARGET), True)
    return displaced


def uninstall(displaced=None):
    """Remove the finder and every `tensorflow*` alias entry, then restore what `install()` displaced."""
    was_installed = _finder in sys.meta_path
    while _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if _is_alias(n)]:
        del sys.modules[name]
    sys.modules.update(displaced or {})
    if was_installed:
        _present_as_tensorflow(importlib.import_module(TARGET), False)


def installed():
    return _finder in sys.meta_path
