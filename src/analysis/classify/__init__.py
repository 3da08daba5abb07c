"""Cooperation coding: place mentions, the decision rules, evaluation against the gold set."""
