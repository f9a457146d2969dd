"""Data-parallel MNIST with Horovod's TF1 API and a plain tf.Session.

    horovodrun -np 2 python examples/horovod_mnist_session.py --synthetic
    mpiexec -n 4 python examples/horovod_mnist_session.py --data-dir MNIST_data

After initializing, `hvd.broadcast_global_variables(0)` gives every rank rank 0's weights; each step the
DistributedOptimizer averages the ranks' gradients in one fused allreduce. Only rank 0 saves the
checkpoint and writes the summaries (to --checkpoint-dir).
"""
import os

import numflow as tf
import numflow.horovod as hvd

import horovod_common


def main(argv=None):
    args = horovod_common.parse_args("Horovod MNIST with a plain Session", argv)
    hvd.init()
    data = horovod_common.load_data(args, hvd.rank())
    images = tf.placeholder(tf.float32, [None, 784], name="images")
    labels = tf.placeholder(tf.float32, [None, 10], name="labels")
    _, loss, accuracy = horovod_common.conv_model(images, labels)
    global_step = tf.train.get_or_create_global_step()
    opt = hvd.DistributedOptimizer(tf.train.MomentumOptimizer(0.01 * hvd.size(), 0.9))
    train_op = opt.minimize(loss, global_step=global_step)
    summary = tf.summary.scalar("loss", loss)
    broadcast = hvd.broadcast_global_variables(0)
    is_chief = hvd.rank() == 0
    writer = tf.summary.FileWriter(args.checkpoint_dir) if is_chief and args.checkpoint_dir else None
    saver = tf.train.Saver() if is_chief and args.checkpoint_dir else None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(broadcast)
        for step in range(max(1, args.steps // hvd.size())):
            batch_images, batch_labels = data.train.next_batch(args.batch_size)
            feed = {images: batch_images, labels: batch_labels}
            if writer is not None and step % 20 == 0:
                _, value = sess.run([train_op, summary], feed)
                writer.add_summary(value, step)
            else:
                sess.run(train_op, feed)
            if is_chief and step % 50 == 0:
                print("step %d: loss %.4f" % (step, sess.run(loss, feed)))
        if saver is not None:
            saver.save(sess, os.path.join(args.checkpoint_dir, "model.ckpt"), global_step=global_step)
            writer.close()
        test_accuracy = sess.run(accuracy, {images: data.test.images, labels: data.test.labels})
    print("rank %d of %d: test accuracy %.3f" % (hvd.rank(), hvd.size(), test_accuracy))
    return test_accuracy


if __name__ == "__main__":
    main()
