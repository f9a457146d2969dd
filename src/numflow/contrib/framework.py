"""`tf.contrib.framework`: arg_scope / add_arg_scope, the global-step helpers, variable look-ups by scope,
name and suffix, model variables, and helpers that fill variables from checkpoints or values."""
import contextlib
import functools
import inspect
import threading

from ..framework.graph import GraphKeys, get_default_graph
from ..ops.array_extra import argsort, sort  # noqa: F401 - the tf.sort / tf.argsort functions
from ..framework.graph_helpers import is_tensor  # noqa: F401
from ..train.checkpoint_utils import (NewCheckpointReader, init_from_checkpoint,  # noqa: F401
                                      list_variables, load_variable)
from ..train.training_util import (assert_global_step, create_global_step,  # noqa: F401
                                   get_global_step, get_or_create_global_step)

__all__ = ["arg_scope", "add_arg_scope", "current_arg_scope", "has_arg_scope", "arg_scoped_arguments",
           "get_global_step", "get_or_create_global_step", "create_global_step", "assert_global_step",
           "get_variables", "get_local_variables", "get_model_variables", "get_trainable_variables",
           "get_variables_to_restore", "get_variables_by_name", "get_variables_by_suffix",
           "get_unique_variable", "variable", "model_variable", "local_variable", "global_variable",
           "add_model_variable", "assign_from_checkpoint", "assign_from_checkpoint_fn", "assign_from_values",
           "assign_from_values_fn", "list_variables", "load_variable", "init_from_checkpoint", "is_tensor",
           "sort", "argsort"]


# One stack per thread, as TF's: a scope opened in one thread must not leak defaults into another.
_arg_scope_state = threading.local()


def _arg_scope_stack():
    if not hasattr(_arg_scope_state, "stack"):
        _arg_scope_state.stack = [{}]
    return _arg_scope_state.stack


def _scope_key(func):
    return getattr(func, "_key_op", (func.__module__, func.__name__))


