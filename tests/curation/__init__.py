"""Tests of ``server.curation``."""
