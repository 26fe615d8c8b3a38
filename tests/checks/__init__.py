"""Tests of ``server.checks``."""
