"""numflow: TensorFlow 1.x's graph-and-Session programming model on NumPy. `import numflow as tf`."""
from .framework import dtypes, errors
from .framework.dtypes import (DType, as_dtype, bool, complex64, complex128, double, float16, float32,  # noqa: A004
                               float64, half, int8, int16, int32, int64, string, uint8, uint16, uint32,
                               uint64)
from .framework.graph import (Graph, GraphKeys, Operation, Tensor, add_to_collection, add_to_collections,
                              control_dependencies, convert_to_tensor, device, get_collection,
                              get_collection_ref, get_default_graph, get_name_scope, name_scope,
                              register_tensor_conversion_function, reset_default_graph)
from .framework.tensor_shape import Dimension, TensorShape
from .client.session import InteractiveSession, Session, get_default_session
from .ops.constant import *  # noqa: F401,F403
from .ops.state import *  # noqa: F401,F403
from .ops.control import *  # noqa: F401,F403
from .ops.math import *  # noqa: F401,F403
from .ops.array import *  # noqa: F401,F403
from .ops.random import *  # noqa: F401,F403
from .ops.clip import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.functional import *  # noqa: F401,F403
from .ops.debug import *  # noqa: F401,F403
from .ops.script import *  # noqa: F401,F403
from .variables import *  # noqa: F401,F403
from .init_ops import *  # noqa: F401,F403
from .variable_scope import *  # noqa: F401,F403
from .ops.parsing import *  # noqa: F401,F403
from .ops.io_ops import *  # noqa: F401,F403
from .ops.data_flow import *  # noqa: F401,F403
from .ops.readers import *  # noqa: F401,F403
from .framework.sparse_tensor import *  # noqa: F401,F403
from .ops.string_ops import *  # noqa: F401,F403 - tf.string_split, tf.as_string, tf.substr, ...
from .ops import hash_bucket_ops  # noqa: F401 - registers StringToHashBucketFast
from .ops.segment_ops import *  # noqa: F401,F403
from .ops.scatter_ops import *  # noqa: F401,F403
from .ops.special_math import (acosh, angle, asinh, atan2, atanh, betainc, complex, conj, digamma,  # noqa: F401,A004
                               erfc, igamma, igammac, imag, is_non_decreasing, is_strictly_increasing, lbeta,
                               lgamma, log_sigmoid, polygamma, real, zeta)
from .ops.linalg_extra import (cholesky, cholesky_solve, matrix_solve, matrix_solve_ls,  # noqa: F401
                               matrix_triangular_solve, qr, self_adjoint_eig, self_adjoint_eigvals, svd)
from .ops.signal_ops import fft, fft2d, fft3d, ifft, ifft2d, ifft3d  # noqa: F401
from .ops.nn_extra import (batch_to_space, batch_to_space_nd, required_space_to_batch_paddings,  # noqa: F401
                           space_to_batch, space_to_batch_nd)
from .ops.metrics_impl import confusion_matrix  # noqa: F401
from .ops.tensor_array import TensorArray  # noqa: F401
from .io.graph_proto import GraphDef, NodeDef  # noqa: F401
from .gradients import gradients, hessians
from . import nn, train, compat, initializers, random, math, losses, summary, layers  # noqa: E402
from . import linalg  # noqa: E402
from . import sparse, python_io, metrics, strings, sets, bitwise, signal  # noqa: E402
from .summary import Event, SessionLog, Summary  # noqa: E402
from .platform import app, flags, gfile, test, tf_logging as logging  # noqa: E402
from .compat import (disable_eager_execution, disable_v2_behavior, enable_eager_execution,  # noqa: E402
                     executing_eagerly)
from .gradients import (AggregationMethod, NoGradient, NotDifferentiable, RegisterGradient,  # noqa: E402
                        UnconnectedGradients, custom_gradient, no_gradient)
from .framework.gradient_tape import GradientTape  # noqa: E402,F401 - graph-mode tape (issue 12)
from .framework.function import function, wrap_function  # noqa: E402,F401 - inlined tf.function (issue 12)
from .ops.array_extra import *  # noqa: F401,F403,E402
from .framework.graph_helpers import *  # noqa: F401,F403,E402
from .ops.sparse_ops import *  # noqa: F401,F403,E402 - tf.sparse_add, tf.IndexedSlices, ...
from .client.config import (ConfigProto, GPUOptions, GraphOptions, OptimizerOptions, RunMetadata,  # noqa: E402
                            RunOptions)
