"""`sca-tf run`: the whole pipeline on a small simulated default, config files, and bad configurations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sca_tf.cli import main
from sca_tf.errors import ScaInputError
from sca_tf.models import build_model
from sca_tf.precision import resolve_precision
from sca_tf.training import TrainConfig
from sca_tf.workflow import RunConfig, run

TINY_TRAIN = {
    "epochs": 2,
    "batch_size": 32,
    "hparams": {"filters": [8], "kernel_sizes": [9], "pooling": "global_max", "dense_units": [8]},
}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    config = RunConfig(out=str(out), seed=5, simulate_genes=300, upstream=200, models=("cnn",), train=TINY_TRAIN,
                       n_resamples=50)
    result = run(config)
    assert result.report_json == out / "report.json"
    return out


def test_run_writes_every_stage(small_run: Path) -> None:
    for path in ("simulated/genome.fa", "dge/de_table.tsv", "promoters/promoters.tsv", "train/cnn/model.keras",
                 "train/cnn/xgboost.json", "train/cnn/history.csv", "evaluation/roc_curve.png", "report.md"):
        assert (small_run / path).is_file(), path
    assert any((small_run / "tfds" / "sca_promoters").iterdir())


def test_report_has_models_and_baselines_at_natural_prevalence(small_run: Path) -> None:
    report = json.loads((small_run / "report.json").read_text())
    names = [row["Model"] for row in report["rows"]]
    assert names[:2] == ["cnn", "cnn+xgboost"]
    assert any("k-mer" in name for name in names) and any("Prevalence" in name for name in names)
    assert report["run"]["seed"] == 5
    assert report["run"]["precision"] == {"cnn": resolve_precision(TrainConfig.precision)}
    assert json.loads((small_run / "run.json").read_text())["precision"] == report["run"]["precision"]
    counts = report["run"]["label_counts"]["test"]
    natural = counts["de"] / (counts["de"] + counts["not_de"])
    assert all(row["Prevalence"] == pytest.approx(natural) for row in report["rows"])
    validation = report["validation"]["cnn"]
    assert set(validation) >= {"auroc", "auprc", "f1", "accuracy", "precision", "recall"}
    markdown = (small_run / "report.md").read_text()
    assert "| Model | Accuracy | Precision | Recall | F1 | AUC | AUPRC |" in markdown


def test_run_config_file_and_overrides(tmp_path: Path) -> None:
    toml = tmp_path / "run.toml"
    toml.write_text('seed = 3\nmodels = ["cnn", "transformer"]\n[train]\nepochs = 4\n')
    config = RunConfig.from_file(toml, out="elsewhere")
    assert (config.seed, config.models, config.out, dict(config.train)) == (3, ("cnn", "transformer"), "elsewhere",
                                                                            {"epochs": 4})
    yaml = tmp_path / "run.yaml"
    yaml.write_text("seed: 4\ntrain:\n  epochs: 2\n")
    assert RunConfig.from_file(yaml).seed == 4


@pytest.mark.parametrize(
    "text, message",
    [
        ("sede = 3\n", r"run\.toml: unknown key\(s\) sede"),
        ("seed = \n", r"run\.toml: cannot be parsed"),
        ('genome = "g.fa"\n', "real data needs --counts"),
        ("[train]\nseed = 2\n", "must not set 'seed'"),
    ],
)
def test_bad_run_configs_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "run.toml"
    path.write_text(text)
    with pytest.raises(ScaInputError, match=message):
        RunConfig.from_file(path)


def test_unknown_training_key_fails_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "run.toml"
    path.write_text("[train]\nepoch_count = 3\n")
    status = main(["run", "--config", str(path), "--out", str(tmp_path / "out")])
    assert status == 2
    assert "unknown training option(s) epoch_count" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("model", ["cnn", "cnn_lstm", "transformer"])
def test_real_and_simulated_runs_resolve_to_the_same_recipe_and_architecture(model: str) -> None:
    real = RunConfig(counts="c.txt", genome="g.fa", annotation="grch37", train={"epochs": 3})
    resolved = [TrainConfig.from_mapping(config.train_settings(model)) for config in (RunConfig(train={"epochs": 3}),
                                                                                       real)]
    assert resolved[0] == resolved[1]
    assert (resolved[0].epochs, resolved[0].batch_size, resolved[0].rc_augment, resolved[0].patience) == (3, 64, True, 10)
    built = [build_model(model, 2000, **config.hparams) for config in resolved]
    assert built[0].get_config() == built[1].get_config() == build_model(model, 2000).get_config()

    paper = TrainConfig.from_mapping(RunConfig(train={"preset": "paper"}).train_settings(model))
    assert (paper.batch_size, paper.rc_augment, paper.patience) == (256, False, 5)
    assert build_model(model, 2000, **paper.hparams).get_config() != built[0].get_config()


@pytest.mark.slow
def test_default_run_models_clearly_beat_the_baselines_on_the_planted_signal(tmp_path: Path) -> None:
    """The README's main job as shipped (3,000 simulated genes, the CNN, CNN-LSTM and transformer with their
    default recipes and bridges): about 9 minutes on 2 cores.

    DE promoters carry 2-4 planted sites and about one not-DE promoter in ten a single decoy site, so a k-mer
    bag scores ~0.85 AUROC; a model has to find the motifs and count them to do clearly better.
    """
    run(RunConfig(out=str(tmp_path / "demo"), n_resamples=200))
    report = json.loads((tmp_path / "demo" / "report.json").read_text())
    rows = {row["Model"]: row for row in report["rows"]}
    kmer = next(row for name, row in rows.items() if name.startswith("k-mer"))
    learned = {*RunConfig.models, *(f"{name}+xgboost" for name in RunConfig.models)}
    best_baseline_auroc = max(row["AUC"] for name, row in rows.items() if name not in learned)
    for name in RunConfig.models:
        model, bridged = rows[name], rows[f"{name}+xgboost"]
        assert model["AUC"] >= best_baseline_auroc + 0.05, name
        assert float(model["AUC 95% CI"].strip("[]").split(",")[0]) > kmer["AUC"], name
        assert model["AUPRC"] >= kmer["AUPRC"] + 0.05, name
        assert model["F1"] > kmer["F1"], name
        assert bridged["AUC"] >= model["AUC"] - 0.01, f"{name}: the bridge lost the network's signal"
