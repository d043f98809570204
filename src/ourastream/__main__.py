"""``python -m ourastream`` runs the command-line tool."""

from ourastream.cli import main

main()
