"""`sca-tf ablate`: every model x balancing arm on one split, validation table, test scored once at the end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sca_tf_datasets.sca_promoters.sca_promoters_dataset_builder import SIMULATED_ASSEMBLY
from sklearn.metrics import roc_auc_score

import sca_tf.data.scoring
import sca_tf.data.splits
import sca_tf.training
from sca_tf.ablation import AblationConfig, run_ablation
from sca_tf.cli import main
from sca_tf.data.build import build_dataset, load_builder
from sca_tf.errors import ScaInputError
from sca_tf.models import load_classifier
from sca_tf.prep.dge import run_dge
from sca_tf.prep.promoters import run_promoters
from sca_tf.provenance import sha256_of
from sca_tf.simulate import SimulationConfig, simulate

UPSTREAM = 200
TINY_TRAIN = {"epochs": 1, "batch_size": 32, "verbose": 0}
TINY_HPARAMS = {
    "cnn": {"filters": [8], "kernel_sizes": [9], "pooling": "top_k", "top_k": 2, "dense_units": [8]},
    "transformer": {"stride": 8, "d_model": 8, "num_layers": 1, "num_heads": 2, "ff_dim": 8, "dense_units": [6]},
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small simulated sca_promoters dataset (200 bp windows): its data directory and config name."""
    root = tmp_path_factory.mktemp("ablation_data")
    simulation = simulate(root / "sim", SimulationConfig(seed=4, n_genes=300))
    dge = run_dge(simulation.counts_tsv, root / "dge", n_cpus=1)
    promoters = run_promoters(dge.table_path, simulation.genome_fasta, simulation.annotation_gtf, root / "promoters",
                              upstream=UPSTREAM, assembly=SIMULATED_ASSEMBLY)
    built = build_dataset(root / "tfds", de_table=dge.table_path, promoters=promoters.table_path, upstream=UPSTREAM,
                          downstream=0, assembly=promoters.assembly, seed=4)
    return root / "tfds", built.name.split("/", 1)[1]


def synthetic_set(folder: Path, n: int, *, passed: bool) -> tuple[Path, Path]:
    """Random ACGT sequences of the dataset's length and a minimal quality report for exactly that file."""
    rng = np.random.default_rng(0)
    fasta = folder / "synthetic.fa"
    fasta.write_text("".join(f">syn{i}\n{''.join(rng.choice(list('ACGT'), UPSTREAM))}\n" for i in range(n)))
    check = {"name": "discriminator_auroc", "value": 0.6 if passed else 0.99, "threshold": 0.75, "passed": passed}
    report = {"passed": passed, "checks": [check], "inputs": {"synthetic_sha256": sha256_of(fasta)}}
    quality = folder / "quality.json"
    quality.write_text(json.dumps(report))
    return fasta, quality


