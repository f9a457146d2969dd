"""`tf.keras.utils`: serialization registry, label and file helpers, `Sequence`, `HDF5Matrix`, progress
bar, model plotting."""
from .data_utils import GeneratorEnqueuer, OrderedEnqueuer, Sequence, SequenceEnqueuer, get_file  # noqa: F401
from .generic_utils import (CustomObjectScope, custom_object_scope, deserialize_keras_object,  # noqa: F401
                            get_custom_objects, serialize_keras_object)
from .io_utils import HDF5Matrix  # noqa: F401
from .layer_utils import get_source_inputs  # noqa: F401
from .np_utils import normalize, to_categorical  # noqa: F401
from .vis_utils import model_to_dot, plot_model  # noqa: F401


def __getattr__(name):
    # Progbar is appended to generic_utils by the training helpers; resolve it late.
    if name == "Progbar":
        from .generic_utils import Progbar
        return Progbar
    raise AttributeError("module 'numflow.keras.utils' has no attribute %r" % name)
