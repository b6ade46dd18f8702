"""Real data end to end: GSE248760 labels → GRCh37 chr20 promoters → the one-command pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sca_tf.prep.promoters import run_promoters
from sca_tf.workflow import RunConfig, run

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


@pytest.fixture(scope="module")
def chr20_promoters(gse248760_dge, shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    genome = shared_data / "grch37_chr20" / "20.fa.gz"
    return run_promoters(gse248760_dge.table_path, genome, "grch37", tmp_path_factory.mktemp("chr20_promoters"))


def test_chr20_promoters_carry_the_de_labels(chr20_promoters) -> None:
    table = pd.read_csv(chr20_promoters.table_path, sep="\t")
    assert len(table) == 1202  # 1,204 full windows, two of them more than 10 % N
    assert chr20_promoters.dropped["too_many_n"] == 2
    testable = table[table["status"] != "untestable"]
    de = table[table["status"].isin(["up", "down"])]
    assert 480 <= len(testable) <= 580
    assert 85 <= len(de) <= 125
    assert chr20_promoters.assembly == "GRCh37"


def test_run_on_real_chr20_with_a_tiny_budget(gse248760_dge, shared_data: Path, tmp_path: Path) -> None:
    config = RunConfig(
        out=str(tmp_path / "run"),
        models=("cnn",),
        de_table=str(gse248760_dge.table_path),
        genome=str(shared_data / "grch37_chr20" / "20.fa.gz"),
        annotation="grch37",
        train={"epochs": 1, "batch_size": 32, "steps_per_epoch": 2,
               "hparams": {"filters": [8], "kernel_sizes": [15], "pooling": "global_max", "dense_units": [8]}},
        n_resamples=50,
    )
    result = run(config)
    report = json.loads(result.report_json.read_text())
    assert report["run"]["dataset"] == "sca_promoters/grch37_up2000_down0_random"
    counts = report["run"]["label_counts"]
    assert 480 <= sum(sum(split.values()) for split in counts.values()) <= 580
    assert [row["Model"] for row in report["rows"]][:2] == ["cnn", "cnn+xgboost"]
    assert "baseMean only (expression confounder)" in [row["Model"] for row in report["rows"]]
