"""`hvd.broadcast_variables` and `hvd.broadcast_global_variables`: give every rank the root rank's
variable values (so that ranks that initialized from different seeds start training from the same
point), one fused broadcast per dtype."""
from ..framework.graph import name_scope
from ..ops.control import group
from ..ops.state import assign
from .mpi_ops import broadcast_group

__all__ = ["broadcast_variables", "broadcast_global_variables"]


def broadcast_variables(variables, root_rank):
    """`hvd.broadcast_variables(variables, root_rank)`: an op that assigns `root_rank`'s values of
    `variables` to them on every rank."""
    variables = list(variables)
    if not variables:
        return group(name="broadcast_variables")
    by_dtype = {}
    for variable in variables:
        by_dtype.setdefault(variable.dtype.base_dtype, []).append(variable)
    assigns = []
    with name_scope("broadcast_variables"):
        for members in by_dtype.values():
            received = broadcast_group([v.value() for v in members], root_rank)
            assigns.extend(assign(v, value).op for v, value in zip(members, received))
    return group(*assigns)


def broadcast_global_variables(root_rank):
    """`hvd.broadcast_global_variables(root_rank)`: `broadcast_variables(tf.global_variables(), root_rank)`."""
    from ..variables import global_variables
    return broadcast_variables(global_variables(), root_rank)
