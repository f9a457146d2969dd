"""The Session configuration protos: `tf.ConfigProto`, `tf.GPUOptions`, `tf.GraphOptions`,
`tf.OptimizerOptions`, `tf.RunOptions`, `tf.RunMetadata`.

ConfigProto and its sub-messages are messages with TF's field names and numbers (config.proto), so
`config.gpu_options.allow_growth = True` and `SerializeToString` behave as in TF, and a misspelt field is
an error rather than a setting silently ignored. What numflow does with them: `allow_soft_placement` and
`log_device_placement` drive placement (`client/placement.py`); the thread counts are read by the
Session's thread pools; the GPU options are accepted and validated, as a GPU-less TensorFlow does.
"""
from ..io.proto import Message

__all__ = ["ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions", "RunOptions", "RunMetadata"]


class _ProtoMessage(Message):
    """A Message whose constructor rejects unknown fields in protobuf's words."""

    def __init__(self, **fields):
        for name in fields:
            if name not in type(self).FIELDS and name not in type(self)._EXTRA_FIELDS:
                raise ValueError('Protocol message %s has no "%s" field.' % (type(self).__name__, name))
        super().__init__(**fields)

    _EXTRA_FIELDS = ()


class GPUOptions(_ProtoMessage):
    """`tf.GPUOptions(per_process_gpu_memory_fraction, allow_growth, visible_device_list, ...)`: how a
    Session would use GPUs. numflow computes on the CPU, so these are recorded and otherwise inert."""

    class Experimental(Message):
        FIELDS = {"use_unified_memory": (2, "bool", False), "num_dev_to_dev_copy_streams": (3, "int32", False)}

    FIELDS = {"per_process_gpu_memory_fraction": (1, "double", False), "allocator_type": (2, "string", False),
              "deferred_deletion_bytes": (3, "int64", False), "allow_growth": (4, "bool", False),
              "visible_device_list": (5, "string", False), "polling_active_delay_usecs": (6, "int32", False),
              "polling_inactive_delay_msecs": (7, "int32", False), "force_gpu_compatible": (8, "bool", False),
              "experimental": (9, "message", False, Experimental)}


class OptimizerOptions(_ProtoMessage):
    """`tf.OptimizerOptions(...)`: graph optimisation switches (numflow's own are `NUMFLOW_REWRITES`)."""

    L1, L0 = 0, -1          # Level
    DEFAULT, OFF, ON_1, ON_2 = 0, -1, 1, 2   # GlobalJitLevel
    FIELDS = {"do_common_subexpression_elimination": (1, "bool", False), "do_constant_folding": (2, "bool", False),
              "opt_level": (3, "enum", False), "do_function_inlining": (4, "bool", False),
              "global_jit_level": (5, "enum", False), "max_folded_constant_in_bytes": (6, "int64", False)}


class GraphOptions(_ProtoMessage):
    """`tf.GraphOptions(...)`: graph-level options of a ConfigProto."""

    FIELDS = {"enable_recv_scheduling": (2, "bool", False),
              "optimizer_options": (3, "message", False, OptimizerOptions),
              "build_cost_model": (4, "int64", False), "infer_shapes": (5, "bool", False),
              "place_pruned_graph": (6, "bool", False), "enable_bfloat16_sendrecv": (7, "bool", False),
              "timeline_step": (8, "int32", False), "build_cost_model_after": (9, "int64", False)}


class ConfigProto(_ProtoMessage):
    """`tf.ConfigProto(...)`: a Session's configuration. numflow honours `allow_soft_placement`,
    `log_device_placement` (each op's device printed once per compiled plan, in TF's format),
    `intra_op_parallelism_threads` / `inter_op_parallelism_threads`, and `device_count` (a dict, e.g.
    {'GPU': 0}); `gpu_options` are accepted for the scripts that set them."""

    FIELDS = {"intra_op_parallelism_threads": (2, "int32", False), "placement_period": (3, "int32", False),
              "device_filters": (4, "string", True), "inter_op_parallelism_threads": (5, "int32", False),
              "gpu_options": (6, "message", False, GPUOptions), "allow_soft_placement": (7, "bool", False),
              "log_device_placement": (8, "bool", False), "use_per_session_threads": (9, "bool", False),
              "graph_options": (10, "message", False, GraphOptions),
              "operation_timeout_in_ms": (11, "int64", False), "isolate_session_state": (15, "bool", False)}
    # A protobuf map field: kept as a dict, not serialised.
    _EXTRA_FIELDS = ("device_count",)

    def __init__(self, device_count=None, **fields):
        super().__init__(**fields)
        object.__setattr__(self, "device_count", dict(device_count or {}))


class _Options:
    """Keyword fields kept as attributes (the run-level protos, which hooks merge field by field)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join("%s=%r" % kv for kv in sorted(self.__dict__.items())))


class RunOptions(_Options):
    """`tf.RunOptions(...)`: accepted by `Session.run(options=...)`."""

    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3


class RunMetadata(_Options):
    """`tf.RunMetadata()`: accepted by `Session.run(run_metadata=...)`; numflow records nothing in it."""


def config_field(config, name, default=None):
    """`name` of a Session's `config`: a ConfigProto, a dict of numflow options, or None."""
    if config is None:
        return default
    if isinstance(config, dict):
        return config.get(name, default)
    return getattr(config, name, default)
