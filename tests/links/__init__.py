"""Tests of ``server.links``."""
