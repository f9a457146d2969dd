"""`tf.Module`: a named container of variables and other modules, found by walking its attributes."""
import re

from .graph import name_scope as _name_scope

__all__ = ["Module"]

_CAMEL = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")
_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _camel_to_snake(name):
    return _CAMEL.sub(r"_\1", name).lower()


def _is_variable(value):
    from ..variables import Variable
    return isinstance(value, Variable)


class Module:
    """`tf.Module(name=None)`: a base class for objects holding variables: `variables`,
    `trainable_variables` and `submodules` are found by walking the object's attributes (through lists,
    tuples and dicts), and `name_scope` is the graph name scope its ops are made in (`with_name_scope`
    wraps a method in it)."""

    def __init__(self, name=None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not _VALID_NAME.match(name):
            raise ValueError("%r is not a valid module name. Module names must be valid Python identifiers (e.g. "
                             "a valid class name)." % name)
        self._name = name
        with _name_scope(name) as scope:
            self._scope_name = scope

    @property
    def name(self):
        """The module's name (its class name in snake_case by default)."""
        return self._name

    @property
    def name_scope(self):
        """A context manager entering the module's name scope (the same one every time)."""
        return _name_scope(self._scope_name)

    def _walk(self, predicate, recurse_into_modules=True):
        found, seen = [], set()

        def visit(value):
            if id(value) in seen:
                return
            seen.add(id(value))
            if predicate(value):
                found.append(value)
            if isinstance(value, Module):
                if value is not self and not recurse_into_modules:
                    return
                for key in sorted(vars(value)):
                    if key not in ("_scope_name", "_name"):
                        visit(vars(value)[key])
            elif isinstance(value, dict):
                for key in sorted(value, key=str):
                    visit(value[key])
            elif isinstance(value, (list, tuple)):
                for item in value:
                    visit(item)
        seen.add(id(self))
        for key in sorted(vars(self)):
            if key not in ("_scope_name", "_name"):
                visit(vars(self)[key])
        return tuple(found)

    @property
    def variables(self):
        """Every variable of this module and its submodules (each once)."""
        return self._walk(_is_variable)

    @property
    def trainable_variables(self):
        """The trainable variables of this module and its submodules."""
        return self._walk(lambda value: _is_variable(value) and getattr(value, "trainable", True))

    @property
    def submodules(self):
        """Every module reachable from this one's attributes (not itself)."""
        return self._walk(lambda value: isinstance(value, Module))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: runs a method of a module inside the module's name scope."""
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        wrapped.__name__ = method.__name__
        wrapped.__doc__ = method.__doc__
        return wrapped
