"""Placement: the device each op of a plan runs on, decided once when a Session compiles the plan.

numflow's devices are the host, `/job:localhost/replica:0/task:0/device:CPU:0`, and the GPUs of its array
backends (`numflow.backend`: CuPy, or the guarded test device), GPU:0, GPU:1, ... in the order of the
Session's `gpu_options.visible_device_list`. As TF's placer:
  * an op without a device scope goes to GPU:0 when there is a GPU and the op has a device kernel (not
    `host_only`, no string/resource/variant values), except integer bookkeeping whose inputs are all
    on the host already (shape arithmetic stays there, as TF keeps int32 in host memory); ops that
    write a variable go where the variable is;
  * an explicit device that does not exist here ('/gpu:3', '/cpu:1'), or a GPU for an op without a GPU
    kernel: with `allow_soft_placement=True` the op runs on the host, else InvalidArgumentError "Cannot
    assign a device for operation ...";
  * a job, replica or task other than this process's (`/job:ps`, `/task:1`): always that error, as a local
    TF Session gives; distributed training runs through `numflow.horovod` instead.
With `log_device_placement=True` each op's placement is printed once per compiled plan, in TF's format
"name: (Type): /job:localhost/replica:0/task:0/device:CPU:0". A Session with no GPU, whose graph has no
device scopes and that does not log skips all of this (`Session._prepare`): its plans run on the host.
"""
import sys

from .. import backend as backends
from ..framework import errors
from ..framework.device_spec import DeviceSpec
from ..platform import tf_logging
from .config import config_field
from .plan import VARIABLE_OPS, prune

LOCAL_DEVICE = backends.HOST.name
_NON_NUMERIC = ("string", "resource", "variant")


def session_gpus(config):
    """The GPU backends a Session with `config` uses: at most `device_count['GPU']` of them, renumbered by
    `gpu_options.visible_device_list` ('1,0' makes physical GPU 1 the Session's GPU:0, as TF does)."""
    found = backends.gpu_backends()
    if not found:
        return []
    limit = (config_field(config, "device_count", None) or {}).get("GPU")
    if limit is not None:          # ConfigProto(device_count={'GPU': 0}) hides the GPUs, as in TF
        found = found[:max(int(limit), 0)]
    gpu_options = config_field(config, "gpu_options", None)
    visible = config_field(gpu_options, "visible_device_list", "") if gpu_options is not None else ""
    if not visible:
        return list(found)
    chosen = []
    for position, item in enumerate(str(visible).split(",")):
        try:
            physical = int(item)
        except ValueError:
            physical = -1
        if not 0 <= physical < len(found):
            raise errors.InvalidArgumentError(
                None, None, "'visible_device_list' listed an invalid GPU id '%s' but visible device count is %d"
                % (item.strip(), len(found)))
        chosen.append(found[physical].renumbered(position))
    return chosen


def inner_placement(ctx, fetch_tensors, target_ops, feed_tensors, prefer_host=False):
    """(placement, values_on) for a plan that an op's kernel runs inside its Session (a cond branch, a
    loop body, a tf.data function), so that its variables are read where they live: (None, None) when
    the Session has no GPU. `ctx` is the kernel's context; its device is where the fed values arrive and
    the fetched ones go."""
    gpus = getattr(ctx, "gpus", None)
    if not gpus:
        return None, None
    device = getattr(ctx, "backend", backends.HOST)
    if device is not backends.HOST:
        gpus = [device] + [gpu for gpu in gpus if gpu is not device]
    policy = PlacementPolicy(allow_soft_placement=True, gpus=gpus, prefer_host=prefer_host)
    return policy.place(fetch_tensors, target_ops, feed_tensors, feeds_on_host=device is backends.HOST), device


def runs_on_device(op):
    """Whether `op` has a device (GPU) kernel: numeric values only and not declared host-only."""
    if op._op_def.host_only:
        return False
    for tensor in op._inputs:
        if tensor.dtype.name in _NON_NUMERIC:
            return False
    for tensor in op._outputs:
        if tensor.dtype.name in _NON_NUMERIC:
            return False
    return True


def reads_only_shapes(op):
    """Shape, Size, Rank...: computed from a value's metadata wherever the value is; results on the host."""
    return op._op_def.shape_only and all(t.dtype.is_integer for t in op._outputs)


