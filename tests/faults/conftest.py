"""The fault suite's tiny study, made once: a 200-gene simulation, its DE table, 100 bp promoters, the TFDS set
and one trained CNN (1 epoch of 2 steps) on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from faults.fault_data import TINY_CNN, Study

from sca_tf.data.build import build_dataset
from sca_tf.prep.dge import run_dge
from sca_tf.prep.promoters import run_promoters
from sca_tf.simulate import SimulationConfig, simulate


@pytest.fixture(scope="session")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    root = tmp_path_factory.mktemp("fault_study")
    simulation = simulate(root / "sim", SimulationConfig(seed=1, n_genes=200))
    dge = run_dge(simulation.counts_tsv, root / "dge", n_cpus=1)
    promoters = run_promoters(dge.table_path, simulation.genome_fasta, simulation.annotation_gtf,
                              root / "promoters", upstream=100)
    built = build_dataset(root / "tfds", de_table=dge.table_path, promoters=promoters.table_path, upstream=100,
                          downstream=0, assembly=promoters.assembly)
    return Study(root=root, counts=simulation.counts_tsv, genome=simulation.genome_fasta,
                 annotation=simulation.annotation_gtf, de_table=dge.table_path, promoters=promoters.table_path,
                 data_dir=built.data_dir, dataset=built.config)


@pytest.fixture(scope="session")
def trained(study: Study, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``model.keras`` of a CNN trained for 1 epoch of 2 steps on the study's dataset."""
    from sca_tf.data.build import load_builder
    from sca_tf.training import TrainConfig, train_classifier

    config = TrainConfig(model="cnn", hparams=TINY_CNN, epochs=1, steps_per_epoch=2, batch_size=16, verbose=0)
    result = train_classifier(load_builder(study.data_dir, study.dataset), config,
                              tmp_path_factory.mktemp("fault_model") / "cnn")
    return result.model_path
