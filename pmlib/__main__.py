"""``python -m pmlib`` runs the command line."""

from pmlib.cli import main

raise SystemExit(main())
