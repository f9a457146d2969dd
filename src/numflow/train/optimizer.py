"""`tf.train.Optimizer` and the TF1 optimizers built on the fused update ops of `ops/training.py`.

`minimize` = `compute_gradients` (tf.gradients over the trainable variables) + `apply_gradients`, which
creates the slot variables (non-trainable tf.Variables named like TF's: 'W/Adam', 'W/Adam_1', ...), adds
one fused update op per variable under the optimizer's name scope ('Adam/update_W/ApplyAdam'), groups
them, and, with a `global_step`, increments it after the updates.
"""
import numpy as np

from ..framework import dtypes
from ..framework.graph import (GraphKeys, Operation, Tensor, control_dependencies, convert_to_tensor,
                               get_default_graph, name_scope)
from ..framework.indexed_slices import IndexedSlices, deduplicate_indexed_slices

__all__ = ["Optimizer", "GradientDescentOptimizer", "MomentumOptimizer", "AdagradOptimizer", "AdamOptimizer",
           "RMSPropOptimizer", "AdadeltaOptimizer"]


def _is_variable(value):
    from ..variables import Variable
    return isinstance(value, Variable)


def _var_key(var):
    return var


class Optimizer:
    """`tf.train.Optimizer(use_locking, name)`: the base class of optimizers.

    Subclasses override `_create_slots(var_list)`, `_prepare()`, `_apply_dense(grad, var)`,
    `_apply_sparse(grad, var)` (for IndexedSlices gradients, such as those of tf.gather and
    tf.nn.embedding_lookup: update only those rows) and optionally `_finish(update_ops, name_scope)`.
    """

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}            # slot name -> {variable: slot variable}
        self._non_slot_dict = {}    # (name, graph) -> variable
        self._hyper_cache = {}

    def get_name(self):
        return self._name

    # --- the public API ----------------------------------------------------------------------
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None, grad_loss=None):
        """Adds ops that compute the gradients of `loss` and apply them to `var_list` (the trainable
        variables by default); increments `global_step` after the updates. Returns the train op."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients, aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not support "
                "gradients, between variables %s and loss %s." % ([str(v) for _, v in grads_and_vars], loss))
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """Returns [(gradient, variable)] for `var_list` (default: the trainable variables); the gradient
        is None for a variable that `loss` does not depend on, and an IndexedSlices for one that `loss`
        reads only through gathers (tf.gather, tf.nn.embedding_lookup)."""
        from ..gradients import gradients
        if callable(loss) and not isinstance(loss, (Tensor, Operation)):
            loss = loss()
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, Optimizer.GATE_OP, "
                             "Optimizer.GATE_GRAPH.  Not %s" % gate_gradients)
        loss = convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            grad_loss = convert_to_tensor(grad_loss)
            self._assert_valid_dtypes([grad_loss])
        if var_list is None:
            var_list = loss.graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
        else:
            var_list = _flatten(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not (_is_variable(v) or isinstance(v, Tensor)):
                raise NotImplementedError("Trying to optimize unsupported type %s" % (v,))
        refs = [v._ref if _is_variable(v) else v for v in var_list]
        # A variable's value has nothing upstream: stopping there keeps tf.gradients from walking into
        # the VariableV2 ops themselves (and changes no gradient).
        grads = gradients(loss, refs, grad_ys=grad_loss, gate_gradients=(gate_gradients == Optimizer.GATE_OP),
                          aggregation_method=aggregation_method,
                          colocate_gradients_with_ops=colocate_gradients_with_ops,
                          stop_gradients=[r for r, v in zip(refs, var_list) if _is_variable(v)])
        if gate_gradients == Optimizer.GATE_GRAPH:
            from ..gradients import gate
            grads = gate(grads)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Applies [(gradient, variable)] (None gradients are skipped; an IndexedSlices updates only its
        rows, through `_apply_sparse_duplicate_indices`); with `global_step`, increments it after all
        updates. Returns the train op."""
        from ..ops.state import assign_add
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if g is not None and not isinstance(g, IndexedSlices):
                try:
                    g = convert_to_tensor(g)
                except (TypeError, ValueError):
                    raise TypeError("Gradient must be convertible to a Tensor or IndexedSlices, or None: %s"
                                    % (g,)) from None
            if not _is_variable(v):
                if isinstance(v, Tensor):
                    raise NotImplementedError("Trying to update a Tensor %s" % (v,))
                raise NotImplementedError("Trying to optimize unsupported type %s" % (v,))
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError("No gradients provided for any variable: %s." % ([str(v) for _, v in converted],))
        graph = var_list[0].graph
        with graph.as_default(), control_dependencies(None):
            self._create_slots(var_list)
        update_ops = []
        with graph.as_default(), name_scope(name, self._name) as scope:
            self._hyper_cache = {}
            self._prepare()
            for grad, var in converted:
                if grad is None:
                    continue
                with name_scope("update_" + var.op.name):
                    if isinstance(grad, IndexedSlices):
                        update = self._apply_sparse_duplicate_indices(grad, var)
                    else:
                        update = self._apply_dense(grad, var)
                    update_ops.append(update.op if isinstance(update, Tensor) else update)
            if global_step is None:
                apply_updates = self._finish(update_ops, scope)
            else:
                with control_dependencies([self._finish(update_ops, "update")]):
                    apply_updates = assign_add(global_step, 1, name=scope)
            if isinstance(apply_updates, Tensor):
                apply_updates = apply_updates.op
            train_ops = graph.get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_updates not in train_ops:
                train_ops.append(apply_updates)
            return apply_updates

    def get_slot(self, var, name):
        """The slot variable `name` ('m', 'momentum', ...) created for `var`, or None."""
        named_slots = self._slots.get(name)
        if not named_slots:
            return None
        return named_slots.get(_var_key(var))

    def get_slot_names(self):
        """The sorted names of the slots this optimizer creates."""
        return sorted(self._slots)

    def variables(self):
        """The optimizer's variables (slots and others such as Adam's beta powers) in the default graph,
        sorted by name."""
        graph = get_default_graph()
        found = [v for (_, g), v in self._non_slot_dict.items() if g is graph]
        for slots in self._slots.values():
            found.extend(v for v in slots.values() if v.graph is graph)
        return sorted(found, key=lambda v: v.name)

    # --- hooks for subclasses ----------------------------------------------------------------
    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        pass

    def _apply_dense(self, grad, var):
        raise NotImplementedError()

    def _apply_sparse_duplicate_indices(self, grad, var):
        """Applies the IndexedSlices `grad` to `var` through `_apply_sparse`, after summing the slices
        that share an index (so that `_apply_sparse` sees each row once)."""
        summed, unique_indices = deduplicate_indexed_slices(grad.values, grad.indices)
        return self._apply_sparse(IndexedSlices(summed, unique_indices, grad.dense_shape), var)

    def _apply_sparse(self, grad, var):
        """Applies the IndexedSlices `grad` (distinct indices) to the rows of `var` it names."""
        raise NotImplementedError()

    def _finish(self, update_ops, name_scope):
        from ..ops.control import group
        return group(*update_ops, name=name_scope)

    # --- helpers -----------------------------------------------------------------------------
    def _assert_valid_dtypes(self, tensors):
        valid = self._valid_dtypes()
        for t in tensors:
            dtype = t.dtype.base_dtype
            if dtype not in valid:
                raise ValueError("Invalid type %r for %s, expected: %s."
                                 % (dtype, t.name, [v for v in valid]))

    def _valid_dtypes(self):
        return [d for d in (dtypes.float16, getattr(dtypes, "bfloat16", None), dtypes.float32,
                            dtypes.float64) if d is not None]

    @staticmethod
    def _call_if_callable(param):
        return param() if callable(param) and not isinstance(param, (Tensor, Operation)) else param

    def _hyper(self, name, value, dtype):
        """Hyperparameter `value` (Python number, Tensor or callable) as a scalar tensor of `dtype`.

        Numbers become constants of `dtype` directly; tensors of another dtype are cast. One tensor per
        (name, dtype) is made per apply_gradients call.
        """
        key = (name, dtype)
        tensor = self._hyper_cache.get(key)
        if tensor is None:
            value = self._call_if_callable(value)
            if _is_variable(value) or isinstance(value, Tensor):
                tensor = convert_to_tensor(value)
                if tensor.dtype is not dtype:
                    from ..ops.math import cast
                    tensor = cast(tensor, dtype, name=name)
            else:
                tensor = convert_to_tensor(value, dtype=dtype, name=name)
            self._hyper_cache[key] = tensor
        return tensor

    def _slot_dict(self, slot_name):
        return self._slots.setdefault(slot_name, {})

    def _make_slot(self, var, initial_value, slot_name, op_name):
        """Creates (once) the slot `slot_name` of `var`: a non-trainable global Variable 'var/op_name'."""
        slots = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in slots:
            from ..variables import Variable
            graph = var.graph
            with graph.as_default(), graph.name_scope(""), control_dependencies(None):
                slots[key] = Variable(initial_value, trainable=False, name=var.op.name + "/" + op_name,
                                      dtype=var.dtype, validate_shape=var.shape.is_fully_defined())
        return slots[key]

    def _zeros_slot(self, var, slot_name, op_name):
        from ..ops.array import zeros, zeros_like
        if var.shape.is_fully_defined():
            return self._make_slot(var, lambda: zeros(var.shape.as_list(), dtype=var.dtype), slot_name, op_name)
        return self._make_slot(var, lambda: zeros_like(var.initialized_value()), slot_name, op_name)

    def _filled_slot(self, var, value, slot_name, op_name):
        from ..ops.array import fill, ones_like
        if var.shape.is_fully_defined():
            return self._make_slot(var, lambda: fill(np.array(var.shape.as_list(), np.int32),
                                                             np.array(value, var.dtype.np)),
                                   slot_name, op_name)
        return self._make_slot(var, lambda: ones_like(var.initialized_value()) * value, slot_name, op_name)

    def _get_or_make_slot_with_initializer(self, var, initializer, shape, dtype, slot_name, op_name):
        return self._make_slot(var, lambda: initializer(shape.as_list(), dtype=dtype), slot_name, op_name)

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        """One variable per graph, shared by all variables (Adam's beta powers), in the current scope."""
        from ..variables import Variable
        graph = colocate_with.graph
        key = (name, graph)
        v = self._non_slot_dict.get(key)
        if v is None:
            with graph.as_default(), control_dependencies(None):
                v = Variable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name, graph=None):
        return self._non_slot_dict.get((name, graph or get_default_graph()))

    def _non_slot_variables(self):
        return list(self._non_slot_dict.values())


