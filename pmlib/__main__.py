"""``python -m pmlib`` runs the command line."""

from pmlib.cli.main import main

raise SystemExit(main())
