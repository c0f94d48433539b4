import sys
from pathlib import Path

# Worker processes import fake implementations by module name (spawn copies sys.path to children).
sys.path.insert(0, str(Path(__file__).parent / "fake_impls"))
