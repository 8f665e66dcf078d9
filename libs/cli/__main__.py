"""`python -m libs.cli`: the `reelforge` command."""

from libs.cli.app import main

main()
