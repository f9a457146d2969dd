"""Makes `import tensorflow` resolve to numflow; installed only by `numflow run`, never on plain import.

`tensorflow` -> `numflow`, `tensorflow.X.Y` -> `numflow.X.Y`, `tensorflow.compat.v1[.X]` -> `numflow[.X]`
(numflow is its own `compat.v1`) and `tensorflow.python[.X]` -> `numflow[.X]` (so `from
tensorflow.python.platform import gfile` works). A real TensorFlow in the same environment stays untouched
outside `numflow run`, because nothing here runs unless `install()` is called.
"""
import importlib
import importlib.abc
import importlib.util
import sys

ALIAS = "tensorflow"
TARGET = "numflow"


def target_name(fullname):
    """The numflow module that `fullname` (tensorflow or tensorflow.*) stands for."""
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
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
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


def install():
    """Put the alias finder first on `sys.meta_path`; returns the `tensorflow*` entries it displaced."""
    displaced = {name: mod for name, mod in sys.modules.items()
                 if name == ALIAS or name.startswith(ALIAS + ".")}
    for name in displaced:
        del sys.modules[name]
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    return displaced


def uninstall(displaced=None):
    """Remove the finder and every `tensorflow*` alias entry, then restore what `install()` displaced."""
    while _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        del sys.modules[name]
    sys.modules.update(displaced or {})


def installed():
    return _finder in sys.meta_path
