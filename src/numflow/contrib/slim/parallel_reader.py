"""`slim.parallel_reader`: reading records from many files with several readers into one queue.

`parallel_read(data_sources, reader_class, ...)` returns one (key, value) record per run, read by
`num_readers` readers of `reader_class` from a (shuffled) queue of the files and gathered in a common
(shuffling) queue; the queue runners it registers must be started (slim.learning.train and
slim.evaluation do; otherwise tf.train.start_queue_runners or slim.queues.QueueRunners).
"""
import numflow as tf

from ...platform import gfile

__all__ = ["ParallelReader", "get_data_files", "parallel_read", "single_pass_read"]


class ParallelReader:
    """`slim.parallel_reader.ParallelReader(reader_class, common_queue, num_readers=4, reader_kwargs=None)`:
    `num_readers` readers of `reader_class` that all read from one filename queue and enqueue their
    (key, value) records into `common_queue`; `read(queue)` returns the common queue's next record."""

    def __init__(self, reader_class, common_queue, num_readers=4, reader_kwargs=None):
        if num_readers <= 0:
            raise ValueError("num_readers must be >= 1, got %r" % (num_readers,))
        reader_kwargs = reader_kwargs or {}
        self._readers = [reader_class(**reader_kwargs) for _ in range(num_readers)]
        self._common_queue = common_queue

    @property
    def num_readers(self):
        return len(self._readers)

    @property
    def common_queue(self):
        return self._common_queue

    def read(self, queue, name=None):
        """(key, value): the next record of the common queue, which the readers fill from the filename
        `queue` (a queue runner for them is added to QUEUE_RUNNERS)."""
        enqueue_ops = [self._common_queue.enqueue(reader.read(queue)) for reader in self._readers]
        tf.train.add_queue_runner(tf.train.QueueRunner(self._common_queue, enqueue_ops))
        return self._common_queue.dequeue(name=name)

    def read_up_to(self, queue, num_records, name=None):
        """(keys, values) of up to `num_records` records of the common queue (fewer only when it closes)."""
        enqueue_ops = [self._common_queue.enqueue_many(reader.read_up_to(queue, num_records))
                       for reader in self._readers]
        tf.train.add_queue_runner(tf.train.QueueRunner(self._common_queue, enqueue_ops))
        return self._common_queue.dequeue_up_to(num_records, name=name)

    def num_records_produced(self, name=None):
        """The total number of records the readers have read."""
        return tf.add_n([reader.num_records_produced() for reader in self._readers], name=name)

    def num_work_units_completed(self, name=None):
        """The total number of files the readers have finished."""
        return tf.add_n([reader.num_work_units_completed() for reader in self._readers], name=name)


def get_data_files(data_sources):
    """`slim.parallel_reader.get_data_files(data_sources)`: the files matching `data_sources` (a file
    name or glob pattern, or a list of them), globs expanded. ValueError when nothing matches."""
    sources = list(data_sources) if isinstance(data_sources, (list, tuple)) else [data_sources]
    data_files = []
    for source in sources:
        if any(char in source for char in "*?["):
            data_files.extend(sorted(gfile.Glob(source)))
        else:
            data_files.append(source)
    if not data_files:
        raise ValueError("No data files found in %s" % (data_sources,))
    return data_files


def parallel_read(data_sources, reader_class, num_epochs=None, num_readers=4, reader_kwargs=None, shuffle=True,
                  dtypes=None, capacity=256, min_after_dequeue=128, seed=None, scope=None):
    """`slim.parallel_reader.parallel_read(data_sources, reader_class, num_epochs=None, num_readers=4,
    reader_kwargs=None, shuffle=True, dtypes=None, capacity=256, min_after_dequeue=128, seed=None,
    scope=None)`: (key, value) of the next record from the files of `data_sources`, read `num_epochs`
    times (forever when None; then OutOfRangeError), by `num_readers` parallel readers into a common
    queue of `capacity` records, a RandomShuffleQueue keeping `min_after_dequeue` when `shuffle` (the
    file order is shuffled too), a FIFOQueue otherwise. A summary reports how full the queue is."""
    data_files = get_data_files(data_sources)
    with tf.name_scope(scope, "parallel_read"):
        filename_queue = tf.train.string_input_producer(data_files, num_epochs=num_epochs, shuffle=shuffle,
                                                        seed=seed, name="filenames")
        dtypes = dtypes or [tf.string, tf.string]
        if shuffle:
            common_queue = tf.RandomShuffleQueue(capacity=capacity, min_after_dequeue=min_after_dequeue,
                                                 dtypes=dtypes, seed=seed, name="common_queue")
        else:
            common_queue = tf.FIFOQueue(capacity=capacity, dtypes=dtypes, name="common_queue")
        tf.summary.scalar("fraction_of_%d_full" % capacity,
                          tf.cast(common_queue.size(), tf.float32) * (1.0 / capacity))
        return ParallelReader(reader_class, common_queue, num_readers=num_readers,
                              reader_kwargs=reader_kwargs).read(filename_queue)


def single_pass_read(data_sources, reader_class, reader_kwargs=None, scope=None):
    """`slim.parallel_reader.single_pass_read(data_sources, reader_class, reader_kwargs=None, scope=None)`:
    (key, value) of the next record, reading the files once, in order, with one reader (OutOfRangeError
    after the last record)."""
    data_files = get_data_files(data_sources)
    with tf.name_scope(scope, "single_pass_read"):
        filename_queue = tf.train.string_input_producer(data_files, num_epochs=1, shuffle=False, capacity=1,
                                                        name="filenames")
        return reader_class(**(reader_kwargs or {})).read(filename_queue)
