"""Variable scopes: `tf.variable_scope`, `tf.get_variable` and the per-graph store of shared variables.

TF1's sharing model: `tf.get_variable(name, ...)` names a variable by the enclosing *variable* scopes
only ('outer/inner/name'), while ops are named by the *name* scopes that `tf.variable_scope` also opens.
Re-entering a variable scope therefore opens a new name scope ('scope_1/') but finds its variables under
'scope/'. Whether `get_variable` may create or must find a variable is the scope's `reuse`: None/False
creates (an existing one is an error), True finds (a missing one is an error), `tf.AUTO_REUSE` does
whichever applies. Reuse is inherited by nested scopes.
"""
import enum
import functools
import inspect
import threading

from .framework import dtypes
from .framework.graph import (GraphKeys, convert_to_tensor, get_collection, get_default_graph,
                              name_scope)
from .framework.tensor_shape import as_shape

__all__ = ["variable_scope", "variable_op_scope", "get_variable", "get_local_variable", "get_variable_scope",
           "AUTO_REUSE", "VariableScope", "no_regularizer"]


class _ReuseMode(enum.Enum):
    """The mode of `tf.AUTO_REUSE`: create variables that do not exist, return those that do."""

    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


def no_regularizer(_):
    """`tf.no_regularizer`: a regularizer that adds no loss (to turn off a scope's default one)."""
    return None


