"""`sca-tf predict` / `sca-tf variants` argument handling (the verbs themselves are tested in tests/predict)."""

from __future__ import annotations

import pytest

from sca_tf.cli import main


def test_predict_needs_exactly_one_source(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    with pytest.raises(SystemExit):
        main(["predict", "--model", "m.keras", "--fasta", "a.fa", "--bed", "b.bed", "--out", str(tmp_path)])
    assert "not allowed with argument" in capsys.readouterr().err
    assert main(["predict", "--model", str(tmp_path / "none.keras"), "--fasta", "a.fa", "--out", str(tmp_path)]) == 2
    assert "none.keras: no such file or directory" in capsys.readouterr().err
    assert main(["predict", "--model", "m.keras", "--bed", "b.bed", "--out", str(tmp_path)]) == 2
    assert "--bed and --genes need --genome" in capsys.readouterr().err


def test_variants_requires_its_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["variants", "--model", "m.keras", "--vcf", "v.vcf"])
    assert "--genome" in capsys.readouterr().err
