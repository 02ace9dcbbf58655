#!/usr/bin/env python
"""Copy a run's committed partial results back into its output folder, so that a long run resumes in a new session.

    python tools/restore_results.py results/dse_cpu_partial outputs/dse_cpu

The reverse of `collect_results.py` for runs that span sessions: a machine's `outputs/` does not outlive its session,
but a finished stage's small result file does once it is committed (DSE: `work/<preset>/<task>/result.json` and the
task's `preds/`; frontier: `rows/`). Each run checks what it finds (keys, prediction hashes), so a restored file is
reused only where it still matches the run's settings and package version. Files already in the output folder are
kept unless `--force`.
"""
import argparse, shutil, sys
from pathlib import Path


def restore(src: Path, dest: Path, force: bool = False) -> list[Path]:
    if not src.is_dir(): raise SystemExit(f'{src} is not a directory: nothing committed to restore')
    copied = []
    for p in sorted(src.rglob('*')):
        if not p.is_file(): continue
        to = dest/p.relative_to(src)
        if to.exists() and not force: continue
        to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, to); copied.append(to)
    return copied


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('src', type=Path, help='the committed folder, e.g. results/dse_cpu_partial')
    ap.add_argument('dest', type=Path, help='the run output folder, e.g. outputs/dse_cpu')
    ap.add_argument('--force', action='store_true', help='overwrite files already in the output folder')
    a = ap.parse_args()
    files = restore(a.src, a.dest, a.force)
    print(f'restored {len(files)} files into {a.dest}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
