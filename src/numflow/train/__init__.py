"""`tf.train`: optimizers, learning-rate schedules, the global step, and checkpoints (Saver)."""
from .optimizer import *  # noqa: F401,F403
from .optimizers_extra import *  # noqa: F401,F403
from .learning_rate import *  # noqa: F401,F403
from .training_util import *  # noqa: F401,F403
from .saver import *  # noqa: F401,F403
from .checkpoint_utils import *  # noqa: F401,F403
from .moving_averages import *  # noqa: F401,F403
from .coordinator import *  # noqa: F401,F403
from .input import *  # noqa: F401,F403
from .queue_runner import *  # noqa: F401,F403
from .session_run_hook import *  # noqa: F401,F403
from .basic_session_run_hooks import *  # noqa: F401,F403
from .monitored_session import *  # noqa: F401,F403
from .supervisor import *  # noqa: F401,F403
from .server_lib import *  # noqa: F401,F403
from .training_loops import *  # noqa: F401,F403
from .cluster_def import *  # noqa: F401,F403
from .tracking_checkpoint import *  # noqa: F401,F403
from .warm_starting import *  # noqa: F401,F403
from .sync_replicas_optimizer import *  # noqa: F401,F403
from ..io.example_proto import (BytesList, Example, Feature, FeatureList, FeatureLists, Features,  # noqa: E402,F401
                                  FloatList, Int64List, SequenceExample)


def __getattr__(name):
    # `tf.train.write_graph` lives with the GraphDef converter, which loads on first use.
    if name == "write_graph":
        from ..framework.graph_def import write_graph
        return write_graph
    raise AttributeError("module 'numflow.train' has no attribute %r" % name)


from . import experimental  # noqa: E402,F401 - tf.train.experimental (loss scaling; issue 12)
from ..ops.sdca_ops import sdca_fprint, sdca_optimizer, sdca_shrink_l1  # noqa: E402,F401 - TF1's SDCA ops