def test_every_model_and_arm_is_trained_compared_on_validation_and_test_is_read_once_at_the_end(
        dataset: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir, name = dataset
    builder = load_builder(data_dir, name)
    events: list[tuple[str, ...]] = []
    read_split, train_classifier = sca_tf.data.splits.read_split, sca_tf.training.train_classifier

    def spy_read(source, split):
        events.append(("read", split))
        return read_split(source, split)

    def spy_train(source, config, run_dir, **kwargs):
        events.append(("train", config.model, config.balance))
        return train_classifier(source, config, run_dir, **kwargs)

    monkeypatch.setattr(sca_tf.data.splits, "read_split", spy_read)
    monkeypatch.setattr(sca_tf.training, "train_classifier", spy_train)
    fasta, quality = synthetic_set(tmp_path, 200, passed=True)
    config = AblationConfig(synthetic_ratios=(0.5, 1.0), synthetic_fasta=str(fasta), synthetic_quality=str(quality),
                            train={**TINY_TRAIN, "epochs": 2}, model_train={"transformer": {"epochs": 1}},
                            hparams=TINY_HPARAMS, seed=2, n_resamples=20)

    result = run_ablation(builder, config, tmp_path / "ablation")

    arms = ["none", "class_weight", "downsample", "oversample", "synthetic_x0.5", "synthetic_x1"]
    assert [(row["model"], row["arm"]) for row in result.rows] == [(m, a) for m in ("cnn", "transformer") for a in arms]
    assert all(row["status"] == "trained" for row in result.rows)
    trained = [event for event in events if event[0] == "train"]
    assert len(trained) == 12 and events.count(("read", "test")) == 1
    assert events.index(("read", "test")) > events.index(trained[-1])  # test only after every arm is trained
    for model in ("cnn", "transformer"):
        assert sum(row.get("chosen_on_validation", False) for row in result.rows if row["model"] == model) == 1

    validation = read_split(builder, "validation")
    row = result.rows[4]  # cnn, synthetic x0.5
    model = load_classifier(row["model_path"], expected_model="cnn")
    scores = sca_tf.data.scoring.predict_codes(model, validation.codes)
    assert row["validation_auroc"] == pytest.approx(roc_auc_score(validation.labels, scores), abs=1e-6)
    low, high = row["validation_auroc_ci"]
    assert low <= row["validation_auroc"] <= high
    run_config = json.loads((Path(row["model_path"]).parent / "config.json").read_text())
    assert run_config["train_config"]["synthetic_ratio"] == 0.5 and run_config["train_config"]["epochs"] == 2
    assert [row["epochs_run"] for row in result.rows if row["model"] == "transformer"] == [1] * 6
    assert run_config["training_epoch"]["synthetic"] > 0

    table = result.markdown.read_text()
    assert "| Model | Balancing | Val AUROC [95% CI] | Val AUPRC [95% CI] | Test AUROC [95% CI]" in table
    assert "| transformer | synthetic_x1" in table
    saved = json.loads(result.json.read_text())
    assert saved["context"]["prevalence"]["test"] == pytest.approx(read_split(builder, "test").labels.mean())
    assert saved["context"]["synthetic_gate"] == "passed"
    assert len(pd.read_csv(result.tsv, sep="\t")) == 12


def test_synthetic_arms_are_not_run_without_a_passed_set_and_the_cli_says_why(
        dataset: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir, name = dataset
    fasta, quality = synthetic_set(tmp_path, 200, passed=False)
    settings = tmp_path / "ablation.toml"
    settings.write_text('models = ["cnn"]\n[train]\nepochs = 1\nbatch_size = 32\nverbose = 0\n'
                        '[hparams.cnn]\nfilters = [8]\nkernel_sizes = [9]\ndense_units = [8]\n')
    argv = ["ablate", "--data-dir", str(data_dir), "--dataset", name, "--out", str(tmp_path / "out"),
            "--config", str(settings), "--arms", "none,synthetic", "--ratios", "0.5",
            "--synthetic-fasta", str(fasta), "--synthetic-quality", str(quality), "--n-resamples", "20"]

    assert main(argv) == 0

    rows = json.loads((tmp_path / "out" / "ablation.json").read_text())["rows"]
    assert [(row["arm"], row["status"]) for row in rows] == [("none", "trained"), ("synthetic_x0.5", "not run")]
    assert "failed the quality gate (discriminator_auroc 0.99 > 0.75)" in rows[1]["note"]
    printed = capsys.readouterr().out
    assert "| cnn | synthetic_x0.5 | not run: the synthetic set above |" in printed
    assert "- synthetic set: " + rows[1]["note"] in printed
    assert not (tmp_path / "out" / "cnn" / "synthetic_x0.5").exists()

    no_set = AblationConfig(models=("cnn",), arms=("synthetic",), train=TINY_TRAIN)
    result = run_ablation(load_builder(data_dir, name), no_set, tmp_path / "none")
    assert result.rows[0]["note"].startswith("no synthetic set given")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"arms": ("none", "smote")}, r"unknown arm\(s\) smote; expected none, class_weight"),
        ({"models": ("resnet",)}, "unknown model 'resnet'"),
        ({"train": {"balance": "oversample"}}, "must not set balance"),
        ({"train": {"epoch_count": 2}}, r"unknown training option\(s\) epoch_count"),
        ({"model_train": {"transformer": {"seed": 3}}}, r"\[model_train.transformer\] must not set seed"),
        ({"model_train": {"gpt": {"epochs": 3}}}, "unknown model 'gpt'"),
        ({"synthetic_fasta": "s.fa"}, "synthetic_fasta and synthetic_quality"),
        ({"synthetic_ratios": (0.0,)}, "synthetic_ratios must be numbers > 0"),
    ],
)
def test_bad_ablation_settings_are_refused(settings: dict, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        AblationConfig(**settings)


def test_ablation_config_file_rejects_unknown_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ablation.yaml"
    path.write_text("modles: [cnn]\n")
    assert main(["ablate", "--data-dir", str(tmp_path), "--out", str(tmp_path / "o"), "--config", str(path)]) == 2
    assert "ablation.yaml: unknown key(s) modles" in capsys.readouterr().err
    assert main(["ablate", "--data-dir", str(tmp_path), "--out", str(tmp_path / "o"), "--ratios", "half"]) == 2
    assert "--ratios: expected comma-separated numbers" in capsys.readouterr().err
