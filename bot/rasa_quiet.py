"""Run the `rasa` command without the deprecation warnings its libraries print at start.

Sanic's import installs a filter that shows every DeprecationWarning once, which
overrides PYTHONWARNINGS; this puts "ignore" back in front before Rasa starts.
Usage: python -m bot.rasa_quiet run ... (same arguments as `rasa`).
"""

from __future__ import annotations

import sys
import warnings

import sanic  # noqa: F401  (imported first so that its warning filter can be overridden)


def main() -> None:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
    warnings.filterwarnings("ignore", module=r"matplotlib\.")  # pyparsing API renames
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
