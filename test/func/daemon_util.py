# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
"""What the Python functional tests share: the daemon with_daemon.sh started, and its telemetry."""
import json
import os
import re
import subprocess
import sys

CONF = open(os.path.join(os.environ["VCD_DIR"], "vcryptd.conf")).read()
PREFIX = re.search(r"--file-prefix=(\S+)", CONF).group(1)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def tel(ctl, cmd):
    """The reply to telemetry command @cmd, through vcryptctl @ctl."""
    out = subprocess.run([ctl, "-f", PREFIX, "raw", cmd], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        fail(f"telemetry {cmd}: {out.stderr.strip()}")
    return json.loads(out.stdout)[cmd.split(",")[0]]
