"""Recognising the genome assembly from chromosome lengths."""

from __future__ import annotations

from sca_tf.prep.assemblies import assemblies_matching


def test_assembly_is_recognised_from_chromosome_lengths() -> None:
    assert assemblies_matching({"20": 63_025_520}) == ["GRCh37"]
    assert assemblies_matching({"chr20": 64_444_167, "chrX": 156_040_895}) == ["GRCh38"]
    assert assemblies_matching({"chrS1": 1_000_000}) == []
    assert assemblies_matching({"20": 63_025_520, "21": 46_709_983}) == []
