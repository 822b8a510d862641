"""The demo company: a deterministic simulator of a B2B SaaS customer base in the data contract.

A hidden health state per account drives renewals, churn, expansion, product usage, support,
engagement and surveys, so that every signal tenure computes has something real to find.
"""
