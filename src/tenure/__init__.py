"""tenure: the open-source customer success platform.

The Python API lives in the layer packages: `tenure.contract` (loading), `tenure.metrics`
(revenue truth) and `tenure.workspace` (a workspace folder with its config and warehouse).
"""

__version__ = "0.1.0"
