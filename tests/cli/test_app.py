"""The ``sca-tf`` shell: each error kind is one line and its documented exit status; help lists the statuses."""

from __future__ import annotations

import errno

import pytest
from cli.cli_parser import option, verb_parsers

from sca_tf.cli import main
from sca_tf.cli import prep as prep_verbs
from sca_tf.cli.app import EXIT_STATUSES, INTERRUPTED, SYSTEM_ERROR, build_parser
from sca_tf.errors import ScaError, ScaExportError, ScaInputError, ScaTrainingError
from sca_tf.explain.attributions import METHODS, REFERENCES
from sca_tf.models.generative.sampling import SAMPLERS
from sca_tf.precision import PRECISIONS
from sca_tf.schema import DE_STATUSES, SPLIT_SCHEMES
from sca_tf.synthetic.assess import HELDOUT_SPLITS
from sca_tf.training.generator import GENERATOR_MODELS
from sca_tf.training.nan_guard import NonFiniteLossError

SIMULATE = ["simulate", "--out", "unused"]


def _raising(error: BaseException):
    def raise_it(*args: object, **kwargs: object) -> None:
        raise error

    return raise_it


@pytest.mark.parametrize(
    "error, status",
    [
        (ScaInputError("counts.tsv, line 3: expected a count, got 'three'"), 2),
        (ScaTrainingError("training stopped: expected a finite loss, got nan"), 3),
        (NonFiniteLossError("training loss became nan at epoch 1, batch 3"), 3),
        (ScaExportError("saved_models/cnn/.export-x: signature 'embed' differs from the Keras model by 0.1"), 4),
    ],
)
def test_each_error_kind_is_one_line_and_its_exit_status(error: ScaError, status: int,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(prep_verbs, "simulate", _raising(error))
    assert main(SIMULATE) == status
    captured = capsys.readouterr()
    assert captured.err == f"sca-tf: error: {error}\n"
    assert captured.out == ""


def test_a_multi_line_message_is_printed_on_one_line(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(prep_verbs, "simulate", _raising(ScaInputError('run.yaml: while parsing\n  in "run.yaml"')))
    assert main(SIMULATE) == 2
    assert capsys.readouterr().err == 'sca-tf: error: run.yaml: while parsing in "run.yaml"\n'


def test_a_system_error_is_one_located_line_and_exit_status_5(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "out/dge.partial/de_table.tsv")
    monkeypatch.setattr(prep_verbs, "simulate", _raising(full))
    assert main(SIMULATE) == SYSTEM_ERROR == 5
    assert capsys.readouterr().err == "sca-tf: error: out/dge.partial/de_table.tsv: No space left on device (ENOSPC)\n"


def test_ctrl_c_exits_130_without_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(prep_verbs, "simulate", _raising(KeyboardInterrupt()))
    assert main(SIMULATE) == INTERRUPTED == 130
    assert capsys.readouterr().err == "sca-tf: interrupted; rerun to resume\n"


def test_an_unexpected_error_is_not_disguised_as_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prep_verbs, "simulate", _raising(ZeroDivisionError("a bug")))
    with pytest.raises(ZeroDivisionError, match="a bug"):
        main(SIMULATE)


def test_the_error_kinds_share_one_base_and_keep_their_builtin_kind() -> None:
    assert [kind for kind, _, _ in EXIT_STATUSES] == [ScaInputError, ScaTrainingError, ScaExportError]
    assert all(issubclass(kind, ScaError) for kind, _, _ in EXIT_STATUSES)
    assert issubclass(NonFiniteLossError, ScaTrainingError) and not issubclass(NonFiniteLossError, ScaInputError)


def test_help_lists_every_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    for kind, status, meaning in [*EXIT_STATUSES, (None, 130, "interrupted (Ctrl-C)"), (None, 0, "success")]:
        assert any(line.split()[:1] == [str(status)] and meaning in line for line in lines), status


@pytest.mark.parametrize("verb", sorted(verb_parsers()))
def test_every_verb_has_help(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([verb, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: sca-tf {verb}" in capsys.readouterr().out


def test_help_states_the_library_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    assert f"(default {option('explain', 'method').default})" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    "verb, dest, constant",
    [
        ("build-dataset", "split", SPLIT_SCHEMES),
        ("explain", "method", METHODS),
        ("explain", "reference", REFERENCES),
        ("generate", "sampler", SAMPLERS),
        ("train-generator", "model", GENERATOR_MODELS),
        ("train-generator", "precision", PRECISIONS),
        ("generate", "precision", PRECISIONS),
        ("assess-synthetic", "split_scheme", SPLIT_SCHEMES),
        ("assess-synthetic", "heldout_split", HELDOUT_SPLITS),
        ("assess-synthetic", "status", DE_STATUSES),
    ],
)
def test_choices_are_the_library_constants(verb: str, dest: str, constant: tuple[str, ...]) -> None:
    assert option(verb, dest).choices is constant


def test_the_parser_has_one_verb_per_stage() -> None:
    verbs = set(verb_parsers())
    assert verbs == {"simulate", "dge", "promoters", "build-dataset", "train", "tune", "evaluate", "explain",
                     "export", "train-generator", "generate", "assess-synthetic", "run", "ablate", "predict",
                     "variants", "cv"}
    assert build_parser().prog == "sca-tf"


def test_library_progress_reaches_stderr_as_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from sca_tf.cli.app import show_progress

    show_progress()
    show_progress()  # once per process, however often main() runs
    logging.getLogger("sca_tf.workflow").info("promoters: 12 kept")
    logging.getLogger("sca_tf.workflow").debug("not shown")
    assert capsys.readouterr().err == "promoters: 12 kept\n"
