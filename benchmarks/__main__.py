"""``python -m benchmarks``: every benchmark in one run (see :mod:`benchmarks.run_all`)."""

import sys

from benchmarks.run_all import main

sys.exit(main())
