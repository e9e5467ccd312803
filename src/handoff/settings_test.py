"""Settings for the test suite: the normal settings in their testing mode."""

import os

os.environ["HANDOFF_TESTING"] = "1"

from handoff.settings import *  # noqa: E402,F403
