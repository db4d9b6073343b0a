"""Evaluation tooling, kept apart from the analysis: simulators, metrics, baselines,
dataset loaders and the accuracy gate.

Nothing under :mod:`lineage` outside this package imports it (a test checks that
``lineage.analyze`` loads none of its modules); it only calls the analysis's public API.
"""
