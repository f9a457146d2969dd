"""`tf.estimator.LinearClassifier` and `tf.estimator.LinearRegressor`: linear models over feature columns
(`tf.feature_column.linear_model` in variable scope 'linear'), FTRL by default."""
from ... import losses as _losses
from ...variable_scope import variable_scope
from ..estimator import Estimator
from . import _common
from .head import classification_head, regression_head
from .optimizers import get_optimizer_instance

__all__ = ["LinearClassifier", "LinearRegressor"]

_LEARNING_RATE = 0.2


def linear_logits(features, feature_columns, units, sparse_combiner):
    """[batch, units] logits of linear_model in scope 'linear' (variables 'linear/linear_model/...')."""
    from ...feature_column import linear_model
    _common.check_features_dict(features)
    with variable_scope("linear"):
        cols_to_vars = {}
        logits = linear_model(features, feature_columns, units=units, sparse_combiner=sparse_combiner,
                              cols_to_vars=cols_to_vars)
        bias = cols_to_vars.pop("bias")[0]
        from ... import summary as _summary
        if units == 1:
            _summary.scalar("bias", bias[0])
        else:
            _summary.histogram("bias", bias)
        weights = [v for variables in cols_to_vars.values() for v in variables]
        if weights:
            from ...ops import array
            flat = array.concat([array.reshape(w, [-1]) for w in weights], axis=0)
            _summary.scalar("fraction_of_zero_weights", _common.zero_fraction(flat))
    return logits


def _linear_model_fn(features, labels, mode, head, feature_columns, optimizer, sparse_combiner):
    optimizer = get_optimizer_instance(optimizer, learning_rate=_common.default_linear_learning_rate(
        feature_columns, _LEARNING_RATE))
    logits = linear_logits(features, feature_columns, head.logits_dimension, sparse_combiner)
    return head.create_estimator_spec(features, mode, logits, labels=labels, optimizer=optimizer)


class _LinearEstimator(Estimator):
    def __init__(self, head, feature_columns, model_dir, optimizer, config, warm_start_from, sparse_combiner):
        feature_columns = _common.check_feature_columns(feature_columns)

        def model_fn(features, labels, mode):
            return _linear_model_fn(features, labels, mode, head, feature_columns, optimizer, sparse_combiner)
        super().__init__(model_fn, model_dir=model_dir, config=config, warm_start_from=warm_start_from)


class LinearClassifier(_LinearEstimator):
    """`tf.estimator.LinearClassifier(feature_columns, model_dir=None, n_classes=2, weight_column=None,
    label_vocabulary=None, optimizer='Ftrl', config=None, partitioner=None, warm_start_from=None,
    loss_reduction=tf.losses.Reduction.SUM, sparse_combiner='sum')`: logistic (2 classes) or softmax
    regression. The default learning rate is min(0.2, 1/sqrt(number of columns)). Predictions: 'logits',
    'probabilities', 'class_ids', 'classes' (+ 'logistic' for 2 classes); eval metrics as TF's heads."""

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column=None, label_vocabulary=None,
                 optimizer="Ftrl", config=None, partitioner=None, warm_start_from=None,
                 loss_reduction=_losses.Reduction.SUM, sparse_combiner="sum"):
        head = classification_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        super().__init__(head, feature_columns, model_dir, optimizer, config, warm_start_from, sparse_combiner)


class LinearRegressor(_LinearEstimator):
    """`tf.estimator.LinearRegressor(feature_columns, model_dir=None, label_dimension=1, weight_column=None,
    optimizer='Ftrl', config=None, partitioner=None, warm_start_from=None,
    loss_reduction=tf.losses.Reduction.SUM, sparse_combiner='sum')`: least-squares linear regression;
    predictions {'predictions': [batch, label_dimension]}."""

    def __init__(self, feature_columns, model_dir=None, label_dimension=1, weight_column=None, optimizer="Ftrl",
                 config=None, partitioner=None, warm_start_from=None, loss_reduction=_losses.Reduction.SUM,
                 sparse_combiner="sum"):
        head = regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(head, feature_columns, model_dir, optimizer, config, warm_start_from, sparse_combiner)
