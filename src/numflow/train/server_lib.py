"""`tf.train.ClusterSpec`, `tf.train.Server` and `tf.train.replica_device_setter`.

These are TF1's parameter-server vocabulary. numflow describes clusters and places ops by them exactly as
TF does (so graphs built for between-graph replication construct unchanged, and their devices read the
same), but it runs no gRPC servers: a Server for a cluster of several tasks is an UnimplementedError that
points at `numflow.horovod`, the supported way to train on many processes and machines (data-parallel
allreduce over MPI). A single-task cluster (`Server.create_local_server()`) works: its target runs
in-process.
"""
from ..framework import errors
from ..framework.device_spec import DeviceSpec

__all__ = ["ClusterSpec", "Server", "replica_device_setter"]

_HOROVOD_HINT = ("numflow runs no parameter servers. To train on several processes or machines, use "
                 "data-parallel training with numflow.horovod (`import horovod.tensorflow as hvd` under "
                 "`numflow run`; hvd.init(), hvd.DistributedOptimizer(opt), "
                 "hvd.BroadcastGlobalVariablesHook(0); launch with `horovodrun -np N` or `mpiexec -n N`).")


class ClusterSpec:
    """`tf.train.ClusterSpec(cluster)`: the jobs of a cluster and their tasks' network addresses.

    `cluster` is a dict mapping each job name to a list of 'host:port' addresses (task i is the i-th) or to
    a dict {task_index: address} for sparse task sets, another ClusterSpec, or a `tf.train.ClusterDef`."""

    def __init__(self, cluster):
        from .cluster_def import ClusterDef
        if isinstance(cluster, ClusterSpec):
            self._jobs = {job: dict(tasks) for job, tasks in cluster._jobs.items()}
            return
        if isinstance(cluster, ClusterDef):
            self._jobs = {}
            for job in cluster.job:
                if job.name in self._jobs:
                    raise ValueError("Duplicated job name: %r" % job.name)
                self._jobs[job.name] = dict(job.tasks)
            return
        if not isinstance(cluster, dict):
            raise TypeError("`cluster` must be a dictionary mapping one or more job names to lists of "
                            "network addresses, or a `ClusterSpec`.")
        self._jobs = {}
        for job, tasks in cluster.items():
            if not isinstance(job, str):
                raise TypeError("Job name %r must be a string" % (job,))
            if isinstance(tasks, (list, tuple)):
                self._jobs[job] = {index: str(address) for index, address in enumerate(tasks)}
            elif isinstance(tasks, dict):
                for index in tasks:
                    if not isinstance(index, int):
                        raise TypeError("Task index %r of job %r must be an integer" % (index, job))
                self._jobs[job] = {index: str(address) for index, address in tasks.items()}
            else:
                raise TypeError("The tasks for job %r must be a list or a dictionary from integers to "
                                "strings." % job)

    def __bool__(self):
        return bool(self._jobs)

    def __eq__(self, other):
        return isinstance(other, ClusterSpec) and self._jobs == other._jobs

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(repr(self))

    def __repr__(self):
        return "ClusterSpec(%r)" % self.as_dict()

    @property
    def jobs(self):
        """The job names, sorted."""
        return sorted(self._jobs)

    def _tasks(self, job_name):
        try:
            return self._jobs[job_name]
        except KeyError:
            raise ValueError("No such job in cluster: %r" % job_name) from None

    def num_tasks(self, job_name):
        """The number of tasks of `job_name`; ValueError for an unknown job."""
        return len(self._tasks(job_name))

    def task_indices(self, job_name):
        """The task indices of `job_name`, ascending."""
        return sorted(self._tasks(job_name))

    def task_address(self, job_name, task_index):
        """The address of task `task_index` of `job_name`."""
        tasks = self._tasks(job_name)
        try:
            return tasks[task_index]
        except KeyError:
            raise ValueError("No task with index %r in job %r" % (task_index, job_name)) from None

    def job_tasks(self, job_name):
        """The addresses of `job_name`'s tasks in index order, None where an index is missing."""
        tasks = self._tasks(job_name)
        if not tasks:
            return []
        return [tasks.get(index) for index in range(max(tasks) + 1)]

    def as_dict(self):
        """{job: [addresses]} when a job's indices are 0..n-1, else {job: {index: address}}."""
        result = {}
        for job, tasks in self._jobs.items():
            dense = sorted(tasks) == list(range(len(tasks)))
            result[job] = [tasks[i] for i in range(len(tasks))] if dense else dict(tasks)
        return result

    def as_cluster_def(self):
        """This cluster as a `tf.train.ClusterDef`, its jobs in name order."""
        from .cluster_def import ClusterDef, JobDef
        return ClusterDef(job=[JobDef(name=job, tasks=self._jobs[job]) for job in self.jobs])


