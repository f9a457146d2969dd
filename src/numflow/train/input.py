"""TF1's queue-based input pipeline builders: the producers (`string_input_producer`, `input_producer`,
`range_input_producer`, `slice_input_producer`, `limit_epochs`, `match_filenames_once`) and the batchers
(`batch`, `shuffle_batch`, their `_join` and `maybe_` forms).

Each builder makes a queue, the ops that fill it, and a `QueueRunner` registered in the graph's
QUEUE_RUNNERS collection; `tf.train.start_queue_runners` then runs those ops in threads. `num_epochs`
counts with a LOCAL variable (`tf.local_variables_initializer()` must run first, as in TF); after the last
epoch the producer's queue closes and the consumer's next dequeue raises tf.errors.OutOfRangeError.
"""
import numpy as np

from ..framework import dtypes
from ..framework.graph import (GraphKeys, Tensor, control_dependencies, convert_to_tensor, is_tensor_like,
                               name_scope)
from ..framework.nest import flatten, pack_sequence_as
from ..framework.tensor_shape import TensorShape, as_shape
from ..ops import array, control, io_ops, math
from ..ops.data_flow import FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue, count_up_to
from .queue_runner import QueueRunner, add_queue_runner

__all__ = ["match_filenames_once", "limit_epochs", "input_producer", "string_input_producer",
           "range_input_producer", "slice_input_producer", "batch", "maybe_batch", "batch_join",
           "maybe_batch_join", "shuffle_batch", "maybe_shuffle_batch", "shuffle_batch_join",
           "maybe_shuffle_batch_join"]


# --- producers ------------------------------------------------------------------------------------
def match_filenames_once(pattern, name=None):
    """`tf.train.match_filenames_once(pattern, name=None)`: a LOCAL variable holding the sorted names of the
    files matching the glob `pattern` (a string or list of them), computed when the variable is
    initialized (`tf.local_variables_initializer()`)."""
    from ..variables import Variable
    with name_scope(name, "matching_filenames") as scope:
        return Variable(io_ops.matching_files(pattern), name=scope, trainable=False, validate_shape=False,
                        collections=[GraphKeys.LOCAL_VARIABLES])


def limit_epochs(tensor, num_epochs=None, name=None):
    """`tf.train.limit_epochs(tensor, num_epochs=None, name=None)`: `tensor`, but evaluating it more than
    `num_epochs` times raises tf.errors.OutOfRangeError. The count is a LOCAL variable ('epochs'), so
    `tf.local_variables_initializer()` must run first. None: no limit."""
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError("num_epochs must be > 0 not %d." % num_epochs)
    from ..variables import Variable
    with name_scope(name, "limit_epochs") as scope:
        epochs = Variable(np.int64(0), name="epochs", trainable=False, collections=[GraphKeys.LOCAL_VARIABLES])
        counter = count_up_to(epochs, num_epochs)
        with control_dependencies([counter]):
            return control.identity(tensor, name=scope)


def _fraction_full_summary(tag, queue, capacity):
    from .. import summary
    fraction = math.cast(queue.size(), dtypes.float32) * (1.0 / capacity)
    summary.scalar(tag, fraction)


def input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True, seed=None, capacity=32,
                   shared_name=None, summary_name=None, name=None, cancel_op=None):
    """`tf.train.input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True, seed=None,
    capacity=32, shared_name=None, summary_name=None, name=None, cancel_op=None)`: a FIFOQueue filled,
    one epoch per enqueue, with the rows of `input_tensor` (shuffled anew each epoch when `shuffle`),
    `num_epochs` times (forever when None). Returns the queue."""
    with name_scope(name, "input_producer") as scope:
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        known = input_tensor.shape.with_rank_at_least(1)
        row_shape = TensorShape(known.dims[1:]) if known.ndims is not None else TensorShape(None)
        row_shape = row_shape.merge_with(as_shape(element_shape))
        if not row_shape.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or `element_shape` must "
                             "be specified")
        if shuffle:
            from ..ops.random import random_shuffle
            input_tensor = random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        queue = FIFOQueue(capacity=capacity, dtypes=[input_tensor.dtype], shapes=[row_shape],
                          shared_name=shared_name, name=scope)
        enqueue = queue.enqueue_many([input_tensor])
        add_queue_runner(QueueRunner(queue, [enqueue], cancel_op=cancel_op))
        if summary_name is not None:
            _fraction_full_summary(summary_name, queue, capacity)
        return queue