def current_arg_scope():
    """The innermost arg_scope in effect: a dict {function key: {argument: default}} (empty outside any)."""
    return _arg_scope_stack()[-1]


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """`tf.contrib.framework.arg_scope(list_ops_or_scope, **kwargs)`: within the block, every function
    in the list (each decorated with @add_arg_scope) takes `kwargs` as defaults; arguments passed
    explicitly still win, and an inner scope's defaults override an outer one's. Passing the dict a
    previous scope yielded re-enters that scope (kwargs must then be empty). Yields the scope dict."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, kwargs must be "
                             "empty.")
        new_scope = list_ops_or_scope.copy()
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope (i.e. dict)")
        new_scope = current_arg_scope().copy()
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                raise ValueError("%s is not decorated with @add_arg_scope" % (_scope_key(op),))
            key = _scope_key(op)
            merged = dict(new_scope.get(key, {}))
            merged.update(kwargs)
            new_scope[key] = merged
    stack = _arg_scope_stack()
    stack.append(new_scope)
    try:
        yield new_scope
    finally:
        stack.pop()


def add_arg_scope(func):
    """`tf.contrib.framework.add_arg_scope(func)`: decorates `func` so that arg_scope can give it
    default keyword arguments."""
    key = (func.__module__, func.__name__)

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        defaults = current_arg_scope().get(key)
        if defaults:
            merged = dict(defaults)
            merged.update(kwargs)
            kwargs = merged
        return func(*args, **kwargs)

    func_with_args._key_op = key
    func_with_args._arg_scoped_function = func
    return func_with_args


def has_arg_scope(func):
    """Whether `func` was decorated with @add_arg_scope."""
    return hasattr(func, "_arg_scoped_function")


def arg_scoped_arguments(func):
    """The parameter names of the function that @add_arg_scope wrapped."""
    wrapped = getattr(func, "_arg_scoped_function", func)
    return list(inspect.signature(wrapped).parameters)


# --- variable look-ups ----------------------------------------------------------------------------
def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES):
    """The variables of `collection` whose names match the regex `scope` from the start (a
    VariableScope stands for its name) and, with `suffix`, contain `suffix` after it."""
    if scope is not None and not isinstance(scope, str):
        scope = scope.name
    if suffix is not None:
        scope = (scope or "") + ".*" + suffix
    return get_default_graph().get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None):
    """get_variables over the MODEL_VARIABLES collection."""
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope=None, suffix=None):
    """get_variables over the LOCAL_VARIABLES collection."""
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None):
    """get_variables over the TRAINABLE_VARIABLES collection."""
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_to_restore(include=None, exclude=None):
    """The global variables matching any scope in `include` (all when None), minus those matching any
    scope in `exclude`, in collection order."""
    if include is None:
        candidates = get_variables()
    else:
        if not isinstance(include, (list, tuple)):
            raise TypeError("include is provided but is not a list or a tuple.")
        candidates = []
        for scope in include:
            candidates += [v for v in get_variables(scope) if v not in candidates]
    excluded = []
    if exclude is not None:
        if not isinstance(exclude, (list, tuple)):
            raise TypeError("exclude is provided but is not a list or a tuple.")
        for scope in exclude:
            excluded += get_variables(scope)
    return [v for v in candidates if v not in excluded]


def get_variables_by_suffix(suffix, scope=None):
    """The global variables (under `scope`) whose names contain `suffix` (a regex)."""
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name, scope=None):
    """The global variables (under `scope`) whose last name component is exactly `given_name`."""
    suffix = "/" + given_name + ":|^" + given_name + ":"
    return get_variables(scope=scope, suffix=suffix)


def get_unique_variable(var_op_name):
    """The one global variable whose op name is `var_op_name`; ValueError when none is."""
    candidates = get_variables(scope=var_op_name)
    if not candidates:
        raise ValueError("Couldn't find variable %s" % var_op_name)
    for candidate in candidates:
        if candidate.op.name == var_op_name:
            return candidate
    raise ValueError("Variable %s does not uniquely identify a variable" % var_op_name)


# --- variable creation ----------------------------------------------------------------------------
def _get_variable(name, shape, dtype, initializer, regularizer, trainable, collections, caching_device,
                  device, partitioner, custom_getter, use_resource):
    from ..variable_scope import get_variable
    from ..framework.graph import device as device_scope
    collections = list(dict.fromkeys(collections))  # drops repeats but keeps the order
    with device_scope(device):
        return get_variable(
            name, shape=shape, dtype=dtype, initializer=initializer,
            regularizer=regularizer, trainable=trainable, collections=collections,
            caching_device=caching_device, partitioner=partitioner, custom_getter=custom_getter,
            use_resource=use_resource)


@add_arg_scope
def variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
             collections=None, caching_device=None, device=None, partitioner=None, custom_getter=None,
             use_resource=None):
    """`tf.contrib.framework.variable(name, shape=None, dtype=None, initializer=None, ...)`: gets or
    creates a variable with tf.get_variable, in `collections` (GLOBAL_VARIABLES when None), placed on
    `device`."""
    return _get_variable(name, shape, dtype, initializer, regularizer, trainable,
                         list(collections or [GraphKeys.GLOBAL_VARIABLES]), caching_device, device,
                         partitioner, custom_getter, use_resource)


@add_arg_scope
def model_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                   collections=None, caching_device=None, device=None, partitioner=None, custom_getter=None,
                   use_resource=None):
    """`tf.contrib.framework.model_variable(...)`: like `variable`, and also in MODEL_VARIABLES."""
    collections = list(collections or []) + [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                    trainable=trainable, collections=collections, caching_device=caching_device,
                    device=device, partitioner=partitioner, custom_getter=custom_getter,
                    use_resource=use_resource)


def local_variable(initial_value, validate_shape=True, name=None, use_resource=None):
    """A non-trainable variable in LOCAL_VARIABLES holding `initial_value`."""
    from ..variables import Variable
    return Variable(initial_value, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
                    validate_shape=validate_shape, name=name)


def global_variable(initial_value, validate_shape=True, name=None, use_resource=None):
    """A non-trainable variable in GLOBAL_VARIABLES holding `initial_value`."""
    from ..variables import Variable
    return Variable(initial_value, trainable=False, collections=[GraphKeys.GLOBAL_VARIABLES],
                    validate_shape=validate_shape, name=name)


def add_model_variable(var):
    """Adds `var` to MODEL_VARIABLES unless it is already there."""
    graph = get_default_graph()
    if var not in graph.get_collection(GraphKeys.MODEL_VARIABLES):
        graph.add_to_collection(GraphKeys.MODEL_VARIABLES, var)


# --- filling variables from checkpoints or values ---------------------------------------------------
def _checkpoint_name_map(var_list):
    if isinstance(var_list, dict):
        return dict(var_list)
    return {v.op.name: v for v in var_list}


def assign_from_checkpoint(model_path, var_list, ignore_missing_vars=False):
    """`(assign_op, feed_dict)` that copies each variable's value from checkpoint `model_path`:
    `var_list` is a list (looked up by op name) or a dict {checkpoint name: variable}. A name missing
    from the checkpoint is a ValueError unless ignore_missing_vars (then it is skipped)."""
    from ..ops.constant import placeholder
    from ..ops.control import group
    from ..ops.state import assign
    reader = NewCheckpointReader(model_path)
    assign_ops, feed_dict = [], {}
    for ckpt_name, var in _checkpoint_name_map(var_list).items():
        if not reader.has_tensor(ckpt_name):
            if ignore_missing_vars:
                continue
            raise ValueError("Checkpoint is missing variable [%s]" % ckpt_name)
        value = reader.get_tensor(ckpt_name)
        feed = placeholder(var.dtype.base_dtype, shape=value.shape,
                           name="assign_from_checkpoint/" + var.op.name.replace(":", "_"))
        feed_dict[feed] = value.reshape(var.get_shape().as_list()) if var.get_shape().is_fully_defined() \
            else value
        assign_ops.append(assign(var, feed))
    return group(*assign_ops, name="assign_from_checkpoint"), feed_dict


def assign_from_checkpoint_fn(model_path, var_list, ignore_missing_vars=False, reshape_variables=False):
    """`fn(session)` that restores `var_list` (list or {checkpoint name: variable}) from `model_path`
    with a tf.train.Saver. With ignore_missing_vars, names absent from the checkpoint are dropped (and
    None is returned when nothing is left)."""
    import logging
    from ..train.saver import Saver
    if not var_list:
        raise ValueError("var_list cannot be empty")
    if ignore_missing_vars:
        reader = NewCheckpointReader(model_path)
        names = _checkpoint_name_map(var_list)
        available = {}
        for name, var in names.items():
            if reader.has_tensor(name):
                available[name] = var
            else:
                logging.getLogger("numflow").warning("Variable %s missing in checkpoint %s", name, model_path)
        var_list = available
    if not var_list:
        logging.getLogger("numflow").warning("No Variables to restore")
        return None
    saver = Saver(var_list, reshape=reshape_variables)

    def callback(session):
        saver.restore(session, model_path)

    return callback


def assign_from_values(var_names_to_values):
    """`(assign_op, feed_dict)` that sets each variable named in `var_names_to_values` (op names, each
    identifying exactly one global variable) to its value."""
    import numpy as np
    from ..ops.constant import placeholder
    from ..ops.control import group
    from ..ops.state import assign
    assign_ops, feed_dict = [], {}
    for var_name in sorted(var_names_to_values):
        matches = get_variables(var_name)
        if not matches:
            raise ValueError("Variable %s wasn't found" % var_name)
        if len(matches) > 1:
            raise ValueError("Ambiguous variable name %s" % var_name)
        var = matches[0]
        value = np.asarray(var_names_to_values[var_name], dtype=var.dtype.base_dtype.as_numpy_dtype)
        if var.get_shape().is_fully_defined():
            shape = var.get_shape().as_list()
            if int(np.prod(shape)) != value.size:
                raise ValueError("Shape mismatch for variable %s: value has shape %s, variable has %s"
                                 % (var_name, value.shape, shape))
            value = value.reshape(shape)
        feed = placeholder(var.dtype.base_dtype, shape=value.shape, name="assign_from_values")
        feed_dict[feed] = value
        assign_ops.append(assign(var, feed))
    return group(*assign_ops, name="assign_from_values"), feed_dict


def assign_from_values_fn(var_names_to_values):
    """`fn(session)` that runs assign_from_values' op with its feed."""
    assign_op, feed_dict = assign_from_values(var_names_to_values)

    def callback(session):
        return session.run(assign_op, feed_dict)

    return callback
