"""`tf.data.Options` and its parts: value classes a pipeline carries with `Dataset.with_options`.

numflow runs a pipeline as chunked NumPy on the calling thread, so none of these knobs changes what it
computes; they are still checked (type of each value, no unknown attributes) and merged as TF merges them,
so that a script setting them builds and `dataset.options()` reports what it set.
"""
import enum

AUTOTUNE = -1
SHARD_HINT = -1


class AutoShardPolicy(enum.IntEnum):
    """How a distributed input pipeline is sharded: OFF, AUTO, FILE, DATA, HINT."""
    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class ExternalStatePolicy(enum.Enum):
    """What serializing a dataset that reads external state does: WARN, IGNORE or FAIL."""
    WARN = 0
    IGNORE = 1
    FAIL = 2


class AutotuneAlgorithm(enum.Enum):
    """The algorithm tf.data's autotuner uses to pick parallelism and buffer sizes."""
    DEFAULT = 0
    HILL_CLIMB = 1
    GRADIENT_DESCENT = 2
    MAX_PARALLELISM = 3
    STAGE_BASED = 4


class _OptionsBase:
    """Attributes declared in `_FIELDS` as name -> (type, default); anything else is refused."""

    _FIELDS = {}

    def __init__(self):
        object.__setattr__(self, "_values", {})

    def __getattr__(self, name):
        fields = type(self)._FIELDS
        if name in fields:
            value = self._values.get(name)
            if value is None and isinstance(fields[name][0], type) and issubclass(fields[name][0], _OptionsBase):
                # Nested option groups exist on first read, as TF's do.
                value = self._values[name] = fields[name][0]()
            return fields[name][1] if value is None else value
        raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))

    def __setattr__(self, name, value):
        fields = type(self)._FIELDS
        if name not in fields:
            raise AttributeError("Cannot set the property %s on %s." % (name, type(self).__name__))
        kind = fields[name][0]
        if value is not None and not isinstance(value, kind):
            raise TypeError("Property \"%s\" must be of type %s, got: %r (type: %s)"
                            % (name, kind, value, type(value)))
        self._values[name] = value

    def __eq__(self, other):
        return type(self) is type(other) and self._set_values() == other._set_values()

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def _set_values(self):
        return {k: v for k, v in self._values.items()
                if v is not None and not (isinstance(v, _OptionsBase) and not v._set_values())}

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__,
                           ", ".join("%s=%r" % kv for kv in sorted(self._set_values().items())))

    def merge(self, options):
        """A new object with the values set in either; a value set differently in both is a ValueError."""
        if type(options) is not type(self):
            raise TypeError("Cannot merge %s with %s" % (type(self).__name__, type(options).__name__))
        merged = type(self)()
        for name in type(self)._FIELDS:
            mine, theirs = self._values.get(name), options._values.get(name)
            if isinstance(mine, _OptionsBase) and isinstance(theirs, _OptionsBase):
                value = mine.merge(theirs)
            elif mine is not None and theirs is not None and mine != theirs:
                raise ValueError("Cannot merge incompatible values (%r and %r) of option: %s"
                                 % (mine, theirs, name))
            else:
                value = theirs if mine is None else mine
            merged._values[name] = value
        return merged


class DistributeOptions(_OptionsBase):
    """`tf.data.experimental.DistributeOptions`: how a distributed pipeline is sharded."""
    _FIELDS = {"auto_shard_policy": (AutoShardPolicy, AutoShardPolicy.AUTO), "num_devices": (int, None)}


class OptimizationOptions(_OptionsBase):
    """`tf.data.experimental.OptimizationOptions`: which static graph rewrites tf.data may apply."""
    _FIELDS = {name: (bool, None) for name in (
        "apply_default_optimizations", "filter_fusion", "filter_parallelization", "inject_prefetch",
        "map_and_batch_fusion", "map_and_filter_fusion", "map_fusion", "map_parallelization",
        "noop_elimination", "parallel_batch", "shuffle_and_repeat_fusion", "hoist_random_uniform",
        "map_vectorization", "autotune", "autotune_buffers")}
    _FIELDS.update({"autotune_cpu_budget": (int, None), "autotune_ram_budget": (int, None)})


class ThreadingOptions(_OptionsBase):
    """`tf.data.ThreadingOptions`: the thread pool a pipeline would run on."""
    _FIELDS = {"max_intra_op_parallelism": (int, None), "private_threadpool_size": (int, None)}


class AutotuneOptions(_OptionsBase):
    """`tf.data.experimental.AutotuneOptions`: the autotuner's switches and budgets."""
    _FIELDS = {"enabled": (bool, None), "cpu_budget": (int, None), "ram_budget": (int, None),
               "autotune_algorithm": (AutotuneAlgorithm, None), "initial_parallelism": (int, None),
               "min_parallelism": (int, None)}


class StatsOptions(_OptionsBase):
    """`tf.data.experimental.StatsOptions` (TF 1.15): statistics collection switches."""
    _FIELDS = {"aggregator": (object, None), "counter_prefix": (str, None), "prefix": (str, None),
               "latency_all_edges": (bool, None)}


class Options(_OptionsBase):
    """`tf.data.Options()`: the options of a pipeline, set with `dataset.with_options(options)`."""
    _FIELDS = {"experimental_deterministic": (bool, None), "deterministic": (bool, None),
               "experimental_distribute": (DistributeOptions, None),
               "experimental_optimization": (OptimizationOptions, None),
               "experimental_threading": (ThreadingOptions, None), "threading": (ThreadingOptions, None),
               "experimental_stats": (StatsOptions, None), "autotune": (AutotuneOptions, None),
               "experimental_slack": (bool, None),
               "experimental_external_state_policy": (ExternalStatePolicy, None)}