def sparse_apply(op_type, refs, inputs, attrs=None):
    """The fused sparse update `op_type` ('SparseApplyMomentum', ...) of a variable and its slots `refs`
    from `inputs` (TF's order: the hyperparameters with grad.values then grad.indices in grad's place)."""
    from ..ops.training_sparse import sparse_apply as build
    return build(op_type, refs, inputs, attrs=attrs)


def _flatten(values):
    if isinstance(values, (list, tuple)):
        flat = []
        for item in values:
            flat.extend(_flatten(item))
        return flat
    if isinstance(values, dict):
        return _flatten([values[k] for k in sorted(values)])
    return [values]


class GradientDescentOptimizer(Optimizer):
    """`tf.train.GradientDescentOptimizer(learning_rate)`: var -= learning_rate * grad."""

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _apply_dense(self, grad, var):
        from ..ops.training import apply_gradient_descent
        return apply_gradient_descent(var, self._hyper("learning_rate", self._learning_rate, var.dtype), grad,
                                      use_locking=self._use_locking)

    def _apply_sparse_duplicate_indices(self, grad, var):
        # scatter_sub adds up repeated indices itself: no need to sum them first.
        from ..ops.scatter_ops import scatter_sub
        step = grad.values * self._hyper("learning_rate", self._learning_rate, var.dtype)
        return scatter_sub(var, grad.indices, step, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        return self._apply_sparse_duplicate_indices(grad, var)


class MomentumOptimizer(Optimizer):
    """`tf.train.MomentumOptimizer(learning_rate, momentum, use_nesterov=False)`:
    accumulation = momentum * accumulation + grad; var -= learning_rate * accumulation."""

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum", use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _apply_dense(self, grad, var):
        from ..ops.training import apply_momentum
        return apply_momentum(var, self.get_slot(var, "momentum"),
                              self._hyper("learning_rate", self._learning_rate, var.dtype), grad,
                              self._hyper("momentum", self._momentum, var.dtype),
                              use_locking=self._use_locking, use_nesterov=self._use_nesterov)

    def _apply_sparse(self, grad, var):
        return sparse_apply("SparseApplyMomentum", [var, self.get_slot(var, "momentum")],
                            [self._hyper("learning_rate", self._learning_rate, var.dtype), grad.values,
                             grad.indices, self._hyper("momentum", self._momentum, var.dtype)],
                            attrs={"use_nesterov": bool(self._use_nesterov)})


class AdagradOptimizer(Optimizer):
    """`tf.train.AdagradOptimizer(learning_rate, initial_accumulator_value=0.1)`:
    accumulator += grad^2; var -= learning_rate * grad / sqrt(accumulator)."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False, name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: %s" % initial_accumulator_value)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, self._initial_accumulator_value, "accumulator", self._name)

    def _apply_dense(self, grad, var):
        from ..ops.training import apply_adagrad
        return apply_adagrad(var, self.get_slot(var, "accumulator"),
                             self._hyper("learning_rate", self._learning_rate, var.dtype), grad,
                             use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        return sparse_apply("SparseApplyAdagrad", [var, self.get_slot(var, "accumulator")],
                            [self._hyper("learning_rate", self._learning_rate, var.dtype), grad.values,
                             grad.indices], attrs={"update_slots": True})


class AdamOptimizer(Optimizer):
    """`tf.train.AdamOptimizer(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08)`:

    lr_t = learning_rate * sqrt(1 - beta2^t) / (1 - beta1^t); m = beta1 * m + (1 - beta1) * grad;
    v = beta2 * v + (1 - beta2) * grad^2; var -= lr_t * m / (sqrt(v) + epsilon). The powers beta1^t and
    beta2^t live in the variables 'beta1_power' and 'beta2_power', updated after all variables.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08, use_locking=False,
                 name="Adam"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self, graph=None):
        graph = graph or get_default_graph()
        return (self._get_non_slot_variable("beta1_power", graph),
                self._get_non_slot_variable("beta2_power", graph))

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda x: x.name)
        self._create_non_slot_variable(initial_value=self._call_if_callable(self._beta1), name="beta1_power",
                                       colocate_with=first_var)
        self._create_non_slot_variable(initial_value=self._call_if_callable(self._beta2), name="beta2_power",
                                       colocate_with=first_var)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _apply_dense(self, grad, var):
        from ..ops.training import apply_adam
        beta1_power, beta2_power = self._get_beta_accumulators(var.graph)
        dtype = var.dtype
        return apply_adam(var, self.get_slot(var, "m"), self.get_slot(var, "v"),
                          self._hyper("beta1_power", beta1_power, dtype),
                          self._hyper("beta2_power", beta2_power, dtype),
                          self._hyper("learning_rate", self._lr, dtype), self._hyper("beta1", self._beta1, dtype),
                          self._hyper("beta2", self._beta2, dtype), self._hyper("epsilon", self._epsilon, dtype),
                          grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        # TF1's sparse Adam: both moments decay on every row (as in the dense update), then the rows'
        # gradient terms are scattered in, and every row of var moves: the same values as the dense
        # update with zeros elsewhere (not the "lazy" variant that touches only these rows).
        from ..ops.control import group
        from ..ops.math import sqrt
        from ..ops.scatter_ops import scatter_add
        from ..ops.state import assign, assign_sub
        beta1_power, beta2_power = self._get_beta_accumulators(var.graph)
        dtype = var.dtype
        beta1, beta2 = self._hyper("beta1", self._beta1, dtype), self._hyper("beta2", self._beta2, dtype)
        lr = self._hyper("learning_rate", self._lr, dtype) * sqrt(1 - self._hyper("beta2_power", beta2_power, dtype)) \
            / (1 - self._hyper("beta1_power", beta1_power, dtype))
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_decayed = assign(m, m * beta1, use_locking=self._use_locking)
        with control_dependencies([m_decayed]):
            m_t = scatter_add(m, grad.indices, grad.values * (1 - beta1), use_locking=self._use_locking)
        v_decayed = assign(v, v * beta2, use_locking=self._use_locking)
        with control_dependencies([v_decayed]):
            v_t = scatter_add(v, grad.indices, (grad.values * grad.values) * (1 - beta2),
                              use_locking=self._use_locking)
        var_update = assign_sub(var, lr * m_t / (sqrt(v_t) + self._hyper("epsilon", self._epsilon, dtype)),
                                use_locking=self._use_locking)
        return group(var_update, m_t, v_t)

    def _finish(self, update_ops, name_scope):
        from ..ops.control import group
        from ..ops.state import assign
        with control_dependencies(update_ops):
            beta1_power, beta2_power = self._get_beta_accumulators()
            update_beta1 = assign(beta1_power, beta1_power * self._hyper("beta1", self._beta1, beta1_power.dtype))
            update_beta2 = assign(beta2_power, beta2_power * self._hyper("beta2", self._beta2, beta2_power.dtype))
        return group(*update_ops + [update_beta1, update_beta2], name=name_scope)


class RMSPropOptimizer(Optimizer):
    """`tf.train.RMSPropOptimizer(learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, centered=False)`:

    rms = decay * rms + (1 - decay) * grad^2 (rms starts at ones, as in TF1);
    mom = momentum * mom + learning_rate * grad / sqrt(rms + epsilon); var -= mom. Centered: the
    denominator is sqrt(rms - mg^2 + epsilon) with mg the moving mean of the gradient.
    """

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False, centered=False,
                 name="RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, 1.0, "rms", self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _apply_dense(self, grad, var):
        from ..ops.training import apply_centered_rms_prop, apply_rms_prop
        dtype = var.dtype
        hypers = [self._hyper("learning_rate", self._learning_rate, dtype),
                  self._hyper("decay", self._decay, dtype), self._hyper("momentum", self._momentum, dtype),
                  self._hyper("epsilon", self._epsilon, dtype), grad]
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return apply_centered_rms_prop(var, self.get_slot(var, "mg"), rms, mom, *hypers,
                                           use_locking=self._use_locking)
        return apply_rms_prop(var, rms, mom, *hypers, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        dtype = var.dtype
        inputs = [self._hyper("learning_rate", self._learning_rate, dtype), self._hyper("decay", self._decay, dtype),
                  self._hyper("momentum", self._momentum, dtype), self._hyper("epsilon", self._epsilon, dtype),
                  grad.values, grad.indices]
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return sparse_apply("SparseApplyCenteredRMSProp", [var, self.get_slot(var, "mg"), rms, mom], inputs)
        return sparse_apply("SparseApplyRMSProp", [var, rms, mom], inputs)


class AdadeltaOptimizer(Optimizer):
    """`tf.train.AdadeltaOptimizer(learning_rate=0.001, rho=0.95, epsilon=1e-08)`:

    accum = rho * accum + (1 - rho) * grad^2; update = sqrt(accum_update + epsilon) / sqrt(accum + epsilon)
    * grad; accum_update = rho * accum_update + (1 - rho) * update^2; var -= learning_rate * update.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-08, use_locking=False, name="Adadelta"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _apply_dense(self, grad, var):
        from ..ops.training import apply_adadelta
        dtype = var.dtype
        return apply_adadelta(var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update"),
                              self._hyper("lr", self._lr, dtype), self._hyper("rho", self._rho, dtype),
                              self._hyper("epsilon", self._epsilon, dtype), grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        dtype = var.dtype
        slots = [var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update")]
        return sparse_apply("SparseApplyAdadelta", slots,
                            [self._hyper("lr", self._lr, dtype), self._hyper("rho", self._rho, dtype),
                             self._hyper("epsilon", self._epsilon, dtype), grad.values, grad.indices])
