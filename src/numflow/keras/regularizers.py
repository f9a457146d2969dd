"""`tf.keras.regularizers` (minimal: `get`; being completed)."""


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    raise ValueError("Could not interpret regularizer identifier: " + str(identifier))
