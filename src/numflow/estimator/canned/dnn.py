"""`tf.estimator.DNNClassifier`, `DNNRegressor` and the wide-and-deep `DNNLinearCombinedClassifier` /
`DNNLinearCombinedRegressor`.

The network is TF's: in variable scope 'dnn', `input_layer` of the feature columns (scope
'input_from_feature_columns'), then one dense layer per entry of hidden_units ('hiddenlayer_<i>', with
`activation_fn` and glorot-uniform kernels, dropout while training), then a linear 'logits' layer, so the
checkpoint holds 'dnn/hiddenlayer_0/kernel', 'dnn/hiddenlayer_0/bias', ..., 'dnn/logits/kernel'.
"""
from ... import losses as _losses
from ...framework.graph import control_dependencies
from ...variable_scope import variable_scope
from ..estimator import Estimator
from ..model_fn import ModeKeys
from . import _common
from .head import classification_head, regression_head
from .linear import linear_logits
from .optimizers import get_optimizer_instance

__all__ = ["DNNClassifier", "DNNRegressor", "DNNLinearCombinedClassifier", "DNNLinearCombinedRegressor"]

_LEARNING_RATE = 0.05
_COMBINED_DNN_LEARNING_RATE = 0.001
_COMBINED_LINEAR_LEARNING_RATE = 0.005


def _relu():
    from ...ops.nn import relu
    return relu


def _check_hidden_units(hidden_units):
    hidden_units = list(hidden_units or [])
    for units in hidden_units:
        if int(units) < 1:
            raise ValueError("hidden_units must be positive integers, got %s" % (hidden_units,))
    return hidden_units


def dnn_logits(features, mode, feature_columns, hidden_units, units, activation_fn, dropout):
    """[batch, units] logits of the 'dnn' network (see the module docstring)."""
    from ...feature_column import input_layer
    from ...init_ops import glorot_uniform_initializer
    from ...layers import dense
    from ...layers import dropout as dropout_layer
    _common.check_features_dict(features)
    with variable_scope("dnn"):
        with variable_scope("input_from_feature_columns"):
            net = input_layer(features, feature_columns)
        for layer_id, num_units in enumerate(hidden_units):
            with variable_scope("hiddenlayer_%d" % layer_id) as scope:
                net = dense(net, units=num_units, activation=activation_fn,
                            kernel_initializer=glorot_uniform_initializer(), name=scope)
                if dropout is not None and mode == ModeKeys.TRAIN:
                    net = dropout_layer(net, rate=dropout, training=True)
            _common.add_layer_summary(net, scope.name)
        with variable_scope("logits") as scope:
            logits = dense(net, units=units, activation=None, kernel_initializer=glorot_uniform_initializer(),
                           name=scope)
        _common.add_layer_summary(logits, scope.name)
    return logits


class _DNNEstimator(Estimator):
    def __init__(self, head, hidden_units, feature_columns, model_dir, optimizer, activation_fn, dropout, config,
                 warm_start_from, batch_norm):
        if batch_norm:
            raise NotImplementedError("batch_norm=True is not supported by numflow's canned DNN estimators")
        hidden_units = _check_hidden_units(hidden_units)
        feature_columns = _common.check_feature_columns(feature_columns)
        activation_fn = activation_fn or _relu()

        def model_fn(features, labels, mode):
            chosen = get_optimizer_instance(optimizer, learning_rate=_LEARNING_RATE)
            logits = dnn_logits(features, mode, feature_columns, hidden_units, head.logits_dimension, activation_fn,
                                dropout)
            return head.create_estimator_spec(features, mode, logits, labels=labels, optimizer=chosen)
        super().__init__(model_fn, model_dir=model_dir, config=config, warm_start_from=warm_start_from)


class DNNClassifier(_DNNEstimator):
    """`tf.estimator.DNNClassifier(hidden_units, feature_columns, model_dir=None, n_classes=2,
    weight_column=None, label_vocabulary=None, optimizer='Adagrad', activation_fn=tf.nn.relu, dropout=None,
    input_layer_partitioner=None, config=None, warm_start_from=None,
    loss_reduction=tf.losses.Reduction.SUM, batch_norm=False)`: a feed-forward classifier. `optimizer` is
    a name ('Adagrad', 'Adam', 'Ftrl', 'RMSProp', 'SGD'; learning rate 0.05), an Optimizer or a callable
    returning one. Predictions: 'logits', 'probabilities', 'class_ids', 'classes' (+ 'logistic' for 2
    classes); eval metrics 'accuracy', 'average_loss', 'loss' (+ the binary ones for 2 classes)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Adagrad", activation_fn=None, dropout=None,
                 input_layer_partitioner=None, config=None, warm_start_from=None,
                 loss_reduction=_losses.Reduction.SUM, batch_norm=False):
        head = classification_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        super().__init__(head, hidden_units, feature_columns, model_dir, optimizer, activation_fn, dropout, config,
                         warm_start_from, batch_norm)


class DNNRegressor(_DNNEstimator):
    """`tf.estimator.DNNRegressor(hidden_units, feature_columns, model_dir=None, label_dimension=1,
    weight_column=None, optimizer='Adagrad', activation_fn=tf.nn.relu, dropout=None, ..., config=None,
    warm_start_from=None, loss_reduction=tf.losses.Reduction.SUM, batch_norm=False)`: a feed-forward
    regressor (squared error); predictions {'predictions': [batch, label_dimension]}."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Adagrad", activation_fn=None, dropout=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=_losses.Reduction.SUM, batch_norm=False):
        head = regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(head, hidden_units, feature_columns, model_dir, optimizer, activation_fn, dropout, config,
                         warm_start_from, batch_norm)


