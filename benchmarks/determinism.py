"""What ``--deterministic`` costs: CNN training steps per second with and without TensorFlow's op determinism.

Each mode runs in its own process (op determinism is process-wide), alternating ``default, deterministic``
``--repeats`` times so both see the same machine load. A run seeds everything (``set_seeds``), fits the
simulated default's CNN (128 filters of width 15, top-4 pooling, dense 32) on fixed random 2 kb one-hot
sequences, times ``--steps`` steps after ``--warmup`` steps, and hashes the final weights: the two deterministic
runs must agree bit for bit, the default ones need not.

    python benchmarks/determinism.py [--steps 30] [--repeats 2] [--batch-size 64] [--length 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time


def child(deterministic: bool, steps: int, warmup: int, batch_size: int, length: int) -> dict[str, object]:
    """One timed training run in this process; returns seconds per step and the SHA-256 of the final weights."""
    import numpy as np
    import tensorflow as tf

    from sca_tf.models import build_model
    from sca_tf.training.determinism import set_seeds
    from sca_tf.training.recipe import compile_classifier

    set_seeds(0, deterministic=deterministic)
    rng = np.random.default_rng(0)
    n = batch_size * 8
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(n, length))]
    y = (rng.random(n) < 0.2).astype(np.float32)
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(n, seed=0).batch(batch_size).repeat()
    model = build_model("cnn", length, pooling="top_k", top_k=4, filters=(128,), kernel_sizes=(15,), dense_units=(32,))
    compile_classifier(model)
    model.fit(data, steps_per_epoch=warmup, epochs=1, verbose=0)
    began = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - began
    digest = hashlib.sha256(b"".join(weight.tobytes() for weight in model.get_weights())).hexdigest()
    return {"deterministic": deterministic, "seconds_per_step": seconds / steps, "weights_sha256": digest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--length", type=int, default=2000)
    parser.add_argument("--child", choices=("default", "deterministic"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    settings = (args.steps, args.warmup, args.batch_size, args.length)
    if args.child:
        print(json.dumps(child(args.child == "deterministic", *settings)))
        return
    runs = []
    for mode in ("default", "deterministic") * args.repeats:
        command = [sys.executable, __file__, "--child", mode, "--steps", str(args.steps), "--warmup",
                   str(args.warmup), "--batch-size", str(args.batch_size), "--length", str(args.length)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    print(f"{args.steps} steps of batch {args.batch_size} x {args.length} bp (after {args.warmup} warm-up steps)")
    print("mode            s/step   weights")
    for run in runs:
        mode = "deterministic" if run["deterministic"] else "default"
        print(f"{mode:<14} {run['seconds_per_step']:>7.4f}   {run['weights_sha256'][:16]}")
    best = {flag: min(run["seconds_per_step"] for run in runs if run["deterministic"] is flag) for flag in (False, True)}
    same = {flag: len({run["weights_sha256"] for run in runs if run["deterministic"] is flag}) == 1
            for flag in (False, True)}
    print(f"deterministic / default time per step (best of {args.repeats} each): {best[True] / best[False]:.2f}x")
    print(f"same weights twice: default {same[False]}, deterministic {same[True]}")


if __name__ == "__main__":
    main()