class Server:
    """`tf.train.Server(server_or_cluster_def, job_name=None, task_index=None, protocol=None, config=None,
    start=True)`: an in-process server for one task of a cluster.

    Only a cluster of one task is served (its target runs Sessions in this process). A server that would
    have to exchange tensors with other tasks raises UnimplementedError naming numflow.horovod, which
    trains on many processes by allreduce instead of parameter servers."""

    def __init__(self, server_or_cluster_def, job_name=None, task_index=None, protocol=None, config=None,
                 start=True):
        from .cluster_def import ServerDef
        if isinstance(server_or_cluster_def, ServerDef):
            server_def = server_or_cluster_def
            job_name = server_def.job_name if job_name is None else job_name
            task_index = server_def.task_index if task_index is None else task_index
            protocol = protocol or server_def.protocol or None
            config = config if config is not None else server_def.default_session_config
            server_or_cluster_def = server_def.cluster
        cluster = ClusterSpec(server_or_cluster_def)
        if job_name is None:
            if len(cluster.jobs) != 1:
                raise ValueError("Must specify an explicit `job_name`.")
            job_name = cluster.jobs[0]
        if task_index is None:
            indices = cluster.task_indices(job_name)
            if len(indices) != 1:
                raise ValueError("Must specify an explicit `task_index`.")
            task_index = indices[0]
        self._address = cluster.task_address(job_name, task_index)
        self._cluster = cluster
        self._job_name, self._task_index = job_name, task_index
        self._protocol = protocol or "grpc"
        self._config = config
        if start:
            self.start()

    @staticmethod
    def create_local_server(config=None, start=True):
        """A server for a one-task cluster on localhost; Sessions on its target run in this process."""
        return Server({"localhost": ["localhost:0"]}, protocol="grpc", config=config, start=start)

    @property
    def target(self):
        """The Session target of this server ('grpc://host:port')."""
        return "%s://%s" % (self._protocol, self._address)

    @property
    def server_def(self):
        """The cluster, job name and task index this server was made for."""
        return {"cluster": self._cluster.as_dict(), "job_name": self._job_name, "task_index": self._task_index,
                "protocol": self._protocol}

    def _check_single_task(self):
        tasks = sum(self._cluster.num_tasks(job) for job in self._cluster.jobs)
        if tasks > 1:
            raise errors.UnimplementedError(
                None, None, "tf.train.Server for task %d of job %r in a cluster of %d tasks: %s"
                % (self._task_index, self._job_name, tasks, _HOROVOD_HINT))

    def start(self):
        """Starts the server: UnimplementedError for a cluster of more than one task."""
        self._check_single_task()

    def join(self):
        """Blocks until the server shuts down, in TF; a parameter server's loop. UnimplementedError here
        (it would wait for workers that cannot connect)."""
        raise errors.UnimplementedError(None, None, "tf.train.Server.join(): %s" % _HOROVOD_HINT)


_DEFAULT_PS_OPS = ("Variable", "VariableV2", "AutoReloadVariable", "MutableHashTable", "MutableHashTableV2",
                   "MutableHashTableOfTensors", "MutableHashTableOfTensorsV2", "MutableDenseHashTable",
                   "MutableDenseHashTableV2", "VarHandleOp", "BoostedTreesEnsembleResourceHandleOp")


class _RoundRobin:
    """The default ps_strategy: the n-th variable goes to ps task n mod ps_tasks."""

    def __init__(self, ps_tasks):
        self._ps_tasks = ps_tasks
        self._next = 0

    def __call__(self, op):
        task = self._next
        self._next = (self._next + 1) % self._ps_tasks
        return task


def replica_device_setter(ps_tasks=0, ps_device="/job:ps", worker_device="/job:worker", merge_devices=True,
                          cluster=None, ps_ops=None, ps_strategy=None):
    """`tf.train.replica_device_setter(...)`: a device function for `tf.device` that puts variables (ops
    whose type is in `ps_ops`) on the parameter-server tasks, round robin unless `ps_strategy(op)` chooses
    the task, and every other op on `worker_device`. A device the op already has (from an inner scope)
    keeps its fields. Returns None when there are no ps tasks (`ps_tasks=0` and no 'ps' job in `cluster`)."""
    if cluster is not None:
        cluster_spec = ClusterSpec(cluster)
        ps_tasks = cluster_spec.num_tasks("ps") if "ps" in cluster_spec.jobs else 0
    if ps_tasks == 0:
        return None
    if ps_ops is None:
        ps_ops = list(_DEFAULT_PS_OPS)
    if not merge_devices:
        import warnings
        warnings.warn("DEPRECATION: It is recommended to set merge_devices=true in replica_device_setter")
    if ps_strategy is None:
        ps_strategy = _RoundRobin(ps_tasks)
    elif not callable(ps_strategy):
        raise TypeError("ps_strategy must be callable")
    ps_spec = DeviceSpec.from_string(ps_device or "")
    worker_spec = DeviceSpec.from_string(worker_device or "")
    ps_types = frozenset(ps_ops)

    def choose_device(op):
        current = DeviceSpec.from_string(op.device or "")
        if ps_device and op.type in ps_types:
            spec = ps_spec
            if spec.job and (not current.job or current.job == spec.job):
                spec = spec.replace(task=ps_strategy(op))
            return spec.make_merged_spec(current).to_string()
        return worker_spec.make_merged_spec(current).to_string()

    return choose_device
