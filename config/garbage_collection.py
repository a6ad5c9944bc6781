"""The garbage collector of a long-running daphne process.

CPython collects its youngest generation after every 700 new container objects and promotes
what survives. A meeting's fan-out makes thousands of short-lived objects (a frame, a handle
and a buffer per socket) that live until the process's loop has written them: at the default
thresholds they were promoted mid-flight, the oldest generation grew by a quarter every second
or two, and each full collection walked every object of the process (about 550,000 with 2,000
sockets: 350 to 480 ms during which no socket was written to). The thresholds in
settings.GC_THRESHOLDS let them die by reference counting before any collection looks at them;
cycles are still collected, later. benchmarks/meeting_fanout.py measures the effect.
"""

import gc

from django.conf import settings


def tune_for_long_running_process() -> None:
    """Called once by config/asgi.py after the application is built."""
    gc.set_threshold(*settings.GC_THRESHOLDS)
    if settings.GC_FREEZE_AT_START:
        # What is alive now lives as long as the process; collect once, then leave it out of
        # every later collection (gc.freeze moves it to the permanent generation).
        gc.collect()
        gc.freeze()
