"""`hvd.BroadcastGlobalVariablesHook`: broadcasts the root rank's variables once a MonitoredSession has
created (initialized or restored) them, so every rank trains from the same starting point."""
from ..train.session_run_hook import SessionRunHook
from .functions import broadcast_global_variables

__all__ = ["BroadcastGlobalVariablesHook"]


class BroadcastGlobalVariablesHook(SessionRunHook):
    """`hvd.BroadcastGlobalVariablesHook(root_rank, device='')`: a SessionRunHook that runs
    `broadcast_global_variables(root_rank)` right after the session is created (and again after any
    re-creation, since a recovered session re-initializes)."""

    def __init__(self, root_rank, device=""):
        super().__init__()
        self.root_rank = root_rank
        self.device = device
        self.bcast_op = None
        self._graph = None

    def begin(self):
        from ..framework.graph import device, get_default_graph
        graph = get_default_graph()
        if self.bcast_op is None or self._graph is not graph:
            with device(self.device):
                self.bcast_op = broadcast_global_variables(self.root_rank)
            self._graph = graph

    def after_create_session(self, session, coord):
        session.run(self.bcast_op)
