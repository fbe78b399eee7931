import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # shared helpers (pg_helpers)
sys.path.insert(0, str(Path(__file__).parent / "inspect"))
os.environ.setdefault("HOTLINE_SEMANTIC", "0")  # rule tables test the phrase layer; semantic tests opt in
