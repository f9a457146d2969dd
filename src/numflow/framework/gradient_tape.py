"""`tf.GradientTape` in graph mode: reverse-mode gradients of only the ops built while the tape recorded.

numflow has one mode, graph building, so a tape does not record values: it remembers which ops of its
graph were created while it was active (and not inside `stop_recording()`), and `gradient()` builds
tf.gradients ops restricted to those ops. As in TF 1.15 / TF 2 graph mode:

- a tensor computed before the tape (or while it was paused) is a constant to it, even when it depends on
  a watched tensor: its gradient path is cut;
- only tensors that were watched, and tensors recorded ops computed from them, can be differentiated;
  any other source gets None (or zeros with `UnconnectedGradients.ZERO`);
- trainable variables that recorded ops read are watched automatically (`watch_accessed_variables`).
"""
import contextlib

from ..gradients import UnconnectedGradients, _unconnected_kind, gradients
from .graph import GraphKeys, Tensor, convert_to_tensor, get_default_graph, name_scope
from .nest import flatten, pack_sequence_as

__all__ = ["GradientTape"]

_NON_PERSISTENT_MESSAGE = ("A non-persistent GradientTape can only be used to compute one set of gradients "
                           "(or jacobians)")


def _is_variable(value):
    return hasattr(value, "_as_tensor") and hasattr(value, "initializer")


def _as_source_tensor(value):
    if _is_variable(value):
        return value._as_tensor()
    if isinstance(value, Tensor):
        return value
    raise ValueError("Passed in object %s of type %r, not tf.Tensor or tf.Variable or ExtensionType."
                     % (value, type(value).__name__))


