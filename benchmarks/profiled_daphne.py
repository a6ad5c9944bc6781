"""daphne under cProfile, for `meeting_fanout.py --profile DIR`: the same command line as
`python -m daphne`, the main thread's profile written to $PROFILE_TO when the process stops
(daphne stops on SIGTERM, as the benchmark stops it). Read it with `python -m pstats FILE`.
Only the event loop's thread is profiled: the database thread's work shows as the time the
loop waited for it."""

import cProfile
import os
import sys

from daphne.cli import CommandLineInterface


def main() -> None:
    profile = cProfile.Profile()
    profile.enable()
    try:
        CommandLineInterface.entrypoint()
    finally:
        profile.disable()
        profile.dump_stats(os.environ["PROFILE_TO"])


if __name__ == "__main__":
    sys.argv[0] = "daphne"
    main()
