"""The benchmark script runs (on a tiny size, so that it cannot rot). It measures
ratios for people to read; nothing here asserts a timing."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_script_prints_every_workload():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench.py"),
            "--samples",
            "400",
            "--epochs",
            "1",
            "--repeats",
            "1",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    workloads = [
        "1. fit, float64",
        "2. fit, float32",
        "3. online fit",
        "4. predict_proba",
        "5. peak memory",
        "6. time per sample",
    ]
    for workload in workloads:
        assert workload in result.stdout


def test_threads_script_prints_every_workload_quiet_and_busy():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "threads.py"),
            "--quick",
            "--samples",
            "1000",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    for workload in ["iris", "quick start", "large, 1,000 x 784"]:
        for machine in ["quiet", "busy"]:
            assert any(
                line.startswith(workload) and machine in line
                for line in result.stdout.splitlines()
            ), (workload, machine)
    assert "auto, busy / quiet, quick start" in result.stdout
