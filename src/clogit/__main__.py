"""``python -m clogit``: the command line (see ``clogit._cli``)."""

import sys

from ._cli import main

sys.exit(main())