_NOT_NULL_ERROR = "string_input_producer requires a non-null input tensor"


def string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None, capacity=32,
                          shared_name=None, name=None, cancel_op=None):
    """`tf.train.string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None,
    capacity=32, shared_name=None, name=None, cancel_op=None)`: a queue of the strings (file names) of the
    1-D `string_tensor`, each epoch shuffled when `shuffle`, for readers to consume. An empty list is a
    ValueError; an empty tensor fails at run time (InvalidArgumentError)."""
    if not is_tensor_like(string_tensor) and len(string_tensor) == 0:
        raise ValueError(_NOT_NULL_ERROR)
    from ..ops.debug import Assert
    with name_scope(name, "input_producer") as scope:
        string_tensor = convert_to_tensor(string_tensor, dtype=dtypes.string)
        with control_dependencies([Assert(math.greater(array.size(string_tensor), 0), [_NOT_NULL_ERROR])]):
            string_tensor = control.identity(string_tensor)
        return input_producer(string_tensor, element_shape=[], num_epochs=num_epochs, shuffle=shuffle,
                              seed=seed, capacity=capacity, shared_name=shared_name, name=scope,
                              summary_name="fraction_of_%d_full" % capacity, cancel_op=cancel_op)


def range_input_producer(limit, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None,
                         name=None):
    """`tf.train.range_input_producer(limit, num_epochs=None, shuffle=True, seed=None, capacity=32,
    shared_name=None, name=None)`: a queue of the int32 numbers 0 .. limit-1, each epoch shuffled when
    `shuffle`."""
    with name_scope(name, "input_producer") as scope:
        range_tensor = array.range(limit)
        return input_producer(range_tensor, [], num_epochs, shuffle, seed, capacity, shared_name,
                              "fraction_of_%d_full" % capacity, scope)


def slice_input_producer(tensor_list, num_epochs=None, shuffle=True, seed=None, capacity=32,
                         shared_name=None, name=None):
    """`tf.train.slice_input_producer(tensor_list, num_epochs=None, shuffle=True, seed=None, capacity=32,
    shared_name=None, name=None)`: one row (slice along dimension 0) of every tensor in `tensor_list`,
    the same row of each, a different row per evaluation, every row once per epoch. Returns the list of
    row tensors."""
    with name_scope(name, "input_producer"):
        tensor_list = [convert_to_tensor(t) for t in tensor_list]
        if not tensor_list:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        rows = TensorShape(None)
        for tensor in tensor_list:
            known = tensor.shape.with_rank_at_least(1)
            if known.ndims is not None:
                rows = rows.merge_with(TensorShape(known.dims[:1]))
        queue = range_input_producer(array.shape(tensor_list[0])[0], num_epochs=num_epochs, shuffle=shuffle,
                                     seed=seed, capacity=capacity, shared_name=shared_name)
        index = queue.dequeue()
        return [array.gather(t, index) for t in tensor_list]


# --- structures of tensors ------------------------------------------------------------------------
def _validate(tensors, what):
    flat = [convert_to_tensor(t) for t in flatten(tensors)]
    if not flat:
        raise ValueError("Expected at least one tensor in %s()." % what)
    return flat


def _validate_join(tensors_list, what):
    if not tensors_list:
        raise ValueError("Expecting at least one tensor in %s()." % what)
    flat_list = [_validate(tensors, what) for tensors in tensors_list]
    for index, flat in enumerate(flat_list[1:], start=1):
        if len(flat) != len(flat_list[0]):
            raise ValueError("Expected %d tensors in tensors_list[%d], but got %d"
                             % (len(flat_list[0]), index, len(flat)))
        for first, other in zip(flat_list[0], flat):
            if first.dtype is not other.dtype:
                raise TypeError("Expected types to be consistent: %s vs. %s."
                                % ([t.dtype.name for t in flat_list[0]], [t.dtype.name for t in flat]))
    return flat_list


