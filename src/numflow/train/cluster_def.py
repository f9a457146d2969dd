"""The cluster protos of tensorflow/core/protobuf/cluster.proto and tensorflow_server.proto:
`tf.train.JobDef`, `tf.train.ClusterDef`, `tf.train.ServerDef`.

They are messages like `tf.ConfigProto` (client/config.py): TF's field names and numbers, so their bytes
parse in TensorFlow and TensorFlow's parse here. `JobDef.tasks` is a protobuf map (task index -> address):
it reads and writes as a dict and travels on the wire as map entries, which is how protobuf encodes maps.
`tf.train.ClusterSpec(cluster_def)` accepts a ClusterDef and `ClusterSpec.as_cluster_def()` builds one.
"""
from ..client.config import ConfigProto, _ProtoMessage
from ..io import wire
from ..io.proto import Message

__all__ = ["JobDef", "ClusterDef", "ServerDef"]


class _TaskEntry(Message):
    """One (task index, address) entry of JobDef's `tasks` map on the wire."""

    FIELDS = {"key": (1, "int32", False), "value": (2, "string", False)}


_TASKS_FIELD_NUMBER = 2


class JobDef(_ProtoMessage):
    """`tf.train.JobDef(name=..., tasks={index: 'host:port'})`: one job of a cluster."""

    FIELDS = {"name": (1, "string", False)}
    _EXTRA_FIELDS = ("tasks",)

    def __init__(self, tasks=None, **fields):
        super().__init__(**fields)
        object.__setattr__(self, "tasks", {})
        for index, address in dict(tasks or {}).items():
            self.tasks[int(index)] = str(address)

    def SerializeToString(self):  # noqa: N802 - protobuf's API
        writer = wire.Writer()
        for index in sorted(self.tasks):
            writer.message(_TASKS_FIELD_NUMBER, _TaskEntry(key=index, value=self.tasks[index]).SerializeToString())
        return super().SerializeToString() + writer.getvalue()

    def ParseFromString(self, data):  # noqa: N802
        length = super().ParseFromString(data)
        tasks = {}
        for raw in wire.parse(data).get(_TASKS_FIELD_NUMBER, []):
            entry = _TaskEntry.FromString(wire.as_bytes(raw))
            tasks[entry.key] = entry.value
        object.__setattr__(self, "tasks", tasks)
        return length

    def __repr__(self):
        return "JobDef(name=%r, tasks=%r)" % (self.name, self.tasks)


class ClusterDef(_ProtoMessage):
    """`tf.train.ClusterDef(job=[JobDef, ...])`: the jobs of a cluster (what ClusterSpec describes)."""

    FIELDS = {"job": (1, "message", True, JobDef)}


class ServerDef(_ProtoMessage):
    """`tf.train.ServerDef(cluster=, job_name=, task_index=, default_session_config=, protocol=, port=)`:
    which task of which cluster a `tf.train.Server` serves."""

    FIELDS = {"cluster": (1, "message", False, ClusterDef), "job_name": (2, "string", False),
              "task_index": (3, "int32", False), "default_session_config": (4, "message", False, ConfigProto),
              "protocol": (5, "string", False), "port": (6, "int32", False)}
