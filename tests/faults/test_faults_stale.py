"""Fault cases of issue 17, items 1 and 6: nothing stale is reused. Stages are reused only when their fingerprint
(input hashes, settings, version) matches, rebuilt otherwise with the reason logged, and a training folder reused
with another model starts afresh."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from faults.fault_data import TINY_CNN, Study, run_verb

from sca_tf.workflow import RunConfig, run

TINY_RUN = {"models": ("cnn",), "simulate_genes": 200, "upstream": 100, "xgboost": False, "n_resamples": 10,
            "train": {"epochs": 1, "steps_per_epoch": 2, "batch_size": 16, "hparams": TINY_CNN}}


def _dge(study: Study, out: Path, *extra: str) -> list[str]:
    return ["dge", "--counts", study.counts, "--out", out, "--n-cpus", "1", *extra]


def test_case1_run_rerun_with_another_rule_rebuilds_labels_and_everything_after(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "run"
    first = run(RunConfig(out=str(out), **TINY_RUN))
    with caplog.at_level("INFO", logger="sca_tf"):
        second = run(RunConfig(out=str(out), lfc_threshold=1.0, **TINY_RUN))
    for stage, folder in (("dge", "dge"), ("promoters", "promoters"), ("train", "train/cnn")):
        assert f"{stage}: building {out / folder}" in caplog.text
    assert "simulated_up100_down0_random: rebuilding" in caplog.text
    assert "setting rule" in caplog.text and "input de_table changed" in caplog.text
    de_table = pd.read_csv(out / "dge" / "de_table.tsv", sep="\t")
    run_json = json.loads((out / "run.json").read_text())
    kept = set(pd.read_csv(out / "promoters" / "promoters.tsv", sep="\t")["gene_id"])
    n_de = int(de_table[de_table["gene_id"].isin(kept)]["status"].isin(["up", "down"]).sum())
    assert sum(counts["de"] for counts in run_json["label_counts"].values()) == n_de  # the new labels, not the old
    assert run_json["config"]["lfc_threshold"] == 1.0
    assert first.test_metrics.keys() == second.test_metrics.keys()
    assert json.loads((out / "train" / "cnn" / "fingerprint.json").read_text())["stage"] == "train"


def test_case1_dge_rerun_reuses_unchanged_and_rebuilds_changed(study: Study, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str],
                                                                caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "dge"
    assert run_verb(_dge(study, out), capsys)[0] == 0
    written = (out / "de_table.tsv").stat().st_mtime_ns
    with caplog.at_level("INFO", logger="sca_tf"):
        assert run_verb(_dge(study, out), capsys)[0] == 0
    assert "dge: reusing" in caplog.text and (out / "de_table.tsv").stat().st_mtime_ns == written
    with caplog.at_level("INFO", logger="sca_tf"):
        assert run_verb(_dge(study, out, "--lfc-threshold", "0.5"), capsys)[0] == 0
    assert "setting rule: {'lfc_threshold': 2.0, 'padj_threshold': 0.05} -> {'lfc_threshold': 0.5" in caplog.text
    assert json.loads((out / "de_run.json").read_text())["rule"]["lfc_threshold"] == 0.5


def test_case1_dge_rebuilds_when_the_counts_change_in_place(study: Study, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    counts = tmp_path / "counts.tsv"
    shutil.copy(study.counts, counts)
    out = tmp_path / "dge"
    assert run_verb(["dge", "--counts", counts, "--out", out, "--n-cpus", "1"], capsys)[0] == 0
    lines = counts.read_text().splitlines()
    lines[-1] = lines[-1].rsplit("\t", 1)[0] + "\t999999"  # same size class, new content
    counts.write_text("\n".join(lines) + "\n")
    assert run_verb(["dge", "--counts", counts, "--out", out, "--n-cpus", "1"], capsys)[0] == 0
    recorded = json.loads((out / "fingerprint.json").read_text())
    from sca_tf.provenance import sha256_of

    assert recorded["inputs"]["counts"] == sha256_of(counts)


def test_case1_build_dataset_rebuilds_on_new_labels(study: Study, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(study.de_table.parent, inputs / "dge")
    shutil.copytree(study.promoters.parent, inputs / "promoters")
    argv = ["build-dataset", "--data-dir", tmp_path / "tfds", "--de-table", inputs / "dge" / "de_table.tsv",
            "--promoters", inputs / "promoters" / "promoters.tsv", "--upstream", "100", "--downstream", "0",
            "--assembly", "sca-tf-simulated"]
    assert run_verb(argv, capsys)[0] == 0
    gene = min(pd.read_csv(inputs / "promoters/promoters.tsv", sep="\t").query("status == 'not_de'")["gene_id"])
    for table in ("dge/de_table.tsv", "promoters/promoters.tsv"):
        frame = pd.read_csv(inputs / table, sep="\t", dtype=str, keep_default_na=False)
        frame.loc[frame["gene_id"] == gene, "status"] = "up"
        frame.to_csv(inputs / table, sep="\t", index=False)
    import tensorflow_datasets as tfds

    name = f"sca_promoters/{study.dataset}"
    before = sum(counts["de"] for counts in tfds.builder(name, data_dir=str(tmp_path / "tfds"))
                 .info.metadata["label_counts"].values())
    assert run_verb(argv, capsys)[0] == 0
    after = sum(counts["de"] for counts in tfds.builder(name, data_dir=str(tmp_path / "tfds"))
                .info.metadata["label_counts"].values())
    assert after == before + 1


def test_case6_train_out_reused_with_another_model_starts_afresh(study: Study, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str],
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "run"
    common = ["train", *study.dataset_args(), "--out", out, "--epochs", "1", "--steps-per-epoch", "1",
              "--batch-size", "16"]
    assert run_verb([*common, "--model", "cnn"], capsys)[0] == 0
    assert run_verb([*common, "--model", "cnn_lstm"], capsys)[0] == 0
    trained = (out / "model.keras").stat().st_mtime_ns
    with caplog.at_level("INFO", logger="sca_tf"):
        assert run_verb([*common, "--model", "cnn_lstm"], capsys)[0] == 0  # unchanged: reused, not retrained
    assert "train: reusing" in caplog.text and (out / "model.keras").stat().st_mtime_ns == trained
    config = json.loads((out / "config.json").read_text())
    assert config["train_config"]["model"] == "cnn_lstm"
    with open(out / "history.csv", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 1  # not appended to the CNN's history
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model_path"] == str(out / "model.keras") and metrics["epochs_run"] == 1
    from sca_tf.models import load_classifier

    assert load_classifier(out / "model.keras").model_name == "cnn_lstm"


def test_case6_stale_partial_build_of_other_settings_is_discarded(study: Study, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    partial = tmp_path / "dge.partial"
    partial.mkdir()
    (partial / ".fingerprint").write_text(json.dumps({"stage": "dge", "inputs": {}, "settings": {}}))
    (partial / "de_table.tsv").write_text("gene_id\tstatus\nOLD\tup\n")
    assert run_verb(_dge(study, tmp_path / "dge"), capsys)[0] == 0
    assert "OLD" not in (tmp_path / "dge" / "de_table.tsv").read_text() and not partial.exists()


def test_case6_folder_with_foreign_files_is_not_replaced(study: Study, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n")
    status, line = run_verb(_dge(study, out), capsys)
    assert status == 2 and line == (f"sca-tf: error: {out}: holds files sca-tf did not write there (notes.txt); "
                                    f"give an empty or new output directory")
    assert (out / "notes.txt").read_text() == "keep me\n" and [path.name for path in out.iterdir()] == ["notes.txt"]


def test_case6_the_current_folder_is_never_replaced(study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("keep me\n")
    monkeypatch.chdir(tmp_path)
    status, line = run_verb(_dge(study, Path(".")), capsys)
    assert status == 2 and "the current folder or one above it cannot be a stage's output directory" in line
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]
