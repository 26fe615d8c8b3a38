"""Tests of ``server.engine``."""
