"""`slim.prefetch_queue`: `prefetch_queue(tensors, ...)`, a queue that keeps a few ready batches (or
records) ahead of the consumer, filled by background threads."""
import numflow as tf

__all__ = ["prefetch_queue"]


def prefetch_queue(tensors, capacity=8, num_threads=1, dynamic_pad=False, shared_name=None, name=None):
    """`slim.prefetch_queue.prefetch_queue(tensors, capacity=8, num_threads=1, dynamic_pad=False,
    shared_name=None, name=None)`: a FIFOQueue (a PaddingFIFOQueue with dynamic_pad) of up to `capacity`
    elements with the dtypes and shapes of `tensors` (a list, or a dict whose keys become the queue's
    names), filled with `tensors` by `num_threads` queue-runner threads. `dequeue()` it for the next
    element. A summary reports how full it is. ValueError when `tensors` is empty."""
    if isinstance(tensors, dict):
        names = list(tensors)
        values = [tf.convert_to_tensor(tensors[key]) for key in names]
    else:
        names = None
        values = [tf.convert_to_tensor(tensor) for tensor in tensors]
    if not values:
        raise ValueError("prefetch_queue needs at least one tensor to prefetch")
    with tf.name_scope(name, "prefetch_queue", values) as scope:
        dtypes = [value.dtype.base_dtype for value in values]
        shapes = [value.shape for value in values]
        queue_class = tf.PaddingFIFOQueue if dynamic_pad else tf.FIFOQueue
        queue = queue_class(capacity=capacity, dtypes=dtypes, shapes=shapes, names=names, shared_name=shared_name,
                            name=scope.rstrip("/").split("/")[-1] + "_fifo")
        enqueue_op = queue.enqueue(dict(zip(names, values)) if names else values)
        tf.train.add_queue_runner(tf.train.QueueRunner(queue, [enqueue_op] * num_threads))
        tf.summary.scalar("fraction_of_%d_full" % capacity, tf.cast(queue.size(), tf.float32) * (1.0 / capacity))
        return queue