from .framework.device_spec import DeviceSpec  # noqa: E402


__version__ = "0.1.0"
VERSION = "1.15.0"  # the TF1 API level numflow follows
GIT_VERSION = "numflow-" + __version__
newaxis = None

import sys as _sys  # noqa: E402

_sys.modules[__name__ + ".compat.v1"] = _sys.modules[__name__]
compat.v1 = _sys.modules[__name__]
del _sys

NUMFLOW_VERSION = __version__  # numflow's own version, also while __version__ reads as TensorFlow's
io.encode_base64, io.decode_base64 = encode_base64, decode_base64  # noqa: F405 - also in tf.io, as in TF
from . import _deprecation  # noqa: E402
from . import config  # noqa: E402,F401 - tf.config (issue 12)
from .ops.tensor_io_ops import decode_compressed, parse_tensor, serialize_tensor  # noqa: E402,F401
from .framework.top_level_extra import *  # noqa: E402,F401,F403 - is_numeric_tensor, grad_pass_through, ...
from .random import get_seed  # noqa: E402,F401
from .ops.fft_nd import fftnd, ifftnd, irfftnd, rfftnd  # noqa: E402,F401 - also top-level in TF
from .ops.accumulators import (ConditionalAccumulator, ConditionalAccumulatorBase,  # noqa: E402,F401
                               SparseConditionalAccumulator)
from .framework.errors import OpError  # noqa: E402,F401
from .io.proto import HistogramProto, LogMessage, SummaryMetadata  # noqa: E402,F401 - TF's protos at tf.*
from .io.graph_proto import AttrValue, NameAttrList  # noqa: E402,F401
from .io.meta_graph_proto import MetaGraphDef, TensorInfo  # noqa: E402,F401
from .framework.module import Module  # noqa: E402,F401
from .ops.matrix_sqrt import sqrtm as matrix_square_root  # noqa: E402,F401
from .ops.json_example import decode_json_example  # noqa: E402,F401
from .framework.partitioners import (create_partitioned_variables, fixed_size_partitioner,  # noqa: E402,F401
                                     min_max_variable_partitioner, variable_axis_size_partitioner)
from .ops.priority_queue import PriorityQueue  # noqa: E402,F401
from .ops.session_handles import delete_session_tensor, get_session_handle, get_session_tensor  # noqa: E402,F401
from .framework.type_spec import (IndexedSlicesSpec, NoneTensorSpec, OptionalSpec,  # noqa: E402,F401
                                  TensorArraySpec, TypeSpec, type_spec_from_value)
from .framework.variable_creator import variable_creator_scope  # noqa: E402,F401
from .ops.sequence_parsing import parse_single_sequence_example  # noqa: E402,F401
from .ops.sparse_feature import SparseFeature  # noqa: E402,F401
from .ops.batch_function import nondifferentiable_batch_function  # noqa: E402,F401
from .critical_section import CriticalSection  # noqa: E402,F401

_deprecation.enable_from_environment()

# Namespaces that are whole frameworks of their own, and the GraphDef converter (a large table of op
# mappings), load on first use, so that `import numflow` stays fast.
_LAZY = {"estimator": (".estimator", None), "feature_column": (".feature_column", None), "contrib": (".contrib", None),
         "saved_model": (".saved_model", None), "graph_util": (".graph_util", None), "keras": (".keras", None),
         "import_graph_def": (".framework.graph_def", "import_graph_def"),
         "data": (".data", None), "TensorSpec": (".data.structure", "TensorSpec"),
         "image": (".image", None), "extract_image_patches": (".ops.image_extra", "extract_image_patches"),
         "distributions": (".distributions", None), "ragged": (".ragged", None),
         "RaggedTensor": (".ragged.ragged_tensor", "RaggedTensor"),
         "RaggedTensorSpec": (".ragged.ragged_tensor", "RaggedTensorSpec"),
         **{name: (".notebook", name) for name in ("install_as_tensorflow", "uninstall_as_tensorflow",
                                                   "load_ipython_extension", "unload_ipython_extension")}}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name, __name__)
        value = module if attribute is None else getattr(module, attribute)
        globals()[name] = value
        return value
    raise AttributeError("module 'numflow' has no attribute %r" % name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
from .ops.quant_and_misc import *  # noqa: E402,F401,F403 - tf.fake_quant_with_min_max_* (issue 12)
from . import quantization  # noqa: E402,F401 - tf.quantization.fake_quant_* (issue 12)
