"""The pictures of TF1's MNIST tutorials, saved as PNG files: learned weights, learning curve, confusion
matrix. They draw on matplotlib Figures without pyplot, so they work the same in a script, under a
headless CI and in a notebook (where `%matplotlib inline` keeps working for the user's own plots).
"""
import numpy as np

from .helpers import require


def _figure(purpose, size):
    require("matplotlib", "plot", purpose)
    from matplotlib.figure import Figure
    return Figure(figsize=size, dpi=80)


def _save(fig, path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(fig)
    fig.savefig(path)
    return path


def plot_weights(weights, path, purpose="--plot-weights"):
    """The ten columns of `weights` [784, 10] as 28x28 images, in the tutorial's colours: red for negative
    weights (evidence against the digit), blue for positive ones (evidence for it), white for zero."""
    weights = np.asarray(weights)
    fig = _figure(purpose, (10, 4.4))
    limit = float(abs(weights).max()) or 1.0
    axes = fig.subplots(2, 5)
    for digit, ax in enumerate(axes.flat):
        image = ax.imshow(weights[:, digit].reshape(28, 28), cmap="bwr_r", vmin=-limit, vmax=limit)
        ax.set_title(str(digit))
        ax.axis("off")
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="weight")
    fig.suptitle("learned weights per digit (blue: positive, evidence for; red: negative, against)")
    return _save(fig, path)


def plot_learning_curve(steps, costs, eval_steps, accuracies, path, purpose="--plot-curve"):
    """Training cost at each step (left axis) and validation accuracy at `eval_steps` (right axis)."""
    fig = _figure(purpose, (8, 4.5))
    cost_axis = fig.subplots()
    cost_axis.plot(steps, costs, color="tab:blue", linewidth=0.8, label="training cost (batch)")
    cost_axis.set_xlabel("training step")
    cost_axis.set_ylabel("training cost", color="tab:blue")
    cost_axis.set_yscale("log" if len(costs) and min(costs) > 0 else "linear")
    accuracy_axis = cost_axis.twinx()
    accuracy_axis.plot(eval_steps, accuracies, color="tab:orange", marker="o", markersize=3,
                       label="validation accuracy")
    accuracy_axis.set_ylabel("validation accuracy", color="tab:orange")
    accuracy_axis.set_ylim(0.0, 1.0)
    if len(accuracies):
        accuracy_axis.set_title("final validation accuracy %.4f" % accuracies[-1], fontsize=10)
    fig.legend(loc="center right", bbox_to_anchor=(0.88, 0.5))
    fig.tight_layout()
    return _save(fig, path)


def plot_confusion_matrix(matrix, path, class_names=None, purpose="--plot-confusion"):
    """A [classes, classes] confusion matrix (rows: true label, columns: prediction) with its counts."""
    matrix = np.asarray(matrix)
    n = matrix.shape[0]
    names = [str(c) for c in (class_names if class_names is not None else range(n))]
    fig = _figure(purpose, (6.5, 5.5))
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, label="examples")
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    total = matrix.sum()
    ax.set_title("confusion matrix: %d of %d right (%.4f)"
                 % (np.trace(matrix), total, np.trace(matrix) / total if total else 0.0))
    threshold = matrix.max() / 2.0 if matrix.size else 0
    for (row, col), count in np.ndenumerate(matrix):
        if count:
            ax.text(col, row, str(count), ha="center", va="center", fontsize=7,
                    color="white" if count > threshold else "black")
    fig.tight_layout()
    return _save(fig, path)


class LearningCurve:
    """Training cost per step and validation accuracy every few steps, collected for plot_learning_curve."""

    def __init__(self):
        self.steps, self.costs, self.eval_steps, self.accuracies = [], [], [], []

    def add_cost(self, step, cost):
        self.steps.append(step)
        self.costs.append(float(cost))

    def add_accuracy(self, step, accuracy):
        self.eval_steps.append(step)
        self.accuracies.append(float(accuracy))

    def after_step(self, step, cost, total_steps, eval_every, validation_accuracy):
        """Record step `step`'s cost, and `validation_accuracy()` every `eval_every` steps and at the end."""
        self.add_cost(step, cost)
        if step % max(1, eval_every) == 0 or step == total_steps:
            self.add_accuracy(step, validation_accuracy())

    def save(self, path):
        return plot_learning_curve(self.steps, self.costs, self.eval_steps, self.accuracies, path)


def add_plot_options(parser, weights=False):
    """The examples' --plot-curve / --plot-confusion (and --plot-weights) options."""
    if weights:
        parser.add_argument("--plot-weights", metavar="PNG", help="save the learned weights as ten images "
                            "(blue positive, red negative)")
    parser.add_argument("--plot-curve", metavar="PNG",
                        help="save the learning curve: training cost per step, validation accuracy")
    parser.add_argument("--eval-every", type=int, default=50, metavar="N",
                        help="steps between validation accuracies on the curve (default 50)")
    parser.add_argument("--plot-confusion", metavar="PNG", help="save the test set's confusion matrix")


def check_plot_options(parser, args):
    """Stop before training, not after, when a plot is asked for and matplotlib is missing."""
    wanted = [name for name in ("plot_weights", "plot_curve", "plot_confusion") if getattr(args, name, None)]
    if wanted:
        try:
            require("matplotlib", "plot", "--" + wanted[0].replace("_", "-"))
        except ImportError as e:
            parser.error(str(e))
