"""Real processes on 127.0.0.1 for the multi-machine tests, import as ``training.loopback_data``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

PROCESS_TIMEOUT = 240


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports



def run_together(script: Path, environments: list[dict[str, str]], cwd: Path) -> list[subprocess.CompletedProcess]:
    """Start one process per environment, wait for all (bounded), and fail with their output if any failed."""
    processes = [subprocess.Popen([sys.executable, str(script)], cwd=cwd, env={**os.environ, **extra},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for extra in environments]
    outputs = []
    try:
        for process in processes:
            outputs.append(process.communicate(timeout=PROCESS_TIMEOUT)[0])
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, output in zip(processes, outputs):
        assert process.returncode == 0, f"worker failed:\n{output[-4000:]}"
    return outputs
