"""``python -m pmlib`` runs the command line."""

from pmlib.cli.main import main

if __name__ == "__main__":  # importing this module (pytest --doctest-modules) runs nothing
    raise SystemExit(main())
