"""Settings of the small simulated cross-validation the cv tests share (import as ``cv.cv_data``)."""

TINY_TRAIN = {
    "epochs": 2,
    "batch_size": 32,
    "hparams": {"filters": [8], "kernel_sizes": [9], "pooling": "global_max", "dense_units": [8]},
}
CONFIG = {"models": ("cnn",), "seed": 5, "simulate_genes": 300, "upstream": 200, "train": TINY_TRAIN, "n_resamples": 50, "folds": 3}

