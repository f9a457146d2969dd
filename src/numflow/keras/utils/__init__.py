"""`tf.keras.utils`."""
from .generic_utils import (CustomObjectScope, custom_object_scope, deserialize_keras_object,  # noqa: F401
                            get_custom_objects, serialize_keras_object)
