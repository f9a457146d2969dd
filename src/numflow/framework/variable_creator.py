"""`tf.variable_creator_scope`: functions that intercept the creation of every `tf.Variable` (including
those `tf.get_variable` makes) in the default graph.

A creator is `creator(next_creator, **kwargs)`: it receives all of tf.Variable's constructor arguments by
name and may change them, call `next_creator(**kwargs)` (the next creator out, finally the plain
constructor) and return what it likes. The innermost scope's creator runs first. The stack is per graph.
"""
import contextlib
import functools
import inspect

from .graph import get_default_graph

__all__ = ["variable_creator_scope"]


def _creator_stack(graph):
    stack = graph.__dict__.get("_variable_creator_stack")
    if stack is None:
        stack = graph.__dict__["_variable_creator_stack"] = []
    return stack


class VariableMeta(type):
    """The metaclass of tf.Variable: `tf.Variable(...)` goes through the graph's variable creators. Only
    classes marking themselves `_through_variable_creators = True` (tf.Variable, not its subclasses) are
    intercepted, as in TF."""

    def __call__(cls, *args, **kwargs):
        stack = _creator_stack(get_default_graph())
        if not stack or cls.__dict__.get("_through_variable_creators") is not True:
            return super().__call__(*args, **kwargs)
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop(next(iter(arguments)))     # `self`
        construct = super().__call__

        def default_creator(**creator_kwargs):
            return construct(**creator_kwargs)
        creator = default_creator
        for scope_creator in stack:
            creator = functools.partial(_call_creator, scope_creator, creator)
        return creator(**arguments)


def _call_creator(scope_creator, next_creator, **kwargs):
    return scope_creator(next_creator, **kwargs)


@contextlib.contextmanager
def variable_creator_scope(variable_creator):
    """`tf.variable_creator_scope(variable_creator)`: within the scope, every tf.Variable created in the
    default graph is made by `variable_creator(next_creator, **kwargs)` (kwargs: initial_value, trainable,
    collections, validate_shape, caching_device, name, variable_def, dtype, expected_shape, import_scope,
    constraint, use_resource, synchronization, aggregation, shape)."""
    if not callable(variable_creator):
        raise TypeError("variable_creator must be callable, got %r" % (variable_creator,))
    stack = _creator_stack(get_default_graph())
    stack.append(variable_creator)
    try:
        yield
    finally:
        stack.pop()
