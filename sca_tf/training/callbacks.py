"""TensorBoard images of the validation split: ROC curve, precision-recall curve and confusion matrix per epoch."""

from __future__ import annotations

import io
import os
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure
from sklearn.metrics import precision_recall_curve, roc_curve

from sca_tf.evaluate.metrics import confusion_counts, max_f1_threshold, prevalence


def predict_with_labels(model: keras.Model, dataset: tf.data.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Labels and predicted probabilities of a finite ``(x, y)`` dataset, collected in one pass."""
    labels, scores = [], []
    for inputs, targets in dataset:
        scores.append(np.asarray(model(inputs, training=False), dtype=np.float64).reshape(-1))
        labels.append(np.asarray(targets).reshape(-1))
    return np.concatenate(labels).astype(int), np.concatenate(scores)


def validation_figure(labels: np.ndarray, scores: np.ndarray, title: str) -> Figure:
    """ROC, PR (with the prevalence line) and the confusion matrix at the max-F1 threshold, side by side."""
    figure = Figure(figsize=(12, 4), dpi=80)
    roc_axes, pr_axes, matrix_axes = figure.subplots(1, 3)
    fpr, tpr, _ = roc_curve(labels, scores)
    roc_axes.plot(fpr, tpr)
    roc_axes.plot([0, 1], [0, 1], color="grey", linestyle=":")
    roc_axes.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    precision, recall, _ = precision_recall_curve(labels, scores)
    pr_axes.step(recall, precision, where="post")
    pr_axes.axhline(prevalence(labels), color="grey", linestyle=":")
    pr_axes.set(xlabel="recall", ylabel="precision", title=f"PR (prevalence {prevalence(labels):.3f})")
    threshold, _ = max_f1_threshold(labels, scores)
    counts = confusion_counts(labels, scores, threshold)
    matrix = np.array([[counts["tn"], counts["fp"]], [counts["fn"], counts["tp"]]])
    matrix_axes.imshow(matrix, cmap="Blues")
    for (row, column), value in np.ndenumerate(matrix):
        matrix_axes.text(column, row, str(value), ha="center", va="center")
    matrix_axes.set(xticks=[0, 1], yticks=[0, 1], xticklabels=["not DE", "DE"], yticklabels=["not DE", "DE"],
                    xlabel="predicted", ylabel="true", title=f"confusion at threshold {threshold:.3f}")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


class ValidationCurves(keras.callbacks.Callback):
    """Log ROC / PR / confusion-matrix images of the validation split to TensorBoard every ``every`` epochs."""

    def __init__(self, validation: tf.data.Dataset, log_dir: str | os.PathLike[str], every: int = 1) -> None:
        super().__init__()
        self.validation = validation
        self.every = every
        self.writer = tf.summary.create_file_writer(os.path.join(log_dir, "validation_curves"))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if (epoch + 1) % self.every:
            return
        labels, scores = predict_with_labels(self.model, self.validation)
        if np.unique(labels).size < 2:
            return
        buffer = io.BytesIO()
        validation_figure(labels, scores, f"validation, epoch {epoch + 1}").savefig(buffer, format="png")
        image = tf.image.decode_png(buffer.getvalue(), channels=4)[tf.newaxis]
        with self.writer.as_default():
            tf.summary.image("validation_roc_pr_confusion", image, step=epoch)
        self.writer.flush()
