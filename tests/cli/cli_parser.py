"""Test helper: one option of one verb of the ``sca-tf`` parser."""

from __future__ import annotations

import argparse

from sca_tf.cli.app import build_parser


def verb_parsers() -> dict[str, argparse.ArgumentParser]:
    """Verb name -> its sub-parser."""
    verbs = next(action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction))
    return dict(verbs.choices)


def option(verb: str, dest: str) -> argparse.Action:
    """The argparse action storing ``dest`` in ``verb``'s parser."""
    return next(action for action in verb_parsers()[verb]._actions if action.dest == dest)
