"""`tf.keras.initializers` (minimal: `get`; being completed)."""
from .. import init_ops

_BY_NAME = {"zeros": init_ops.Zeros, "ones": init_ops.Ones, "glorot_uniform": init_ops.GlorotUniform,
            "glorot_normal": init_ops.GlorotNormal}


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]()
    raise ValueError("Could not interpret initializer identifier: " + str(identifier))
