"""`tf.DeviceSpec` and the rules by which nested `tf.device` scopes combine into one op's device.

A device string names up to five fields, `/job:<name>/replica:<int>/task:<int>/device:<TYPE>:<index>`,
any of which may be missing (a partial specification). Nested `tf.device` scopes merge field by field, the
inner scope's fields winning; a device function (`replica_device_setter`) is called with the op and its
answer merged the same way. Graph construction only records these strings; where an op runs is decided
when a Session compiles a plan (`client/placement.py`).
"""

import functools

__all__ = ["DeviceSpec", "canonical_name", "merge_device", "device_function_of"]

_FIELDS = ("job", "replica", "task", "device_type", "device_index")


class DeviceSpec:
    """`tf.DeviceSpec(job=None, replica=None, task=None, device_type=None, device_index=None)`: a (possibly
    partial) device name. `device_type` is upper-cased ('cpu' -> 'CPU'); `device_index` None or '*' means
    any device of that type. Immutable, as TF2's DeviceSpec, with TF1's `merge_from` and `parse` kept for
    old scripts (they update the spec in place)."""

    __slots__ = ("_job", "_replica", "_task", "_device_type", "_device_index", "_string")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self._set(job, replica, task, device_type, device_index)

    def _set(self, job, replica, task, device_type, device_index):
        self._job = None if job is None else str(job)
        self._replica = _as_index(replica, "replica")
        self._task = _as_index(task, "task")
        if device_type is not None:
            device_type = str(device_type)
            # TF keeps the spelling of unusual types but upper-cases the usual ones ('cpu', 'gpu').
            if device_type.lower() in ("cpu", "gpu", "tpu"):
                device_type = device_type.upper()
        self._device_type = device_type
        self._device_index = None if device_index in (None, "*") else _as_index(device_index, "device_index")
        self._string = None

    def _setter(field):
        """TF1's DeviceSpec fields are assignable (`spec.task = 2`); the cached string is recomputed."""
        def assign(self, value):
            fields = {name: getattr(self, name) for name in _FIELDS}
            fields[field] = value
            self._set(**fields)
        return assign

    job = property(lambda self: self._job, _setter("job"), doc="The job name, or None.")
    replica = property(lambda self: self._replica, _setter("replica"), doc="The replica index, or None.")
    task = property(lambda self: self._task, _setter("task"), doc="The task index, or None.")
    device_type = property(lambda self: self._device_type, _setter("device_type"),
                           doc="'CPU', 'GPU', ... or None.")
    device_index = property(lambda self: self._device_index, _setter("device_index"),
                            doc="The device's index, or None for any.")
    del _setter

    @classmethod
    def from_string(cls, spec):
        """Parses '/job:<name>/replica:<id>/task:<id>/device:<TYPE>:<id>' (or the short '/cpu:0', '/gpu:1'
        forms, in any order) into a DeviceSpec; ValueError names an unknown field or a repeated type."""
        return cls(**_parse(spec))

    def parse(self, spec):
        """TF1: replaces this spec's fields with those parsed from `spec`; returns self."""
        self._set(**_parse(spec))
        return self

    def make_merged_spec(self, dev):
        """A new DeviceSpec: this one's fields overridden by the fields `dev` sets."""
        merged = {name: getattr(self, name) for name in _FIELDS}
        for name in _FIELDS:
            value = getattr(dev, name)
            if value is not None:
                merged[name] = value
        if dev.device_type is not None and dev.device_index is None:
            merged["device_index"] = None   # '/gpu:*' over '/cpu:1' means any GPU, not GPU 1
        return DeviceSpec(**merged)

    def merge_from(self, dev):
        """TF1: overrides this spec's fields with those `dev` sets, in place."""
        merged = self.make_merged_spec(dev)
        self._set(*(getattr(merged, name) for name in _FIELDS))

    def replace(self, **kwargs):
        """A new DeviceSpec with the given fields replaced (`spec.replace(device_type='GPU')`)."""
        unknown = sorted(set(kwargs) - set(_FIELDS))
        if unknown:
            raise TypeError("replace() got an unexpected keyword argument '%s'" % unknown[0])
        fields = {name: getattr(self, name) for name in _FIELDS}
        fields.update(kwargs)
        return DeviceSpec(**fields)

    def to_string(self):
        """The canonical name: '/job:ps/replica:0/task:1/device:GPU:0' with the unset fields left out."""
        if self._string is None:
            parts = []
            if self._job is not None:
                parts.append("/job:" + self._job)
            if self._replica is not None:
                parts.append("/replica:%d" % self._replica)
            if self._task is not None:
                parts.append("/task:%d" % self._task)
            if self._device_type is not None:
                parts.append("/device:%s:%s" % (self._device_type,
                                                "*" if self._device_index is None else self._device_index))
            self._string = "".join(parts)
        return self._string

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self):
        return hash(self.to_string())

    def __repr__(self):
        return "<DeviceSpec(job=%r, replica=%r, task=%r, device_type=%r, device_index=%r)>" % tuple(
            getattr(self, name) for name in _FIELDS)


