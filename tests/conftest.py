import sys
from pathlib import Path

# Let tests import the small helper modules that live beside them (rulekit.py ...).
sys.path.insert(0, str(Path(__file__).parent))