def _fn_args(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


def _accepts(fn, name):
    params = _fn_args(fn)
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


# --- the store of variables made by get_variable (one per graph) ---------------------------------
class _VariableStore:
    """The variables `tf.get_variable` created in one graph, by full name."""

    def __init__(self):
        self._vars = {}

    def get_variable(self, name, shape=None, dtype=dtypes.float32, initializer=None, regularizer=None,
                     reuse=None, trainable=None, collections=None, caching_device=None, partitioner=None,
                     validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        if custom_getter is not None and not callable(custom_getter):
            raise ValueError("Passed a custom_getter which is not callable: %s" % custom_getter)
        if trainable is None:
            trainable = True

        def true_getter(name, shape=None, dtype=dtypes.float32, initializer=None, regularizer=None,
                        reuse=None, trainable=None, collections=None, caching_device=None, partitioner=None,
                        validate_shape=True, use_resource=None, constraint=None, synchronization=None,
                        aggregation=None):
            if partitioner is not None:
                from .framework.partitioners import get_partitioned_variable
                return get_partitioned_variable(self, name, shape, dtype, initializer, regularizer, reuse,
                                                True if trainable is None else trainable, collections,
                                                validate_shape, constraint, partitioner)
            return self._get_single_variable(name, shape, dtype, initializer, regularizer, reuse,
                                             True if trainable is None else trainable, collections,
                                             validate_shape, constraint)

        kwargs = dict(name=name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                      reuse=reuse, trainable=trainable, collections=collections, caching_device=caching_device,
                      partitioner=partitioner, validate_shape=validate_shape, use_resource=use_resource)
        if custom_getter is None:
            return true_getter(constraint=constraint, **kwargs)
        for extra, value in (("constraint", constraint), ("synchronization", synchronization),
                             ("aggregation", aggregation)):
            if _accepts(custom_getter, extra):
                kwargs[extra] = value
        return custom_getter(getter=true_getter, **kwargs)

    def _get_single_variable(self, name, shape, dtype, initializer, regularizer, reuse, trainable,
                             collections, validate_shape, constraint):
        from .variables import Variable
        initializing_from_value = initializer is not None and not callable(initializer)
        if shape is not None and initializing_from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        dtype = dtypes.as_dtype(dtype)
        shape = as_shape(shape)
        if name in self._vars:
            found = self._vars[name]
            if not reuse:
                raise ValueError("Variable %s already exists, disallowed. Did you mean to set reuse=True or "
                                 "reuse=tf.AUTO_REUSE in VarScope?" % name)
            if not shape.is_compatible_with(found.get_shape()):
                raise ValueError("Trying to share variable %s, but specified shape %s and found shape %s."
                                 % (name, shape, found.get_shape()))
            if not dtype.is_compatible_with(found.dtype):
                raise ValueError("Trying to share variable %s, but specified dtype %s and found dtype %s."
                                 % (name, dtype.name, found.dtype.name))
            return found
        if reuse is True:
            raise ValueError("Variable %s does not exist, or was not created with tf.get_variable(). Did "
                             "you mean to set reuse=tf.AUTO_REUSE in VarScope?" % name)
        if initializer is None:
            initializer, initializing_from_value = _default_initializer(name, dtype), False
        if initializing_from_value:
            init_val = initializer
            variable_dtype = None
        else:
            if inspect.isclass(initializer):
                initializer = initializer()
            if shape.is_fully_defined():
                full_shape = shape.as_list()

                def init_val():
                    return initializer(full_shape, dtype=dtype, partition_info=None)
                variable_dtype = dtype
            elif _takes_no_arguments(initializer):
                init_val = initializer
                variable_dtype = None
            else:
                raise ValueError("The initializer passed is not valid. It should be a callable with no "
                                 "arguments and the shape should not be provided or an instance of "
                                 "`tf.keras.initializers.*' and `shape` should be fully defined.")
        with name_scope(None):
            variable = Variable(initial_value=init_val, name=name, trainable=trainable, collections=collections,
                                dtype=variable_dtype, validate_shape=validate_shape, constraint=constraint)
        self._vars[name] = variable
        if regularizer:
            with name_scope(None), name_scope(name + "/Regularizer/"):
                loss = regularizer(variable)
            if loss is not None:
                variable.graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return variable


def _takes_no_arguments(fn):
    params = _fn_args(fn)
    return all(p.default is not inspect.Parameter.empty or p.kind in (inspect.Parameter.VAR_POSITIONAL,
                                                                     inspect.Parameter.VAR_KEYWORD)
               for p in params.values())


def _default_initializer(name, dtype):
    """glorot_uniform for floating variables; zeros for integers, bools and strings."""
    from . import init_ops
    if dtype.is_floating:
        return init_ops.glorot_uniform_initializer()
    if dtype.is_integer or dtype.is_unsigned or dtype.is_bool or dtype == dtypes.string:
        return init_ops.zeros_initializer()
    raise ValueError("An initializer for variable %s of %s is required" % (name, dtype.name))


# --- scopes --------------------------------------------------------------------------------------
class VariableScope:
    """What a `tf.variable_scope` carries: its name, reuse mode and the defaults (initializer,
    regularizer, dtype, custom getter ...) that `tf.get_variable` uses inside it."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, caching_device=None,
                 partitioner=None, custom_getter=None, name_scope="", dtype=dtypes.float32,
                 use_resource=None, constraint=None):
        self._name = name
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtypes.as_dtype(dtype)
        self._use_resource = use_resource
        self._constraint = constraint

    @property
    def name(self):
        return self._name

    @property
    def original_name_scope(self):
        return self._name_scope

    @property
    def reuse(self):
        return self._reuse

    @property
    def initializer(self):
        return self._initializer

    @property
    def dtype(self):
        return self._dtype

    @property
    def use_resource(self):
        return self._use_resource

    @property
    def regularizer(self):
        return self._regularizer

    @property
    def caching_device(self):
        return self._caching_device

    @property
    def partitioner(self):
        return self._partitioner

    @property
    def custom_getter(self):
        return self._custom_getter

    @property
    def constraint(self):
        return self._constraint

    def reuse_variables(self):
        """Makes `tf.get_variable` in this scope (and scopes opened inside it) return existing variables."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_dtype(self, dtype):
        self._dtype = dtypes.as_dtype(dtype)

    def set_use_resource(self, use_resource):
        self._use_resource = use_resource

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_caching_device(self, caching_device):
        self._caching_device = caching_device

    def set_partitioner(self, partitioner):
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter):
        self._custom_getter = custom_getter

    def get_collection(self, name):
        """The items of collection `name` whose names start with this scope's name."""
        scope = self._name + "/" if self._name else ""
        return get_collection(name, scope)

    def trainable_variables(self):
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self):
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self):
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(self, var_store, name, shape=None, dtype=None, initializer=None, regularizer=None,
                     reuse=None, trainable=None, collections=None, caching_device=None, partitioner=None,
                     validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        """Gets or creates `name` under this scope in `var_store`, filling in the scope's defaults."""
        if regularizer is None:
            regularizer = self._regularizer
        if caching_device is None:
            caching_device = self._caching_device
        if partitioner is None:
            partitioner = self._partitioner
        if custom_getter is None:
            custom_getter = self._custom_getter
        if reuse is None:
            reuse = self._reuse
        if use_resource is None:
            use_resource = self._use_resource
        full_name = self._name + "/" + name if self._name else name
        with name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                init_dtype = convert_to_tensor(initializer).dtype.base_dtype
                if init_dtype != dtypes.as_dtype(dtype):
                    raise ValueError("Initializer type '%s' and explicit dtype '%s' don't match."
                                     % (init_dtype.name, dtypes.as_dtype(dtype).name))
            if initializer is None:
                initializer = self._initializer
            if constraint is None:
                constraint = self._constraint
            if dtype is None:
                dtype = self._dtype
            return var_store.get_variable(full_name, shape=shape, dtype=dtype, initializer=initializer,
                                          regularizer=regularizer, reuse=reuse, trainable=trainable,
                                          collections=collections, caching_device=caching_device,
                                          partitioner=partitioner, validate_shape=validate_shape,
                                          use_resource=use_resource, custom_getter=custom_getter,
                                          constraint=constraint, synchronization=synchronization,
                                          aggregation=aggregation)


class _VariableScopeStore:
    """The current variable scope of one graph (per thread) and the use counts of scope names."""

    def __init__(self):
        self.current_scope = VariableScope(False)
        self.variable_scopes_count = {}

    def open_variable_scope(self, scope_name):
        self.variable_scopes_count[scope_name] = self.variable_scopes_count.get(scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name):
        for key in list(self.variable_scopes_count):
            if scope_name is None or key.startswith(scope_name + "/"):
                self.variable_scopes_count[key] = 0

    def variable_scope_count(self, scope_name):
        return self.variable_scopes_count.get(scope_name, 0)


def _scope_store(graph=None):
    graph = graph if graph is not None else get_default_graph()
    key = ("variable_scope", threading.get_ident())
    store = graph._variable_scope_stores.get(key)
    if store is None:
        store = graph._variable_scope_stores[key] = _VariableScopeStore()
    return store


def _variable_store(graph=None):
    graph = graph if graph is not None else get_default_graph()
    store = graph._variable_scope_stores.get("variables")
    if store is None:
        store = graph._variable_scope_stores["variables"] = _VariableStore()
    return store


def get_variable_scope():
    """`tf.get_variable_scope()`: the current VariableScope (the root scope, named '', outside any)."""
    return _scope_store().current_scope


def _wrap_custom_getter(custom_getter, old_getter):
    """Nests custom getters: the inner scope's getter receives the outer one's as its `getter`."""
    if old_getter is None:
        return custom_getter

    def wrapped_custom_getter(getter, *args, **kwargs):
        return custom_getter(functools.partial(old_getter, getter), *args, **kwargs)
    return wrapped_custom_getter


def _unique_variable_scope(prefix):
    """`prefix`, or `prefix_N` when a sibling scope of that name was already opened."""
    store = _scope_store()
    current = store.current_scope
    name = current.name + "/" + prefix if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    index = 1
    while store.variable_scope_count("%s_%d" % (name, index)) > 0:
        index += 1
    return "%s_%d" % (prefix, index)


class _PureVariableScope:
    """Sets the current VariableScope (without touching name scopes) for the duration of a `with`."""

    def __init__(self, name_or_scope, reuse=None, initializer=None, regularizer=None, caching_device=None,
                 partitioner=None, custom_getter=None, old_name_scope=None, dtype=None, use_resource=None,
                 constraint=None):
        self._name_or_scope = name_or_scope
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._old_name_scope = old_name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        self._store = _scope_store()

    def __enter__(self):
        store = self._store
        self._old = store.current_scope
        if isinstance(self._name_or_scope, VariableScope):
            source = self._name_or_scope
            self._new_name = source.name
            store.open_variable_scope(self._new_name)
            self._old_subscopes = dict(store.variable_scopes_count)
            scope = VariableScope(source.reuse if not self._reuse else self._reuse, name=self._new_name,
                                  initializer=source.initializer, regularizer=source.regularizer,
                                  caching_device=source.caching_device, partitioner=source.partitioner,
                                  dtype=source.dtype, custom_getter=source.custom_getter,
                                  name_scope=source.original_name_scope, use_resource=source.use_resource,
                                  constraint=source.constraint)
            base_getter = source.custom_getter
        else:
            old = self._old
            self._new_name = old.name + "/" + self._name_or_scope if old.name else self._name_or_scope
            reuse = self._reuse or old.reuse
            scope_name = self._name_or_scope if self._old_name_scope is None else self._old_name_scope
            scope = VariableScope(reuse, name=self._new_name, initializer=old.initializer,
                                  regularizer=old.regularizer, caching_device=old.caching_device,
                                  partitioner=old.partitioner, dtype=old.dtype, use_resource=old.use_resource,
                                  custom_getter=old.custom_getter, name_scope=scope_name,
                                  constraint=old.constraint)
            base_getter = old.custom_getter
            store.open_variable_scope(self._new_name)
        if self._initializer is not None:
            scope.set_initializer(self._initializer)
        if self._regularizer is not None:
            scope.set_regularizer(self._regularizer)
        if self._caching_device is not None:
            scope.set_caching_device(self._caching_device)
        if self._partitioner is not None:
            scope.set_partitioner(self._partitioner)
        if self._custom_getter is not None:
            scope.set_custom_getter(_wrap_custom_getter(self._custom_getter, base_getter))
        if self._dtype is not None:
            scope.set_dtype(self._dtype)
        if self._use_resource is not None:
            scope.set_use_resource(self._use_resource)
        if self._constraint is not None:
            scope._constraint = self._constraint
        store.current_scope = scope
        return scope

    def __exit__(self, exc_type, exc_value, traceback):
        store = self._store
        if isinstance(self._name_or_scope, VariableScope):
            store.variable_scopes_count = self._old_subscopes
        else:
            store.close_variable_subscopes(self._new_name)
        store.current_scope = self._old
        return False


class variable_scope:  # noqa: N801 - TF's name
    """`tf.variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
    regularizer=None, caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None,
    use_resource=None, constraint=None, auxiliary_name_scope=True)`: a context manager that opens a
    variable scope (prefixing the names `tf.get_variable` uses) and a name scope of the same name.

    `name_or_scope` is a string or a VariableScope captured earlier; with None, `default_name` is made
    unique ('layer', 'layer_1', ...). `reuse` True or `tf.AUTO_REUSE` lets `get_variable` return existing
    variables; reuse is inherited by inner scopes (False means inherit). `initializer`, `regularizer`,
    `dtype` and `custom_getter` become the defaults of `get_variable` inside.
    """

    def __init__(self, name_or_scope, default_name=None, values=None, initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None,
                 use_resource=None, constraint=None, auxiliary_name_scope=True):
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._values = values
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._reuse = reuse
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        self._auxiliary_name_scope = auxiliary_name_scope
        if self._default_name is None and self._name_or_scope is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if self._reuse is False:
            self._reuse = None   # a scope cannot turn reuse off: False means inherit, like None
        if not (self._reuse is True or self._reuse is None or self._reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        if custom_getter is not None and not callable(custom_getter):
            raise ValueError("The custom_getter must be callable (given: %s)" % (custom_getter,))
        if not isinstance(auxiliary_name_scope, bool):
            raise TypeError("The auxiliary_name_scope must be `True` or `False`, while get {}"
                            .format(auxiliary_name_scope))
        if name_or_scope is not None and not isinstance(name_or_scope, (VariableScope, str)):
            raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
        from .framework.graph import _graph_of
        self._graph = _graph_of(values or [])
        self._contexts = []

    def __enter__(self):
        stack = []
        self._contexts.append(stack)
        try:
            return self._enter(stack)
        except BaseException:
            self._unwind(stack, None, None, None)
            self._contexts.pop()
            raise

    def _push(self, stack, context):
        value = context.__enter__()
        stack.append(context)
        return value

    def _enter(self, stack):
        self._push(stack, self._graph.as_default())
        if self._auxiliary_name_scope:
            current_name_scope = None
        else:
            current = self._graph.get_name_scope()
            current_name_scope = name_scope(current + "/" if current else "")
        common = dict(initializer=self._initializer, regularizer=self._regularizer,
                      caching_device=self._caching_device, partitioner=self._partitioner,
                      custom_getter=self._custom_getter, dtype=self._dtype, use_resource=self._use_resource,
                      constraint=self._constraint)
        if self._name_or_scope is not None:
            if isinstance(self._name_or_scope, str):
                scope_name = self._name_or_scope
            else:
                scope_name = self._name_or_scope.name.split("/")[-1]
            if scope_name or current_name_scope is not None:
                current_name_scope = current_name_scope or name_scope(scope_name)
                opened = self._push(stack, current_name_scope)
                old_name_scope = opened if isinstance(self._name_or_scope, str) else \
                    self._name_or_scope.original_name_scope
            else:
                old_name_scope = None
            return self._push(stack, _PureVariableScope(self._name_or_scope, reuse=self._reuse,
                                                        old_name_scope=old_name_scope, **common))
        if self._reuse:
            raise ValueError("reuse=True cannot be used without a name_or_scope")
        current_name_scope = current_name_scope or name_scope(self._default_name)
        opened = self._push(stack, current_name_scope)
        unique_name = _unique_variable_scope(self._default_name)
        return self._push(stack, _PureVariableScope(unique_name, old_name_scope=opened, **common))

    @staticmethod
    def _unwind(stack, exc_type, exc_value, traceback):
        while stack:
            stack.pop().__exit__(exc_type, exc_value, traceback)

    def __exit__(self, exc_type, exc_value, traceback):
        self._unwind(self._contexts.pop(), exc_type, exc_value, traceback)
        return False


def variable_op_scope(values, name_or_scope, default_name=None, initializer=None, regularizer=None,
                      caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None,
                      use_resource=None, constraint=None):
    """Deprecated TF1 spelling of `tf.variable_scope(name_or_scope, default_name, values, ...)`."""
    return variable_scope(name_or_scope, default_name=default_name, values=values, initializer=initializer,
                          regularizer=regularizer, caching_device=caching_device, partitioner=partitioner,
                          custom_getter=custom_getter, reuse=reuse, dtype=dtype, use_resource=use_resource,
                          constraint=constraint)


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True,
                 use_resource=None, custom_getter=None, constraint=None, synchronization=None,
                 aggregation=None):
    """`tf.get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
    collections=None, ...)`: the variable 'scope/name' of the current variable scope, created (with the
    scope's reuse unset) or returned (with reuse set; `tf.AUTO_REUSE` does either).

    The initializer defaults to the scope's, else glorot_uniform for floats and zeros for integers and
    bools. An initializer that is a Tensor or a value (not callable) gives the shape, which must then not
    be passed. A regularizer's loss goes to `tf.GraphKeys.REGULARIZATION_LOSSES`.
    """
    return get_variable_scope().get_variable(
        _variable_store(), name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
        trainable=trainable, collections=collections, caching_device=caching_device, partitioner=partitioner,
        validate_shape=validate_shape, use_resource=use_resource, custom_getter=custom_getter,
        constraint=constraint, synchronization=synchronization, aggregation=aggregation)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=False,
                       collections=None, caching_device=None, partitioner=None, validate_shape=True,
                       use_resource=None, custom_getter=None, constraint=None, synchronization=None,
                       aggregation=None):
    """`tf.get_local_variable(...)`: `tf.get_variable` into LOCAL_VARIABLES (not trainable by default)."""
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                        trainable=trainable, collections=collections, caching_device=caching_device,
                        partitioner=partitioner, validate_shape=validate_shape, use_resource=use_resource,
                        custom_getter=custom_getter, constraint=constraint, synchronization=synchronization,
                        aggregation=aggregation)

