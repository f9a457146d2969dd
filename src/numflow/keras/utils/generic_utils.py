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
