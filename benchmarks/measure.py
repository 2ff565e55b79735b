"""Run one command and print its wall time and peak memory as JSON (the last line of stdout).

``python -m benchmarks.measure LOG -- CMD ...``: the command's own output goes to LOG. Peak memory is
``ru_maxrss`` of RUSAGE_CHILDREN in this fresh process: the largest resident set of the command and
of every process it waited for (so dbt's child process counts too).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    log, cmd = argv[0], argv[argv.index("--") + 1 :]
    with open(log, "ab") as fh:
        start = time.perf_counter()
        rc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, check=False).returncode
        seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": round(seconds, 3), "peak_mib": round(peak_kib / 1024, 1), "returncode": rc}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