def _shapes(flat_list, shapes, enqueue_many):
    """The queue's component shapes: `shapes`, or the merged static shapes of the tensors (less the
    batch dimension with `enqueue_many`)."""
    if shapes is not None:
        return [as_shape(s) for s in shapes]
    merged = []
    for position in range(len(flat_list[0])):
        shape = TensorShape(None)
        for flat in flat_list:
            tensor = flat[position]
            if tensor.shape.ndims is None:
                raise ValueError("Cannot infer Tensor's rank: %s" % tensor)
            own = tensor.shape
            if enqueue_many:
                own = TensorShape(own.with_rank_at_least(1).dims[1:])
            shape = shape.merge_with(own)
        merged.append(shape)
    return merged


def _keep_input(keep_input, enqueue_many):
    """None when every input is kept, else the bool tensor: a scalar, or with enqueue_many a scalar or
    a vector (one flag per row)."""
    if keep_input is True or (isinstance(keep_input, (bool, np.bool_)) and keep_input):
        return None
    keep_input = convert_to_tensor(keep_input, dtype=dtypes.bool, name="keep_input")
    rank = keep_input.shape.ndims
    if rank is None:
        raise ValueError("keep_input dimensions must be known at graph construction.")
    if not enqueue_many and rank != 0:
        raise ValueError("`keep_input` must be a scalar when enqueue_many=False, got shape %s" % keep_input.shape)
    if rank > 1:
        raise ValueError("`keep_input` must be 0 or 1 dimensions, got shape %s" % keep_input.shape)
    return keep_input


def _enqueue_op(queue, flat, enqueue_many, keep_input):
    """The op adding `flat` (one element, or rows with enqueue_many) to `queue`, only the kept ones."""
    if keep_input is None:
        return queue.enqueue_many(flat) if enqueue_many else queue.enqueue(flat)
    if not enqueue_many:
        flat = [array.expand_dims(t, 0) for t in flat]
    if keep_input.shape.ndims == 0:
        rows = array.shape(flat[0])[:1]
        keep_input = array.fill(rows, keep_input)
    return queue.enqueue_many([array.boolean_mask(t, keep_input) for t in flat])


def _add_runner(queue, enqueue_ops):
    add_queue_runner(QueueRunner(queue, enqueue_ops))


def _dequeue(queue, batch_size, allow_smaller_final_batch, name):
    if allow_smaller_final_batch:
        dequeued = queue.dequeue_up_to(batch_size, name=name)
    else:
        dequeued = queue.dequeue_many(batch_size, name=name)
    return [dequeued] if isinstance(dequeued, Tensor) else list(dequeued)


def _batch(structure, flat_list, batch_size, keep_input, enqueue_ops_per_list, capacity, enqueue_many, shapes,
           dynamic_pad, allow_smaller_final_batch, shared_name, name, default_name, shuffle=None):
    """The body of every batcher: one queue, its enqueue ops and runner, its summary, the batch dequeue.
    `shuffle` is (min_after_dequeue, seed) for the shuffling batchers."""
    with name_scope(name, default_name) as scope:
        keep_input = _keep_input(keep_input, enqueue_many)
        types = [t.dtype for t in flat_list[0]]
        queue_shapes = _shapes(flat_list, shapes, enqueue_many)
        if shuffle is not None:
            min_after_dequeue, seed = shuffle
            queue = RandomShuffleQueue(capacity=capacity, min_after_dequeue=min_after_dequeue, seed=seed,
                                       dtypes=types, shapes=queue_shapes, shared_name=shared_name)
        elif dynamic_pad:
            queue = PaddingFIFOQueue(capacity=capacity, dtypes=types, shapes=queue_shapes,
                                     shared_name=shared_name)
        else:
            queue = FIFOQueue(capacity=capacity, dtypes=types, shapes=queue_shapes, shared_name=shared_name)
        enqueue_ops = [_enqueue_op(queue, flat, enqueue_many, keep_input)
                       for flat in flat_list for _ in range(enqueue_ops_per_list)]
        _add_runner(queue, enqueue_ops)
        from .. import summary
        if shuffle is None:
            summary.scalar("fraction_of_%d_full" % capacity,
                           math.cast(queue.size(), dtypes.float32) * (1.0 / capacity))
        else:
            over = math.cast(math.maximum(0, queue.size() - min_after_dequeue), dtypes.float32)
            summary.scalar("fraction_over_%d_of_%d_full" % (min_after_dequeue, capacity - min_after_dequeue),
                           over * (1.0 / (capacity - min_after_dequeue)))
        return pack_sequence_as(structure, _dequeue(queue, batch_size, allow_smaller_final_batch, scope))


