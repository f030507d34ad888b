"""Cloudflare's ``workers`` module, served by pyworker: see ``pyworker.api``."""

import sys

from pyworker import api

sys.modules[__name__] = api
