"""`slim.model_analysis`: sizes of a model's variables and of its ops' outputs, for a quick look at a
network's footprint (`slim.model_analysis.analyze_vars(slim.get_model_variables(), print_info=True)`)."""
__all__ = ["analyze_ops", "analyze_vars", "tensor_description"]


def tensor_description(var):
    """`slim.model_analysis.tensor_description(var)`: '(dtype AxBxC)' for a tensor or variable, '?' for
    an unknown dimension."""
    dims = var.shape.as_list() if var.shape.ndims is not None else []
    return "(%s %s)" % (var.dtype.name, "x".join("?" if d is None else str(d) for d in dims))


def analyze_ops(graph, print_info=False):
    """`slim.model_analysis.analyze_ops(graph, print_info=False)`: the total number of elements of all
    ops' outputs whose shapes are fully known (optionally printing each op's outputs). Returns it."""
    total_size = 0
    if print_info:
        print("---------")
        print("Operations: name -> (type shapes) [size]")
        print("---------")
    for op in graph.get_operations():
        op_size = sum(output.shape.num_elements() or 0 for output in op.outputs)
        total_size += op_size
        if print_info:
            print(op.name, "\t->", ", ".join(tensor_description(output) for output in op.outputs),
                  "[%d]" % op_size)
    return total_size


def analyze_vars(variables, print_info=False):
    """`slim.model_analysis.analyze_vars(variables, print_info=False)`: (total number of elements, total
    bytes) of `variables`, optionally printing each one's name, description and size."""
    total_size = 0
    total_bytes = 0
    if print_info:
        print("---------")
        print("Variables: name (type shape) [size]")
        print("---------")
    for var in variables:
        var_size = var.shape.num_elements() or 0
        var_bytes = var_size * var.dtype.size
        total_size += var_size
        total_bytes += var_bytes
        if print_info:
            print(var.name, tensor_description(var), "[%d, bytes: %d]" % (var_size, var_bytes))
    if print_info:
        print("Total size of variables: %d" % total_size)
        print("Total bytes of variables: %d" % total_bytes)
    return total_size, total_bytes
