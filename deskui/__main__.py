"""``python -m deskui`` and the ``deskui`` console script."""

from __future__ import annotations

import sys

from deskui.cli import main

if __name__ == "__main__":
    sys.exit(main())
