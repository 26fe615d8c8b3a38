"""Tests of ``server.release``."""
