"""``python -m paper_tui``."""

import sys

from paper_tui.cli import main

sys.exit(main())