def _as_index(value, field):
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError("DeviceSpec %s must be an integer, got %r" % (field, value)) from None


def _parse(spec):
    """The fields of a device string, as DeviceSpec keyword arguments."""
    if isinstance(spec, DeviceSpec):
        return {name: getattr(spec, name) for name in _FIELDS}
    fields = dict.fromkeys(_FIELDS)
    if not spec:
        return fields
    has_type = False
    for part in str(spec).split("/"):
        if not part:
            continue
        pieces = part.split(":")
        key = pieces[0].lower()
        if len(pieces) == 2 and key in ("job", "replica", "task"):
            fields[key] = pieces[1] if key == "job" else _as_index(pieces[1], key)
            continue
        if len(pieces) == 2 and key in ("cpu", "gpu", "tpu") or len(pieces) == 3 and key == "device":
            if has_type:
                raise ValueError("Multiple device types are not allowed while parsing the device spec: %s."
                                 % spec)
            has_type = True
            device_type = pieces[1] if key == "device" else pieces[0]
            fields["device_type"] = device_type
            fields["device_index"] = pieces[-1]
            continue
        if len(pieces) == 2 and key == "device":   # '/device:CPU' without an index
            fields["device_type"] = pieces[1]
            has_type = True
            continue
        raise ValueError("Unknown attribute '%s' is encountered while parsing the device spec: '%s'."
                         % (key, spec))
    return fields


_canonical_cache = {}


def canonical_name(spec):
    """The canonical string of a device string or DeviceSpec ('/cpu:0' -> '/device:CPU:0')."""
    if isinstance(spec, DeviceSpec):
        return spec.to_string()
    spec = spec or ""
    name = _canonical_cache.get(spec)
    if name is None:
        name = _canonical_cache[spec] = DeviceSpec.from_string(spec).to_string()
    return name


@functools.lru_cache(maxsize=1024)
def merge_device(outer, inner):
    """The device of an op whose enclosing scopes give `outer` and whose nearer scope gives `inner`:
    `inner`'s fields override `outer`'s ('/gpu:0' then '/job:worker' -> '/job:worker/device:GPU:0')."""
    if not inner:
        return canonical_name(outer)
    if not outer:
        return canonical_name(inner)
    return DeviceSpec.from_string(outer).make_merged_spec(DeviceSpec.from_string(inner)).to_string()


class _MergeDevice:
    """The device function of a fixed device string: merges it under whatever the op already has."""

    __slots__ = ("spec",)

    def __init__(self, spec):
        self.spec = spec

    def __call__(self, op):
        return merge_device(self.spec, op._device)


def device_function_of(device_name_or_function):
    """What `tf.device(x)` pushes: None (resets to no device), '' (changes nothing), or a function of the
    op returning a device string (a string or DeviceSpec becomes one that merges it)."""
    if device_name_or_function is None:
        return None
    if callable(device_name_or_function) and not isinstance(device_name_or_function, (str, DeviceSpec)):
        return device_name_or_function
    name = canonical_name(device_name_or_function)
    return _MergeDevice(name) if name else ""
