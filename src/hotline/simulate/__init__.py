"""情景模拟 / 实操演练: scenario library, simulated citizens, drill sessions and their debriefs."""

from hotline.simulate.library import ScenarioLibrary, default_library, load_library
from hotline.simulate.session import DrillSession, Reply

__all__ = ["DrillSession", "Reply", "ScenarioLibrary", "default_library", "load_library"]
