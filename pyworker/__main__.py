"""``python -m pyworker`` runs the command line."""

import sys

from pyworker.cli import main

sys.exit(main())
