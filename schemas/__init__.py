"""The XML grammars (RELAX NG), credit rules (Schematron) and the JSON article
schema. Not code: this file makes the folder the ``syndication.schemas`` package
when installed (pyproject.toml maps it there), found by syndication/resources.py.
"""
