"""``python -m sca_tf.cli``: the same as the ``sca-tf`` command."""

import sys

from sca_tf.cli import main

sys.exit(main())
