"""``python -m robodrl.cli``: the same as the ``robodrl`` command."""

from robodrl.cli import main

raise SystemExit(main())
