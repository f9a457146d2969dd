"""The program each MPI rank runs for tests/test_horovod.py (`mpiexec -n N python this.py SCENARIO OUT`).

Each scenario writes this rank's results to OUT.<rank>.npz; the test compares them with NumPy. Importing
this module (pytest collects tests/) runs nothing."""
import sys

import numpy as np


def collectives(tf, hvd):
    rank, size = hvd.rank(), hvd.size()
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3) + rank)
    ints = tf.constant(np.array([rank + 1, 10 * (rank + 1)], np.int32))
    results = {
        "sum": hvd.allreduce(x, op=hvd.Sum), "average": hvd.allreduce(x), "min": hvd.allreduce(x, op=hvd.Min),
        "max": hvd.allreduce(x, op=hvd.Max), "scaled": hvd.allreduce(x, op=hvd.Sum, prescale_factor=2.0,
                                                                     postscale_factor=0.25),
        "int_sum": hvd.allreduce(ints, op=hvd.Sum), "int_average": hvd.allreduce(ints, average=True),
        "fp16": hvd.allreduce(x, compression=hvd.Compression.fp16),
        "gathered": hvd.allgather(tf.fill([rank + 1, 2], float(rank))),
        "broadcast": hvd.broadcast(x, size - 1),
    }
    grouped = hvd.grouped_allreduce([x, ints, x * 2.0], op=hvd.Sum)
    results.update({"grouped_0": grouped[0], "grouped_1": grouped[1], "grouped_2": grouped[2]})
    fused_ops = [op for op in tf.get_default_graph().get_operations() if op.type == "HorovodAllreduce"]
    results["grouped_op_inputs"] = tf.constant(len(fused_ops[-1].inputs))
    # Gradients: d/dx sum(allreduce(x)*w) = allreduce(w); allgather's is this rank's rows of the sum.
    w = tf.constant(np.full((2, 3), rank + 1.0, np.float32))
    results["grad_allreduce"] = tf.gradients(tf.reduce_sum(hvd.allreduce(x, op=hvd.Sum) * w), x)[0]
    rows = tf.constant(np.full((rank + 1, 2), 1.0, np.float32))
    gathered = hvd.allgather(rows)
    weights = tf.cast(tf.reshape(tf.range(tf.shape(gathered)[0]), [-1, 1]), tf.float32) * (rank + 1.0)
    results["grad_allgather"] = tf.gradients(tf.reduce_sum(gathered * weights), rows)[0]
    results["grad_broadcast"] = tf.gradients(tf.reduce_sum(hvd.broadcast(x, 0) * w), x)[0]
    with tf.Session() as sess:
        return sess.run(results)


def mismatch(tf, hvd):
    # Rank 1 builds a different variable shape: the fused gradient buffers differ.
    shape = [3] if hvd.rank() == 0 else [4]
    v = tf.Variable(tf.ones(shape), name="v")
    step = hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1)).minimize(tf.reduce_sum(v * v))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        try:
            sess.run(step)
        except tf.errors.FailedPreconditionError as exc:
            return {"error": np.array(str(exc).split("\n")[0])}
    return {"error": np.array("no error")}


def _model(tf, hvd, seed):
    tf.set_random_seed(seed)
    features = tf.placeholder(tf.float32, [None, 4])
    labels = tf.placeholder(tf.float32, [None, 2])
    hidden = tf.layers.dense(features, 5, activation=tf.nn.tanh, name="hidden")
    logits = tf.layers.dense(hidden, 2, name="out")
    loss = tf.reduce_mean(tf.square(logits - labels))
    return features, labels, loss


def _global_batches(steps, batch):
    data = np.random.RandomState(42)
    return [(data.randn(batch, 4).astype(np.float32), data.randn(batch, 2).astype(np.float32))
            for _ in range(steps)]


def training(tf, hvd, passes=1):
    """Ranks start from different seeds; the broadcast makes them agree; each trains on its shard of the
    same global batches. Returns the final weights."""
    rank, size = hvd.rank(), hvd.size()
    features, labels, loss = _model(tf, hvd, seed=100 + rank)
    opt = hvd.DistributedOptimizer(tf.train.MomentumOptimizer(0.1, 0.9), backward_passes_per_step=passes)
    global_step = tf.train.get_or_create_global_step()
    step = opt.minimize(loss, global_step=global_step)
    weights = tf.trainable_variables()
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        before = sess.run(weights[0])
        sess.run(hvd.broadcast_global_variables(0))
        for x, y in _global_batches(6, 8):
            shard = slice(rank * len(x) // size, (rank + 1) * len(x) // size)
            sess.run(step, {features: x[shard], labels: y[shard]})
        result = {"w%d" % i: value for i, value in enumerate(sess.run(weights))}
        result["before"] = before
        result["global_step"] = sess.run(global_step)
        return result


def main(scenario, out):
    import numflow as tf
    import numflow.horovod as hvd
    hvd.init()
    if scenario == "training_passes":
        results = training(tf, hvd, passes=2)
    else:
        results = globals()[scenario](tf, hvd)
    np.savez("%s.%d.npz" % (out, hvd.rank()), **{k: np.asarray(v) for k, v in results.items()})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
