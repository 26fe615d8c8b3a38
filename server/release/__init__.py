"""Releases: the build pipeline, the release folder's layout, exports (TriG, JSON-LD, CSV, KGX, SSSOM), VoID, stats.

May import the ground floor, ``curation``, ``links`` and ``checks``.
"""
