#!/usr/bin/env python
"""Time the README's commands from where they start (a fresh clone times `make venv` inside the first) and record them.

Each named make target runs once, as a whole process; its wall seconds, exit status and the machine it ran on are
written to results/commands/<target>.json through the package's result writer, which the README reads.

    python tools/time_commands.py reproduce test docs [--label avx512]
"""
import argparse, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from hpd_nb.core import cpu_flags, environment, write_result  # noqa: E402


def time_target(target: str, label: str = '') -> dict:
    "Run `make <target>` in the project root and return what the record holds."
    t0 = time.time()
    rc = subprocess.run(['make', target], cwd=ROOT).returncode
    flags = cpu_flags()
    return dict(command=f'make {target}', wall_seconds=round(time.time() - t0, 1), returncode=rc, label=label,
                native_bf16=bool({'avx512_bf16', 'amx_bf16'} & flags), avx512=any(f.startswith('avx512') for f in flags),
                environment=environment())


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('targets', nargs='+')
    ap.add_argument('--label', default='', help='a name for the machine, kept in the file name when given')
    a = ap.parse_args()
    for t in a.targets:
        rec = time_target(t, a.label)
        name = f'{t}-{a.label}.json' if a.label else f'{t}.json'
        write_result(ROOT/'results'/'commands'/name, rec)
        print(f"make {t}: {rec['wall_seconds']:.0f}s, exit {rec['returncode']}")
