"""Put on PYTHONPATH by tests/conftest.py: every Python subprocess of the test run refuses network use."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
try:
    import netguard

    netguard.install()
finally:
    del sys.path[0]
