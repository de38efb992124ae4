"""Test-suite settings.

MPLBACKEND=Agg: plots are drawn off-screen (no display on CI).

SCIPY_ARRAY_API must be set before scipy is first imported for scikit-learn's
``check_array_api_input`` to run instead of skipping itself; it only enables
scipy's array-API dispatch, which numpy inputs pass through unchanged.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
