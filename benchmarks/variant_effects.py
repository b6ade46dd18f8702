"""``sca-tf variants`` throughput (goal: >= 2,000 variants/s for the default CNN on 2 cores), beside references
measured in the same run on the same ALT windows.

Simulates a genome (``--genes`` genes, 2 kb promoters), writes a VCF of ``--variants`` random SNVs inside the
promoter windows, and for each CNN (the default CNN that ``sca-tf run`` trains: 128 filters of width 15, top-4
pooling, dense 32; and the paper preset's 3-block CNN, 64/k15 -> 128/k11 -> 256/k8) prints:

* ``sca-tf variants``: the whole command (VCF read, promoters cut, REF checks, ALT windows, scoring, all outputs);
* ``model.predict``: Keras' ``predict`` on the same ALT windows, batch 512, one-hot built beforehand (the model's
  own ceiling; no I/O, no per-gene reference);
* ``one at a time``: what a naive loop does, scoring reference and ALT window per variant (on a subset).

Weights are untrained: speed does not depend on them. ``python benchmarks/variant_effects.py [--variants 20000]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from sca_tf.data.encoding import one_hot
from sca_tf.models import build_model
from sca_tf.models.presets import PAPER_HPARAMS
from sca_tf.predict.variants import run_variants
from sca_tf.prep.promoters import run_promoters
from sca_tf.sequence import ALPHABET, codes_of, reverse_complement
from sca_tf.simulate import SimulationConfig, simulate

LENGTH = 2000
MODELS = {"default cnn (sca-tf run)": {}, "paper-preset cnn (3 blocks)": PAPER_HPARAMS["cnn"]}


def write_vcf(promoters: pd.DataFrame, n: int, path: Path, seed: int = 0) -> list[str]:
    """``n`` random SNVs inside the promoter windows; returns their ALT windows (5'->3') for the references."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(promoters), n)
    indices = rng.integers(0, LENGTH, n)
    lines, windows = [], []
    for row, index in zip(rows.tolist(), indices.tolist()):
        promoter = promoters.iloc[row]
        ref = promoter.sequence[index]
        alt = str(rng.choice([base for base in ALPHABET if base != ref]))
        windows.append(promoter.sequence[:index] + alt + promoter.sequence[index + 1:])
        if promoter.strand == "+":
            pos, ref_g, alt_g = int(promoter.start) + index + 1, ref, alt
        else:
            pos, ref_g, alt_g = int(promoter.end) - index, reverse_complement(ref), reverse_complement(alt)
        lines.append(f"{promoter.chrom}\t{pos}\t.\t{ref_g}\t{alt_g}\t.\t.\t.")
    order = np.lexsort((np.array([int(line.split("\t")[1]) for line in lines]),
                        np.array([line.split("\t")[0] for line in lines])))
    path.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                    + "".join(lines[i] + "\n" for i in order))
    return windows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--genes", type=int, default=400)
    parser.add_argument("--variants", type=int, default=20_000)
    parser.add_argument("--naive", type=int, default=200, help="variants scored one at a time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sim = simulate(root / "sim", SimulationConfig(seed=0, n_genes=args.genes))
        truth = pd.read_csv(sim.truth_tsv, sep="\t", keep_default_na=False)
        pd.DataFrame({"gene_id": truth["gene_id"], "status": truth["true_status"]}).to_csv(
            root / "de.tsv", sep="\t", index=False)
        run_promoters(root / "de.tsv", sim.genome_fasta, sim.annotation_gtf, root / "promoters", upstream=LENGTH)
        promoters = pd.read_csv(root / "promoters" / "promoters.tsv", sep="\t", keep_default_na=False)
        windows = write_vcf(promoters, args.variants, root / "snvs.vcf")
        alt_codes = np.stack([codes_of(window) for window in windows])
        print(f"{args.variants} SNVs in {len(promoters)} promoters of {LENGTH} bp")
        for name, hparams in MODELS.items():
            keras.utils.set_random_seed(0)
            model = build_model("cnn", LENGTH, **hparams)
            model.save(root / "model.keras")
            began = time.perf_counter()
            result = run_variants(root / "model.keras", root / "snvs.vcf", sim.genome_fasta, sim.annotation_gtf,
                                  root / "out")
            ours = time.perf_counter() - began
            variants, scored = result.counts["alts"], result.counts["scored"]
            encoded = one_hot(alt_codes).numpy()
            began = time.perf_counter()
            model.predict(encoded, batch_size=512, verbose=0)
            plain = time.perf_counter() - began
            began = time.perf_counter()
            for index in range(args.naive):
                model(encoded[index:index + 1], training=False)
                model(encoded[index:index + 1], training=False)  # its reference window, scored again
            naive = (time.perf_counter() - began) / args.naive
            print(f"{name}: {model.count_params():,} parameters")
            print(f"  sca-tf variants      {variants / ours:8.0f} variants/s  ({variants} SNVs, {scored} scored windows, "
                  f"{ours:.1f} s, the whole command)")
            print(f"  model.predict        {len(encoded) / plain:8.0f} windows/s   (the same ALT windows, no I/O)")
            print(f"  one at a time        {1 / naive:8.0f} variants/s  (reference + ALT per variant, "
                  f"{args.naive} variants)")


if __name__ == "__main__":
    main()
