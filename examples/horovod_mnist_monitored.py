"""Data-parallel MNIST with Horovod's TF1 API, MonitoredTrainingSession and hooks.

    horovodrun -np 2 python examples/horovod_mnist_monitored.py --synthetic
    mpiexec -n 2 python examples/horovod_mnist_monitored.py --data-dir MNIST_data
    numflow run examples/horovod_mnist_monitored.py --synthetic        # one process

Written as a TensorFlow + Horovod script (`import tensorflow as tf`, `import horovod.tensorflow as hvd`)
when run by `numflow run`; here it imports numflow's modules directly. Each rank trains on its own
shuffle of the data; DistributedOptimizer averages the gradients, BroadcastGlobalVariablesHook(0) makes
every rank start from rank 0's initial weights, and only rank 0 writes checkpoints and summaries.
"""
import numflow as tf
import numflow.horovod as hvd

import horovod_common


def main(argv=None):
    args = horovod_common.parse_args("Horovod MNIST with MonitoredTrainingSession", argv)
    hvd.init()
    data = horovod_common.load_data(args, hvd.rank())
    images = tf.placeholder(tf.float32, [None, 784], name="images")
    labels = tf.placeholder(tf.float32, [None, 10], name="labels")
    _, loss, accuracy = horovod_common.conv_model(images, labels)
    tf.summary.scalar("loss", loss)
    global_step = tf.train.get_or_create_global_step()
    # The learning rate scales with the number of ranks: the effective batch is size() times larger.
    opt = hvd.DistributedOptimizer(tf.train.AdamOptimizer(args.learning_rate * hvd.size()))
    train_op = opt.minimize(loss, global_step=global_step)
    hooks = [hvd.BroadcastGlobalVariablesHook(0),
             # The steps are global: each rank runs steps // size() of them.
             tf.train.StopAtStepHook(last_step=max(1, args.steps // hvd.size())),
             tf.train.LoggingTensorHook({"step": global_step, "loss": loss}, every_n_iter=50)]
    # The test accuracy, computed when the session closes (a stopped session runs nothing more).
    final_accuracy = tf.train.FinalOpsHook(accuracy, {images: data.test.images, labels: data.test.labels})
    hooks.append(final_accuracy)
    checkpoint_dir = args.checkpoint_dir if hvd.rank() == 0 else None
    with tf.train.MonitoredTrainingSession(checkpoint_dir=checkpoint_dir, hooks=hooks,
                                           save_summaries_steps=20) as sess:
        while not sess.should_stop():
            batch_images, batch_labels = data.train.next_batch(args.batch_size)
            sess.run(train_op, {images: batch_images, labels: batch_labels})
    test_accuracy = final_accuracy.final_ops_values
    print("rank %d of %d: test accuracy %.3f" % (hvd.rank(), hvd.size(), test_accuracy))
    return test_accuracy


if __name__ == "__main__":
    main()
