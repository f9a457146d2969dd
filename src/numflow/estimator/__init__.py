"""`tf.estimator`: Estimator, EstimatorSpec, ModeKeys, RunConfig, train_and_evaluate with TrainSpec and
EvalSpec, the `inputs` helpers and the canned Linear/DNN estimators."""
from ..train.basic_session_run_hooks import (CheckpointSaverHook, CheckpointSaverListener,  # noqa: F401
                                             FeedFnHook, FinalOpsHook, GlobalStepWaiterHook, LoggingTensorHook,
                                             NanLossDuringTrainingError, NanTensorHook, ProfilerHook,
                                             SecondOrStepTimer, StepCounterHook, StopAtStepHook,
                                             SummarySaverHook)
from ..train.session_run_hook import SessionRunArgs, SessionRunContext, SessionRunHook, SessionRunValues  # noqa: F401
from . import export, inputs  # noqa: F401
from .canned import (DNNClassifier, DNNLinearCombinedClassifier, DNNLinearCombinedRegressor,  # noqa: F401
                     DNNRegressor, LinearClassifier, LinearRegressor)
from .estimator import Estimator, WarmStartSettings  # noqa: F401
from .model_fn import EstimatorSpec, ModeKeys  # noqa: F401
from .run_config import RunConfig  # noqa: F401
from .training import EvalSpec, TrainSpec, train_and_evaluate  # noqa: F401