class GradientTape:
    """`tf.GradientTape(persistent=False, watch_accessed_variables=True)`: records the ops built inside
    its `with` block so that `gradient(target, sources)` differentiates through them.

    In numflow (graph mode only) `gradient()` returns symbolic Tensors, evaluated with `Session.run`, as
    TF does with eager execution disabled. A non-persistent tape allows one `gradient()` / `jacobian()`
    call; `persistent=True` allows any number.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._graph = None
        self._recorded_spans = []      # [start, end) op ids of the graph recorded so far
        self._span_start = None        # op id where the current recording began, None when paused
        self._watched = []             # tensors watched with watch(), in order
        self._watched_variables = []   # variables watched with watch()
        self._used = False
        self._recording = False

    # --- recording ---------------------------------------------------------------------------------
    def __enter__(self):
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter an "
                             "already-active tape.")
        self._graph = self._graph or get_default_graph()
        self._start_recording()
        return self

    def __exit__(self, *exc_info):
        if self._recording:
            self._stop_recording()
        return False

    def _start_recording(self):
        if get_default_graph() is not self._graph:
            raise ValueError("A GradientTape records the ops of one graph; it was first used with another")
        self._recording = True
        self._span_start = len(self._graph._ops)

    def _stop_recording(self):
        self._recorded_spans.append((self._span_start, len(self._graph._ops)))
        self._span_start = None
        self._recording = False

    @contextlib.contextmanager
    def stop_recording(self):
        """`with tape.stop_recording():` ops built inside are not recorded (constants to this tape)."""
        if not self._recording:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        self._stop_recording()
        try:
            yield
        finally:
            self._start_recording()

    def reset(self):
        """`tape.reset()`: forgets everything recorded and watched so far; recording goes on when the tape
        is active."""
        recording = self._recording
        if recording:
            self._stop_recording()
        self._recorded_spans = []
        self._watched = []
        self._watched_variables = []
        self._used = False
        if recording:
            self._start_recording()

    def watch(self, tensor):
        """`tape.watch(tensor)`: differentiate with respect to `tensor` (a Tensor, a Variable, or a nest
        of them). Integer and other non-floating tensors are ignored, as in TF."""
        for item in flatten(tensor):
            source = _as_source_tensor(item)
            if self._graph is None:
                self._graph = source.graph
            if not (source.dtype.is_floating or source.dtype.is_complex):
                continue
            if _is_variable(item):
                if not any(item is v for v in self._watched_variables):
                    self._watched_variables.append(item)
            if source not in self._watched:
                self._watched.append(source)

    # --- what the tape saw --------------------------------------------------------------------------
    def _recorded_ops(self):
        if self._graph is None:
            return []
        spans = list(self._recorded_spans)
        if self._recording:
            spans.append((self._span_start, len(self._graph._ops)))
        return [op for start, end in spans for op in self._graph._ops[start:end]]

    def _graph_variables(self):
        if self._graph is None:
            return []
        seen, found = set(), []
        for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES):
            for variable in self._graph.get_collection(key):
                if _is_variable(variable) and id(variable) not in seen:
                    seen.add(id(variable))
                    found.append(variable)
        return found

    def _accessed_variables(self, recorded):
        """Trainable variables that some recorded op reads."""
        read = set()
        for op in recorded:
            read.update(op._inputs)
            read.update(op._attrs.get("implicit_inputs", ()))
        return [v for v in self._graph_variables() if v.trainable and v._as_tensor() in read]

    def watched_variables(self):
        """`tape.watched_variables()`: the variables watched explicitly or read inside the tape (those that
        are trainable, with `watch_accessed_variables=True`), in the order first seen."""
        variables = list(self._watched_variables)
        if self._watch_accessed_variables:
            for variable in self._accessed_variables(self._recorded_ops()):
                if not any(variable is v for v in variables):
                    variables.append(variable)
        return tuple(variables)

    def _taped_tensors(self, recorded):
        """Tensors the tape can differentiate: the watched ones and every output of a recorded op that has
        a taped input (in creation order, so one pass suffices)."""
        taped = set(self._watched)
        if self._watch_accessed_variables:
            taped.update(v._as_tensor() for v in self._accessed_variables(recorded))
        for op in recorded:
            inputs = list(op._inputs) + list(op._attrs.get("implicit_inputs", ()))
            if any(t in taped for t in inputs):
                taped.update(op._outputs)
        return taped

    # --- differentiation -----------------------------------------------------------------------------
    def _check_usable(self):
        if self._used and not self._persistent:
            raise RuntimeError(_NON_PERSISTENT_MESSAGE)
        self._used = True

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """`tape.gradient(target, sources, output_gradients=None, unconnected_gradients=NONE)`: the
        gradient of (the sum of) `target` with respect to each source, in the nest shape of `sources`.

        `target` and `sources` may be nests of Tensors (sources also of Variables); `output_gradients`
        weights each target as tf.gradients' `grad_ys`. A source the recorded ops do not connect to any
        target gives None, or zeros with `unconnected_gradients=tf.UnconnectedGradients.ZERO`.
        """
        self._check_usable()
        kind = _unconnected_kind(unconnected_gradients)
        targets = [convert_to_tensor(t) for t in flatten(target)]
        source_tensors = [_as_source_tensor(s) for s in flatten(sources)]
        grad_ys = None
        if output_gradients is not None:
            grad_ys = [None if g is None else convert_to_tensor(g) for g in flatten(output_gradients)]
        results = self._gradients(targets, source_tensors, grad_ys, kind)
        return pack_sequence_as(sources, results)

    def _gradients(self, targets, sources, grad_ys, kind, name="gradient_tape"):
        recorded = self._recorded_ops()
        recorded_set = set(recorded)
        taped = self._taped_tensors(recorded)
        # The gradient path is cut at every tensor a recorded op takes from outside the recording.
        frontier = set()
        for op in recorded:
            for tensor in list(op._inputs) + list(op._attrs.get("implicit_inputs", ())):
                if tensor.op not in recorded_set:
                    frontier.add(tensor)
        connected = [s for s in sources if s in taped]
        grads = {}
        if connected and targets:
            with name_scope(name):
                computed = gradients(targets, connected, grad_ys=grad_ys, stop_gradients=list(frontier))
            grads = dict(zip(connected, computed))
        results = [grads.get(s) for s in sources]
        if kind is UnconnectedGradients.ZERO:
            from ..ops.array import zeros_like
            results = [zeros_like(s) if g is None else g for s, g in zip(sources, results)]
        return results

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """`tape.jacobian(target, sources)`: for each source, d target[i...] / d source[j...] with shape
        `target.shape + source.shape`.

        numflow builds one gradient per element of `target`, so the target's shape must be fully known
        when the graph is built (TF also handles unknown shapes with a while loop)."""
        self._check_usable()
        kind = _unconnected_kind(unconnected_gradients)
        target = convert_to_tensor(target)
        source_list = [_as_source_tensor(s) for s in flatten(sources)]
        count = self._static_element_count(target, "jacobian", target.shape)
        rows = self._gradient_rows(target, source_list, count, target.shape.as_list(), kind)
        results = []
        from ..ops.array import reshape, stack
        for source, row in zip(source_list, rows):
            if row is None:
                results.append(None)
                continue
            shape = target.shape.as_list() + source.shape.as_list()
            results.append(reshape(stack(row), [-1 if d is None else d for d in shape]))
        return pack_sequence_as(sources, results)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """`tape.batch_jacobian(target, source)`: per example b, d target[b, i...] / d source[b, j...],
        shape `[batch] + target.shape[1:] + source.shape[1:]`, assuming (as TF) that example b of target
        depends only on example b of source. numflow needs `target.shape[1:]` fully known."""
        self._check_usable()
        kind = _unconnected_kind(unconnected_gradients)
        target = convert_to_tensor(target)
        source = _as_source_tensor(source)
        if target.shape.ndims is None or target.shape.ndims < 1:
            raise ValueError("batch_jacobian needs a target of rank >= 1 (the batch axis), got shape %s"
                             % target.shape)
        inner = target.shape[1:]
        count = self._static_element_count(target, "batch_jacobian", inner)
        from ..ops.array import reshape, stack
        from ..ops.array import shape as shape_of
        batch = shape_of(target)[0:1]
        rows = self._gradient_rows(target, [source], count, [1] + inner.as_list(), kind)[0]
        if rows is None:
            return None
        # The one-hot weights broadcast over the batch: row i holds, per example, d target[b, i] / d source[b].
        stacked = stack(rows, axis=1)
        from ..ops.array import concat
        shape = concat([batch, inner.as_list(),
                        [-1 if d is None else d for d in source.shape.as_list()[1:]]], 0)
        return reshape(stacked, shape)

    @staticmethod
    def _static_element_count(target, what, shape):
        if not shape.is_fully_defined():
            raise ValueError("numflow's GradientTape.%s needs the target's shape known when the graph is "
                             "built, got %s (%s)" % (what, target.shape, target.name))
        return int(shape.num_elements())

    def _gradient_rows(self, target, sources, count, weight_shape, kind):
        """For each source the list of gradients of target weighted by each one-hot of `count` elements
        (reshaped to `weight_shape`, which broadcasts over target)."""
        from ..ops.array import one_hot, reshape
        from ..ops.math import multiply
        from ..ops.array import ones_like
        rows = [[] for _ in sources]
        with name_scope("jacobian"):
            for index in range(count):
                weight = reshape(one_hot(index, count, dtype=target.dtype), weight_shape)
                grad_y = multiply(ones_like(target), weight)
                for row, grad in zip(rows, self._gradients([target], sources, [grad_y], kind,
                                                           name="row_%d" % index)):
                    row.append(grad)
        return [None if any(g is None for g in row) or not row else row for row in rows]
