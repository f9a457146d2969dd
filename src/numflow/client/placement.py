"""Placement: the device each op of a plan runs on, decided once when a Session compiles the plan.

numflow has one device, `/job:localhost/replica:0/task:0/device:CPU:0`. An op whose requested device
(`op.device`, the merged `tf.device` scopes) cannot be that one is handled as TF's placer does:
  * a device type or index that does not exist here ('/gpu:0', '/cpu:3'): with
    `allow_soft_placement=True` the op runs on the CPU, else InvalidArgumentError "Cannot assign a device
    for operation ...";
  * a job, replica or task other than this process's (`/job:ps`, `/task:1`): always that error, as a local
    TF Session gives; distributed training runs through `numflow.horovod` instead.
With `log_device_placement=True` each op's placement is printed once per compiled plan, in TF's format
"name: (Type): /job:localhost/replica:0/task:0/device:CPU:0". A Session whose graph has no device scopes
and that does not log skips all of this (`Session._prepare`).
"""
import sys

from ..framework import errors
from ..framework.device_spec import DeviceSpec
from ..platform import tf_logging
from .config import config_field
from .plan import prune

LOCAL_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
_LOCAL_DEVICES = "[ %s ]" % LOCAL_DEVICE


class PlacementPolicy:
    """A Session's placement settings (from its ConfigProto or dict config)."""

    __slots__ = ("allow_soft_placement", "log_device_placement", "_mapping_logged")

    def __init__(self, allow_soft_placement=False, log_device_placement=False):
        self.allow_soft_placement = bool(allow_soft_placement)
        self.log_device_placement = bool(log_device_placement)
        self._mapping_logged = False

    @classmethod
    def from_config(cls, config):
        return cls(config_field(config, "allow_soft_placement", False),
                   config_field(config, "log_device_placement", False))

    def needed_for(self, graph):
        """Whether plans of `graph` need placing: only when logging or when some op asked for a device."""
        return self.log_device_placement or graph._has_devices

    def place(self, fetch_tensors, target_ops, feed_tensors):
        """Checks (and logs) the placement of every op a plan runs; returns {op: device string}."""
        ops = sorted(prune(fetch_tensors, target_ops, set(feed_tensors)), key=lambda op: op._id)
        placed = {op: self.device_for(op) for op in ops}
        if self.log_device_placement:
            if not self._mapping_logged:
                self._mapping_logged = True
                tf_logging.info("Device mapping: no known devices.")
            lines = ["%s: (%s): %s" % (op.name, op.type, device) for op, device in placed.items()]
            sys.stdout.write("".join(line + "\n" for line in lines))
            sys.stdout.flush()
            for line in lines:
                tf_logging.info(line)
        return placed

    def device_for(self, op):
        """The full name of the device `op` runs on, or InvalidArgumentError when it cannot run here."""
        requested = op._device
        if not requested:
            return LOCAL_DEVICE
        spec = DeviceSpec.from_string(requested)
        here = (spec.job in (None, "localhost") and spec.replica in (None, 0) and spec.task in (None, 0))
        device_exists = spec.device_type in (None, "CPU") and spec.device_index in (None, 0)
        if here and (device_exists or self.allow_soft_placement):
            return LOCAL_DEVICE
        raise errors.InvalidArgumentError(
            None, op, "Cannot assign a device for operation %s: node %s was explicitly assigned to %s but "
            "available devices are %s. Make sure the device specification refers to a valid device.%s"
            % (op.name, op.name, requested, _LOCAL_DEVICES,
               "" if here else " (numflow runs one process; for training on several, use numflow.horovod)"))
