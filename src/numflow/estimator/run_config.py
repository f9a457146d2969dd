"""`tf.estimator.RunConfig`: where and how often an Estimator saves checkpoints and summaries."""
__all__ = ["RunConfig"]

_USE_DEFAULT = object()
_DEFAULT_SAVE_CHECKPOINTS_SECS = 600

_REPLACEABLE = ("model_dir", "tf_random_seed", "save_summary_steps", "save_checkpoints_steps",
                "save_checkpoints_secs", "session_config", "keep_checkpoint_max", "keep_checkpoint_every_n_hours",
                "log_step_count_steps", "train_distribute", "device_fn", "protocol", "eval_distribute",
                "experimental_distribute", "experimental_max_worker_delay_secs", "session_creation_timeout_secs")


def _check_non_negative(name, value):
    if value is not None and value < 0:
        raise ValueError("%s should be >= 0, given: %r" % (name, value))


class RunConfig:
    """`tf.estimator.RunConfig(model_dir=None, tf_random_seed=None, save_summary_steps=100,
    save_checkpoints_steps=None, save_checkpoints_secs=600, session_config=None, keep_checkpoint_max=5,
    keep_checkpoint_every_n_hours=10000, log_step_count_steps=100, ...)`.

    Checkpoints are saved every `save_checkpoints_secs` seconds (600 when neither is given) or every
    `save_checkpoints_steps` steps, never both (ValueError); None for both saves only the first and the
    last. numflow runs one local process, so the cluster fields describe a single chief worker."""

    def __init__(self, model_dir=None, tf_random_seed=None, save_summary_steps=100,
                 save_checkpoints_steps=_USE_DEFAULT, save_checkpoints_secs=_USE_DEFAULT, session_config=None,
                 keep_checkpoint_max=5, keep_checkpoint_every_n_hours=10000, log_step_count_steps=100,
                 train_distribute=None, device_fn=None, protocol=None, eval_distribute=None,
                 experimental_distribute=None, experimental_max_worker_delay_secs=None,
                 session_creation_timeout_secs=7200):
        if save_checkpoints_steps is _USE_DEFAULT and save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_steps, save_checkpoints_secs = None, _DEFAULT_SAVE_CHECKPOINTS_SECS
        elif save_checkpoints_steps is _USE_DEFAULT:
            save_checkpoints_steps = None
        elif save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_secs = None
        if save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise ValueError("Can not provide both save_checkpoints_steps and save_checkpoints_secs.")
        for name, value in (("save_summary_steps", save_summary_steps),
                            ("save_checkpoints_steps", save_checkpoints_steps),
                            ("save_checkpoints_secs", save_checkpoints_secs),
                            ("keep_checkpoint_max", keep_checkpoint_max),
                            ("keep_checkpoint_every_n_hours", keep_checkpoint_every_n_hours),
                            ("log_step_count_steps", log_step_count_steps)):
            _check_non_negative(name, value)
        if tf_random_seed is not None and not isinstance(tf_random_seed, int):
            raise ValueError("tf_random_seed must be integer, given: %r" % (tf_random_seed,))
        self._model_dir = model_dir
        self._tf_random_seed = tf_random_seed
        self._save_summary_steps = save_summary_steps
        self._save_checkpoints_steps = save_checkpoints_steps
        self._save_checkpoints_secs = save_checkpoints_secs
        self._session_config = session_config
        self._keep_checkpoint_max = keep_checkpoint_max
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._log_step_count_steps = log_step_count_steps
        self._train_distribute = train_distribute
        self._device_fn = device_fn
        self._protocol = protocol
        self._eval_distribute = eval_distribute
        self._experimental_distribute = experimental_distribute
        self._experimental_max_worker_delay_secs = experimental_max_worker_delay_secs
        self._session_creation_timeout_secs = session_creation_timeout_secs

    def replace(self, **kwargs):
        """A copy with the given fields changed (ValueError for a field RunConfig cannot replace)."""
        for key in kwargs:
            if key not in _REPLACEABLE:
                raise ValueError("%s is not allowed to be replace in RunConfig." % key)
        fields = {key: getattr(self, "_" + key) for key in _REPLACEABLE}
        both_given = "save_checkpoints_steps" in kwargs and "save_checkpoints_secs" in kwargs
        if "save_checkpoints_steps" in kwargs and not both_given:
            fields["save_checkpoints_secs"] = None
        if "save_checkpoints_secs" in kwargs and not both_given:
            fields["save_checkpoints_steps"] = None
        fields.update(kwargs)
        return RunConfig(**fields)

    def __repr__(self):
        return "RunConfig(%s)" % ", ".join("%s=%r" % (key, getattr(self, "_" + key)) for key in _REPLACEABLE)

    # --- the fields ------------------------------------------------------------------------------
    model_dir = property(lambda self: self._model_dir)
    tf_random_seed = property(lambda self: self._tf_random_seed)
    save_summary_steps = property(lambda self: self._save_summary_steps)
    save_checkpoints_steps = property(lambda self: self._save_checkpoints_steps)
    save_checkpoints_secs = property(lambda self: self._save_checkpoints_secs)
    session_config = property(lambda self: self._session_config)
    keep_checkpoint_max = property(lambda self: self._keep_checkpoint_max)
    keep_checkpoint_every_n_hours = property(lambda self: self._keep_checkpoint_every_n_hours)
    log_step_count_steps = property(lambda self: self._log_step_count_steps)
    train_distribute = property(lambda self: self._train_distribute)
    eval_distribute = property(lambda self: self._eval_distribute)
    experimental_distribute = property(lambda self: self._experimental_distribute)
    experimental_max_worker_delay_secs = property(lambda self: self._experimental_max_worker_delay_secs)
    session_creation_timeout_secs = property(lambda self: self._session_creation_timeout_secs)
    device_fn = property(lambda self: self._device_fn)
    protocol = property(lambda self: self._protocol)

    # --- the cluster: one local chief ------------------------------------------------------------
    cluster_spec = property(lambda self: None)
    evaluation_master = property(lambda self: "")
    master = property(lambda self: "")
    is_chief = property(lambda self: True)
    task_type = property(lambda self: "worker")
    task_id = property(lambda self: 0)
    global_id_in_cluster = property(lambda self: 0)
    num_ps_replicas = property(lambda self: 0)
    num_worker_replicas = property(lambda self: 1)
    service = property(lambda self: None)