class PlacementPolicy:
    """A Session's placement settings (from its ConfigProto or dict config) and its GPUs."""

    __slots__ = ("allow_soft_placement", "log_device_placement", "gpus", "prefer_host", "_mapping_logged")

    def __init__(self, allow_soft_placement=False, log_device_placement=False, gpus=(), prefer_host=False):
        self.allow_soft_placement = bool(allow_soft_placement)
        self.log_device_placement = bool(log_device_placement)
        self.gpus = list(gpus)
        # Unplaced ops stay on the host unless they read or write a variable (tf.data functions).
        self.prefer_host = prefer_host
        self._mapping_logged = False

    @classmethod
    def from_config(cls, config):
        return cls(config_field(config, "allow_soft_placement", False),
                   config_field(config, "log_device_placement", False), session_gpus(config))

    def needed_for(self, graph):
        """Whether plans of `graph` need placing: with a GPU, when logging, or when an op asked for a device."""
        return bool(self.gpus) or self.log_device_placement or graph._has_devices

    def devices(self):
        """The backends of this Session: the host, then its GPUs."""
        return [backends.HOST] + self.gpus

    def place(self, fetch_tensors, target_ops, feed_tensors, feeds_on_host=True):
        """The device (an ArrayBackend) of every op a plan runs, logged when asked; {op: backend}.
        `feeds_on_host`: False for the body of a loop placed on a device, whose fed values are there."""
        fed = set(feed_tensors)
        ops = sorted(prune(fetch_tensors, target_ops, fed), key=lambda op: op._id)   # ids are topological
        placed = {}              # also holds the variables that ops write (their values' device)
        on_host = set(fed) if feeds_on_host else set()     # tensors whose values are host arrays
        for op in ops:
            device = self._device_for(op, placed, on_host)
            placed[op] = device
            # Feeds and literals are host values (a plan copies them to a device where needed).
            if device is backends.HOST or reads_only_shapes(op) or op._op_def.type in ("Placeholder", "Const"):
                on_host.update(op._outputs)
        if self.log_device_placement:
            if not self._mapping_logged:
                self._mapping_logged = True
                tf_logging.info("Device mapping:%s" % ("".join(
                    "\n/job:localhost/replica:0/task:0/device:GPU:%d -> device: %d, name: %s"
                    % (gpu.index, getattr(gpu, "physical_id", gpu.index), gpu.description) for gpu in self.gpus)
                    if self.gpus else " no known devices."))
            lines = ["%s: (%s): %s" % (op.name, op.type, placed[op].name) for op in ops]
            sys.stdout.write("".join(line + "\n" for line in lines))
            sys.stdout.flush()
            for line in lines:
                tf_logging.info(line)
        return placed

    def device_for(self, op):
        """The full name of the device `op` runs on, or InvalidArgumentError when it cannot run here."""
        return self._device_for(op, {}, set()).name

    def _device_for(self, op, placed, on_host):
        ref_inputs = op._op_def.ref_inputs
        requested = op._device
        capable = bool(self.gpus) and runs_on_device(op)
        if ref_inputs and self.gpus:      # a variable's update runs where the variable lives (when it can)
            variable_op = op._inputs[ref_inputs[0]]._op
            owner = placed.get(variable_op)
            if owner is None:
                try:
                    owner = self._device_for(variable_op, placed, on_host)
                except errors.InvalidArgumentError:     # reported where the variable itself is run
                    owner = backends.HOST
                placed[variable_op] = owner
            for index in ref_inputs[1:len(op._inputs)]:      # slots (Adam's m and v) are kept with their variable
                placed.setdefault(op._inputs[index]._op, owner)
            return owner if capable else backends.HOST
        if not requested:
            if not capable or (self.prefer_host and op._op_def.type not in VARIABLE_OPS):
                return backends.HOST
            data = [t for i, t in enumerate(op._inputs) if i not in ref_inputs]
            if data and all(t in on_host and (t.dtype.is_integer or t.dtype.is_bool) for t in data):
                return backends.HOST
            return self.gpus[0]
        spec = DeviceSpec.from_string(requested)
        here = (spec.job in (None, "localhost") and spec.replica in (None, 0) and spec.task in (None, 0))
        if here:
            if spec.device_type in (None, "CPU") and spec.device_index in (None, 0):
                return backends.HOST
            if spec.device_type == "GPU" and (spec.device_index or 0) < len(self.gpus):
                if capable:
                    return self.gpus[spec.device_index or 0]
                if self.allow_soft_placement:
                    return backends.HOST
                raise errors.InvalidArgumentError(
                    None, op, "Cannot assign a device for operation %s: Could not satisfy explicit device "
                    "specification '%s' because no supported kernel for GPU devices is available."
                    % (op.name, requested))
            if self.allow_soft_placement:
                return backends.HOST
        raise errors.InvalidArgumentError(
            None, op, "Cannot assign a device for operation %s: node %s was explicitly assigned to %s but "
            "available devices are [ %s ]. Make sure the device specification refers to a valid device.%s"
            % (op.name, op.name, requested, ", ".join(d.name for d in self.devices()),
               "" if here else " (numflow runs one process; for training on several, use numflow.horovod)"))