def _combined_train_op(loss, dnn_optimizer, linear_optimizer):
    """Each optimizer updates its own part ('dnn/' or 'linear/' variables); the global step then advances once."""
    from ...framework.graph import GraphKeys, get_default_graph
    from ...ops.state import assign_add
    from ...train.training_util import get_global_step
    trainable = get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES)
    train_ops = []
    for optimizer, prefix in ((dnn_optimizer, "dnn/"), (linear_optimizer, "linear/")):
        variables = [v for v in trainable if v.op.name.startswith(prefix)]
        if optimizer is not None and variables:
            train_ops.append(optimizer.minimize(loss, var_list=variables))
    with control_dependencies(train_ops):
        return assign_add(get_global_step(), 1).op


class _DNNLinearCombinedEstimator(Estimator):
    def __init__(self, head, model_dir, linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer,
                 dnn_hidden_units, dnn_activation_fn, dnn_dropout, config, warm_start_from, batch_norm,
                 linear_sparse_combiner):
        linear_feature_columns = tuple(linear_feature_columns or ())
        dnn_feature_columns = tuple(dnn_feature_columns or ())
        if not linear_feature_columns and not dnn_feature_columns:
            raise ValueError("Either linear_feature_columns or dnn_feature_columns must be defined.")
        if dnn_feature_columns and not dnn_hidden_units:
            raise ValueError("dnn_hidden_units must be defined when dnn_feature_columns is specified.")
        if batch_norm:
            raise NotImplementedError("batch_norm=True is not supported by numflow's canned DNN estimators")
        dnn_hidden_units = _check_hidden_units(dnn_hidden_units)
        activation_fn = dnn_activation_fn or _relu()

        def model_fn(features, labels, mode):
            logits, dnn_opt, linear_opt = 0, None, None
            if dnn_feature_columns:
                dnn_opt = get_optimizer_instance(dnn_optimizer, learning_rate=_COMBINED_DNN_LEARNING_RATE)
                logits = dnn_logits(features, mode, dnn_feature_columns, dnn_hidden_units, head.logits_dimension,
                                    activation_fn, dnn_dropout)
            if linear_feature_columns:
                linear_rate = _common.default_linear_learning_rate(linear_feature_columns,
                                                                   _COMBINED_LINEAR_LEARNING_RATE)
                linear_opt = get_optimizer_instance(linear_optimizer, learning_rate=linear_rate)
                logits = logits + linear_logits(features, linear_feature_columns, head.logits_dimension,
                                                linear_sparse_combiner)
            return head.create_estimator_spec(features, mode, logits, labels=labels,
                                              train_op_fn=lambda loss: _combined_train_op(loss, dnn_opt, linear_opt))
        super().__init__(model_fn, model_dir=model_dir, config=config, warm_start_from=warm_start_from)


class DNNLinearCombinedClassifier(_DNNLinearCombinedEstimator):
    """`tf.estimator.DNNLinearCombinedClassifier(model_dir=None, linear_feature_columns=None,
    linear_optimizer='Ftrl', dnn_feature_columns=None, dnn_optimizer='Adagrad', dnn_hidden_units=None,
    dnn_activation_fn=tf.nn.relu, dnn_dropout=None, n_classes=2, weight_column=None, label_vocabulary=None,
    input_layer_partitioner=None, config=None, warm_start_from=None, loss_reduction=tf.losses.Reduction.SUM,
    batch_norm=False, linear_sparse_combiner='sum')`: wide and deep: the logits of a linear model and of a
    DNN added, each part trained by its own optimizer."""

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl", dnn_feature_columns=None,
                 dnn_optimizer="Adagrad", dnn_hidden_units=None, dnn_activation_fn=None, dnn_dropout=None, n_classes=2,
                 weight_column=None, label_vocabulary=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=_losses.Reduction.SUM, batch_norm=False,
                 linear_sparse_combiner="sum"):
        head = classification_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        super().__init__(head, model_dir, linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer,
                         dnn_hidden_units, dnn_activation_fn, dnn_dropout, config, warm_start_from, batch_norm,
                         linear_sparse_combiner)


class DNNLinearCombinedRegressor(_DNNLinearCombinedEstimator):
    """`tf.estimator.DNNLinearCombinedRegressor(model_dir=None, linear_feature_columns=None,
    linear_optimizer='Ftrl', dnn_feature_columns=None, dnn_optimizer='Adagrad', dnn_hidden_units=None,
    dnn_activation_fn=tf.nn.relu, dnn_dropout=None, label_dimension=1, weight_column=None, ...)`: wide and
    deep regression (squared error)."""

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl", dnn_feature_columns=None,
                 dnn_optimizer="Adagrad", dnn_hidden_units=None, dnn_activation_fn=None, dnn_dropout=None,
                 label_dimension=1, weight_column=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=_losses.Reduction.SUM, batch_norm=False,
                 linear_sparse_combiner="sum"):
        head = regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(head, model_dir, linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer,
                         dnn_hidden_units, dnn_activation_fn, dnn_dropout, config, warm_start_from, batch_norm,
                         linear_sparse_combiner)
