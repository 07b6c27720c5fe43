"""``python -m attncore report`` (same as the ``attncore`` command)."""
from attncore.report.cli import main

raise SystemExit(main())
