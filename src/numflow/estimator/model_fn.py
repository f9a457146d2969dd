"""`tf.estimator.ModeKeys` and `tf.estimator.EstimatorSpec`: what a model_fn returns, checked as TF1 does."""
import collections

from ..framework.graph import Operation, Tensor, get_default_graph
from ..train.monitored_session import Scaffold
from ..train.session_run_hook import SessionRunHook

__all__ = ["ModeKeys", "EstimatorSpec"]


class ModeKeys:
    """`tf.estimator.ModeKeys`: the mode an Estimator calls its model_fn in.

    TRAIN builds the training graph, EVAL the evaluation graph, PREDICT the inference graph."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


# The metric Estimator.evaluate always adds: the mean of the model's loss over the evaluated batches.
LOSS_METRIC_KEY = "loss"
AVERAGE_LOSS_METRIC_KEY = "average_loss"

_SPEC_FIELDS = ["mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
                "training_chief_hooks", "training_hooks", "scaffold", "evaluation_hooks", "prediction_hooks"]


def _check_in_default_graph(value, what):
    graph = get_default_graph()
    elements = value.values() if isinstance(value, dict) else [value]
    for element in elements:
        if isinstance(element, (Tensor, Operation)) and element.graph is not graph:
            raise ValueError("%s with name %s must be from the default graph. Possible causes of this error "
                             "include: the tensor was created outside the model_fn." % (what, element.name))


def _check_tensor(value, what):
    if not isinstance(value, Tensor):
        raise TypeError("%s must be Tensor, given: %r" % (what, value))
    _check_in_default_graph(value, what)
    return value


def _check_hooks(hooks, what):
    hooks = tuple(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError("All hooks must be SessionRunHook instances, given: %r (in %s)" % (hook, what))
    return hooks


def _check_loss(loss, mode):
    if loss is None:
        if mode in (ModeKeys.TRAIN, ModeKeys.EVAL):
            raise ValueError("Missing loss: an EstimatorSpec in mode %r needs `loss`." % mode)
        return None
    if hasattr(loss, "_as_tensor"):   # a Variable
        loss = loss._as_tensor()
    loss = _check_tensor(loss, "loss")
    shape = loss.shape
    if shape.ndims is not None and shape.num_elements() not in (None, 1):
        raise ValueError("Loss must be scalar, given: %s" % (loss,))
    if shape.ndims not in (None, 0):
        from ..ops.array import reshape
        loss = reshape(loss, [])
    return loss


def _check_predictions(predictions, mode):
    if predictions is None:
        if mode == ModeKeys.PREDICT:
            raise ValueError("Missing predictions: an EstimatorSpec in mode %r needs `predictions`." % mode)
        return {}
    if isinstance(predictions, dict):
        for key, value in predictions.items():
            _check_tensor(value, "predictions[%r]" % (key,))
        return dict(predictions)
    return _check_tensor(predictions, "predictions")


def _check_train_op(train_op, mode):
    if train_op is None:
        if mode == ModeKeys.TRAIN:
            raise ValueError("Missing train_op: an EstimatorSpec in mode %r needs `train_op`." % mode)
        return None
    if hasattr(train_op, "_as_tensor") and not isinstance(train_op, (Tensor, Operation)):
        train_op = train_op._as_tensor()
    if not isinstance(train_op, (Tensor, Operation)):
        raise TypeError("train_op must be Operation or Tensor, given: %r" % (train_op,))
    _check_in_default_graph(train_op, "train_op")
    return train_op


def _check_eval_metric_ops(eval_metric_ops):
    if eval_metric_ops is None:
        return {}
    if not isinstance(eval_metric_ops, dict):
        raise TypeError("eval_metric_ops must be a dict, given: %r" % (eval_metric_ops,))
    for key, metric in eval_metric_ops.items():
        if not isinstance(metric, tuple) or len(metric) != 2:
            raise TypeError("Values of eval_metric_ops must be (metric_value, update_op) tuples, given: %r "
                            "for key: %s" % (metric, key))
        for part in metric:
            if not isinstance(part, (Tensor, Operation)):
                raise TypeError("Values of eval_metric_ops must be (metric_value, update_op) tuples of Tensors "
                                "or Operations, given: %r for key: %s" % (metric, key))
            _check_in_default_graph(part, "eval_metric_ops[%r]" % (key,))
    return dict(eval_metric_ops)


class EstimatorSpec(collections.namedtuple("EstimatorSpec", _SPEC_FIELDS)):
    """`tf.estimator.EstimatorSpec(mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None,
    export_outputs=None, training_chief_hooks=None, training_hooks=None, scaffold=None,
    evaluation_hooks=None, prediction_hooks=None)`: the ops and objects a model_fn returns.

    What each mode needs (a ValueError naming what is missing otherwise):
      TRAIN    loss (a scalar Tensor) and train_op
      EVAL     loss; eval_metric_ops is a dict {name: (metric value, update op)}
      PREDICT  predictions (a Tensor or a dict of Tensors)
    Every tensor must belong to the default graph (the one the Estimator calls model_fn in), hooks must
    be SessionRunHooks and scaffold a tf.train.Scaffold."""

    def __new__(cls, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None,
                export_outputs=None, training_chief_hooks=None, training_hooks=None, scaffold=None,
                evaluation_hooks=None, prediction_hooks=None):
        if mode not in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT):
            raise ValueError("mode=%r not in %r." % (mode, (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT)))
        loss = _check_loss(loss, mode)
        predictions = _check_predictions(predictions, mode)
        train_op = _check_train_op(train_op, mode)
        eval_metric_ops = _check_eval_metric_ops(eval_metric_ops)
        if export_outputs is not None and not isinstance(export_outputs, dict):
            raise TypeError("export_outputs must be dict, given: %r" % (export_outputs,))
        scaffold = scaffold or Scaffold()
        if not isinstance(scaffold, Scaffold):
            raise TypeError("scaffold must be tf.train.Scaffold. Given: %r" % (scaffold,))
        return super().__new__(
            cls, mode=mode, predictions=predictions, loss=loss, train_op=train_op,
            eval_metric_ops=eval_metric_ops, export_outputs=export_outputs,
            training_chief_hooks=_check_hooks(training_chief_hooks, "training_chief_hooks"),
            training_hooks=_check_hooks(training_hooks, "training_hooks"), scaffold=scaffold,
            evaluation_hooks=_check_hooks(evaluation_hooks, "evaluation_hooks"),
            prediction_hooks=_check_hooks(prediction_hooks, "prediction_hooks"))

    def _replace(self, **kwds):
        """A copy with some fields replaced, validated again."""
        fields = self._asdict()
        fields.update(kwds)
        return EstimatorSpec(**fields)
