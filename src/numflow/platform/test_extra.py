"""More of `tf.test`: StubOutForTesting (attribute stubs undone in one call), benchmark_config,
disable_with_predicate and is_cpu_target_available."""
import functools
import inspect

__all__ = ["StubOutForTesting", "benchmark_config", "disable_with_predicate", "is_cpu_target_available"]


class StubOutForTesting:
    """`tf.test.StubOutForTesting()`: replaces attributes of objects or modules for a test and puts the
    originals back with UnsetAll() / SmartUnsetAll() (or CleanUp())."""

    def __init__(self):
        self.cache = []          # (parent, original value, name) for UnsetAll, newest last
        self.stubs = []          # (parent, name, original) for SmartUnsetAll

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.CleanUp()

    def CleanUp(self):  # noqa: N802 - TF's name
        """Undoes every stub."""
        self.SmartUnsetAll()
        self.UnsetAll()

    def SmartSet(self, obj, attr_name, new_attr):  # noqa: N802
        """Replaces obj.attr_name by new_attr, remembering the attribute found through the class hierarchy
        (a class attribute reached from an instance is restored as an instance attribute's absence)."""
        if inspect.ismodule(obj) or (not inspect.isclass(obj) and attr_name in getattr(obj, "__dict__", {})):
            original, owner = getattr(obj, attr_name), obj
        else:
            owner = obj if inspect.isclass(obj) else type(obj)
            for klass in inspect.getmro(owner):
                if attr_name in klass.__dict__:
                    original = klass.__dict__[attr_name]
                    break
            else:
                raise AttributeError("Attribute %s not found on %r" % (attr_name, obj))
            if not inspect.isclass(obj):
                owner = obj
                original = getattr(obj, attr_name)
        self.stubs.append((owner, attr_name, original))
        setattr(owner, attr_name, new_attr)

    def SmartUnsetAll(self):  # noqa: N802
        """Restores the attributes SmartSet replaced, newest first."""
        for owner, attr_name, original in reversed(self.stubs):
            setattr(owner, attr_name, original)
        self.stubs = []

    def Set(self, parent, child_name, new_child):  # noqa: N802
        """Replaces parent.child_name by new_child (static and class methods keep their kind)."""
        old_child = getattr(parent, child_name)
        old_attribute = parent.__dict__.get(child_name) if inspect.isclass(parent) else None
        if isinstance(old_attribute, staticmethod):
            new_child = staticmethod(new_child)
            old_child = old_attribute
        elif isinstance(old_attribute, classmethod):
            new_child = classmethod(new_child)
            old_child = old_attribute
        self.cache.append((parent, old_child, child_name))
        setattr(parent, child_name, new_child)

    def UnsetAll(self):  # noqa: N802
        """Restores the attributes Set replaced, newest first."""
        for parent, old_child, child_name in reversed(self.cache):
            setattr(parent, child_name, old_child)
        self.cache = []


def benchmark_config():
    """`tf.test.benchmark_config()`: a ConfigProto for benchmarks. TF turns off the graph rewrite that
    could prune the measured ops; numflow's rewrites never remove fetched ops or run targets, so the
    default configuration serves."""
    from ..client.config import ConfigProto
    return ConfigProto()


def disable_with_predicate(pred, skip_message):
    """`tf.test.disable_with_predicate(pred, skip_message)`: a decorator that skips a test (unittest's
    skipTest) when pred() is true at run time."""
    def decorator(test_function):
        @functools.wraps(test_function)
        def wrapper(self, *args, **kwargs):
            if pred():
                self.skipTest(skip_message)
            return test_function(self, *args, **kwargs)
        return wrapper
    return decorator


def is_cpu_target_available(target):
    """`tf.test.is_cpu_target_available(target)`: whether XLA's CPU backend for `target` ('x86',
    'aarch64' ...) is built in: never in numflow, which has no XLA."""
    del target
    return False
