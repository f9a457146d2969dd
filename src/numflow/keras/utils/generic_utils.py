"""Keras' object (de)serialization: `{'class_name': ..., 'config': ...}` dictionaries, the custom-object
registry (`custom_object_scope`, `get_custom_objects`) that `load_model` / `model_from_json` consult."""
import threading

__all__ = ["serialize_keras_object", "deserialize_keras_object", "CustomObjectScope", "custom_object_scope",
           "get_custom_objects", "get_registered_name"]

_GLOBAL_CUSTOM_OBJECTS = {}
_local = threading.local()


def _scoped_objects():
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def get_custom_objects():
    """The global dict of custom objects by name; add to it to make classes/functions deserializable."""
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """`with CustomObjectScope({'MyLayer': MyLayer}):` makes those names deserializable inside."""

    def __init__(self, *custom_objects):
        self.custom_objects = custom_objects

    def __enter__(self):
        merged = {}
        for objects in self.custom_objects:
            merged.update(objects or {})
        _scoped_objects().append(merged)
        return self

    def __exit__(self, *exc):
        _scoped_objects().pop()


def custom_object_scope(*custom_objects):
    """`with custom_object_scope({'MyLayer': MyLayer}):` (see `CustomObjectScope`)."""
    return CustomObjectScope(*custom_objects)


def get_registered_name(obj):
    return getattr(obj, "__name__", type(obj).__name__)


def serialize_keras_object(instance):
    """`{'class_name': ..., 'config': ...}` for objects with `get_config`; a function's name; None."""
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        return {"class_name": type(instance).__name__, "config": instance.get_config()}
    if hasattr(instance, "__name__"):
        return instance.__name__
    raise ValueError("Cannot serialize", instance)


def _lookup(name, module_objects, custom_objects):
    for scope in reversed(_scoped_objects()):
        if name in scope:
            return scope[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    return (module_objects or {}).get(name)


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """The object `identifier` describes: a `{'class_name', 'config'}` dict (built with the class's
    `from_config`, or its constructor) or a name (a function or class from `module_objects`, the custom
    objects in scope, or `custom_objects`). ValueError names anything unknown."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError("Improper config format: " + str(identifier))
        class_name = identifier["class_name"]
        cls = _lookup(class_name, module_objects, custom_objects)
        if cls is None:
            raise ValueError("Unknown " + printable_module_name + ": " + class_name)
        config = identifier["config"]
        if hasattr(cls, "from_config"):
            import inspect
            parameters = inspect.signature(cls.from_config).parameters
            if "custom_objects" in parameters:
                merged = dict(_GLOBAL_CUSTOM_OBJECTS)
                for scope in _scoped_objects():
                    merged.update(scope)
                merged.update(custom_objects or {})
                return cls.from_config(config, custom_objects=merged)
            with CustomObjectScope(custom_objects or {}):
                return cls.from_config(config)
        with CustomObjectScope(custom_objects or {}):
            return cls(**config)
    if isinstance(identifier, str):
        obj = _lookup(identifier, module_objects, custom_objects)
        if obj is None:
            raise ValueError("Unknown " + printable_module_name + ": " + identifier)
        return obj
    raise ValueError("Could not interpret serialized " + printable_module_name + ": " + str(identifier))


class Progbar:
    """Keras' progress bar: `Progbar(target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
    unit_name='step')`; `update(current, values)` redraws it with the running averages of `values`
    (`[(name, value)]`; names in `stateful_metrics` are shown as given). Finished, a line reads
    '60000/60000 [==============================] - 3s 50us/sample - loss: 0.2000 - acc: 0.9400'; with
    verbose=2 only that final line is printed, without the bar."""

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None, unit_name="step"):
        import sys
        import time
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        stream = sys.stdout
        self._dynamic_display = (hasattr(stream, "isatty") and stream.isatty()) or "ipykernel" in sys.modules
        self._total_width = 0
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0

    def update(self, current, values=None, finalize=None):
        """Shows progress `current` (of `target`) with `values`; `finalize` ends the line (default: when
        `current` reaches the target)."""
        import sys
        import time
        import numpy as np
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            if name not in self._values_order:
                self._values_order.append(name)
            if name in self.stateful_metrics:
                self._values[name] = value
            else:
                weight = max(current - self._seen_so_far, 1)
                total, count = self._values.get(name, (0., 0))
                self._values[name] = (total + value * weight, count + weight)
        self._seen_so_far = current
        now = time.time()
        elapsed = now - self._start
        time_per_unit = elapsed / current if current else 0
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            previous_width = self._total_width
            if self._dynamic_display:
                sys.stdout.write("\b" * previous_width + "\r")
            elif not finalize:
                return  # a log file gets only the final line of each bar
            if self.target is not None:
                digits = int(np.log10(self.target)) + 1 if self.target > 0 else 1
                bar = ("%" + str(digits) + "d/%d [") % (current, self.target)
                filled = int(self.width * (float(current) / self.target if self.target else 1))
                if filled > 0:
                    bar += "=" * (filled - 1) + (">" if current < self.target else "=")
                bar += "." * (self.width - filled) + "]"
            else:
                bar = "%7d/Unknown" % current
            self._total_width = len(bar)
            sys.stdout.write(bar)
            if self.target is not None and current < self.target:
                eta = time_per_unit * (self.target - current)
                if eta > 3600:
                    eta_text = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
                elif eta > 60:
                    eta_text = "%d:%02d" % (eta // 60, eta % 60)
                else:
                    eta_text = "%ds" % eta
                info = " - ETA: %s" % eta_text
            else:
                info = " - %.0fs" % elapsed + _per_unit(time_per_unit, self.unit_name)
            info += self._values_text()
            self._total_width += len(info)
            if previous_width > self._total_width and self._dynamic_display:
                info += " " * (previous_width - self._total_width)
            if finalize:
                info += "\n"
            sys.stdout.write(info)
            sys.stdout.flush()
        elif self.verbose == 2 and finalize:
            if self.target is not None:
                digits = int(np.log10(self.target)) + 1 if self.target > 0 else 1
                count = ("%" + str(digits) + "d/%d") % (current, self.target)
            else:
                count = "%d" % current
            sys.stdout.write(count + " - %.0fs" % elapsed + self._values_text() + "\n")
            sys.stdout.flush()
        self._last_update = now

    def _values_text(self):
        import numpy as np
        text = ""
        for name in self._values_order:
            text += " - %s:" % name
            value = self._values[name]
            if isinstance(value, tuple):
                average = np.mean(value[0] / max(1, value[1]))
                text += (" %.4f" if abs(average) > 1e-3 else " %.4e") % average
            else:
                text += " %s" % value if not isinstance(value, (float, np.floating)) else \
                    ((" %.4f" if abs(value) > 1e-3 else " %.4e") % value)
        return text

    def add(self, n, values=None):
        """Advances by `n` steps."""
        self.update(self._seen_so_far + n, values)


def _per_unit(seconds, unit_name):
    if seconds >= 1 or seconds == 0:
        return " %.0fs/%s" % (seconds, unit_name)
    if seconds >= 1e-3:
        return " %.0fms/%s" % (seconds * 1e3, unit_name)
    return " %.0fus/%s" % (seconds * 1e6, unit_name)

__all__.append("Progbar")