def batch(tensors, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None, dynamic_pad=False,
          allow_smaller_final_batch=False, shared_name=None, name=None):
    """`tf.train.batch(tensors, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None,
    dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None)`: batches of
    `batch_size` examples of `tensors` (a tensor, list, tuple or dict of them; the result has the same
    structure), in order, filled by `num_threads` threads through a FIFOQueue of `capacity`. With
    `enqueue_many`, each tensor holds a batch of examples along dimension 0. `dynamic_pad` pads the
    None dimensions of `shapes` to the batch's largest example; `allow_smaller_final_batch` gives a
    last, smaller batch instead of OutOfRangeError for the remainder."""
    return maybe_batch(tensors, True, batch_size, num_threads, capacity, enqueue_many, shapes, dynamic_pad,
                       allow_smaller_final_batch, shared_name, name)


def maybe_batch(tensors, keep_input, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None,
                dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """`tf.train.maybe_batch`: `batch`, enqueuing only the examples whose `keep_input` is True (a scalar
    bool, or with enqueue_many a vector of one flag per example)."""
    flat = _validate(tensors, "batch")
    return _batch(tensors, [flat], batch_size, keep_input, num_threads, capacity, enqueue_many, shapes,
                  dynamic_pad, allow_smaller_final_batch, shared_name, name, "batch")


def batch_join(tensors_list, batch_size, capacity=32, enqueue_many=False, shapes=None, dynamic_pad=False,
               allow_smaller_final_batch=False, shared_name=None, name=None):
    """`tf.train.batch_join(tensors_list, batch_size, capacity=32, ...)`: like `batch`, with one enqueuing
    thread per element of `tensors_list` (structures of tensors with the same dtypes), mixing examples
    from several readers."""
    return maybe_batch_join(tensors_list, True, batch_size, capacity, enqueue_many, shapes, dynamic_pad,
                            allow_smaller_final_batch, shared_name, name)


def maybe_batch_join(tensors_list, keep_input, batch_size, capacity=32, enqueue_many=False, shapes=None,
                     dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """`tf.train.maybe_batch_join`: `batch_join` enqueuing only the examples whose `keep_input` is True."""
    flat_list = _validate_join(tensors_list, "batch_join")
    return _batch(tensors_list[0], flat_list, batch_size, keep_input, 1, capacity, enqueue_many, shapes,
                  dynamic_pad, allow_smaller_final_batch, shared_name, name, "batch_join")


def shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, num_threads=1, seed=None,
                  enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None, name=None):
    """`tf.train.shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, num_threads=1, seed=None,
    enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None, name=None)`:
    batches of examples drawn at random from a RandomShuffleQueue of `capacity` that keeps at least
    `min_after_dequeue` examples to mix (until the input ends). `seed` makes the order repeatable."""
    return maybe_shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, True, num_threads, seed,
                               enqueue_many, shapes, allow_smaller_final_batch, shared_name, name)


def maybe_shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, keep_input, num_threads=1, seed=None,
                        enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None,
                        name=None):
    """`tf.train.maybe_shuffle_batch`: `shuffle_batch` enqueuing only the examples whose `keep_input` is
    True."""
    flat = _validate(tensors, "shuffle_batch")
    return _batch(tensors, [flat], batch_size, keep_input, num_threads, capacity, enqueue_many, shapes, False,
                  allow_smaller_final_batch, shared_name, name, "shuffle_batch", (min_after_dequeue, seed))


def shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, seed=None, enqueue_many=False,
                       shapes=None, allow_smaller_final_batch=False, shared_name=None, name=None):
    """`tf.train.shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, ...)`:
    `shuffle_batch` with one enqueuing thread per element of `tensors_list`."""
    return maybe_shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, True, seed,
                                    enqueue_many, shapes, allow_smaller_final_batch, shared_name, name)


def maybe_shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, keep_input, seed=None,
                             enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None,
                             name=None):
    """`tf.train.maybe_shuffle_batch_join`: `shuffle_batch_join` enqueuing only the examples whose
    `keep_input` is True."""
    flat_list = _validate_join(tensors_list, "shuffle_batch_join")
    return _batch(tensors_list[0], flat_list, batch_size, keep_input, 1, capacity, enqueue_many, shapes,
                  False, allow_smaller_final_batch, shared_name, name, "shuffle_batch_join",
                  (min_after_dequeue, seed))
