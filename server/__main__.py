"""Allow ``python -m server`` as an alias of the ``msckg`` console script."""

from server.cli import main

main()
