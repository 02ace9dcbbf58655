#!/usr/bin/env python
"""Copy the small result files of a finished run from its output folder into `results/`, the committed record.

    python tools/collect_results.py outputs/quick results/hpd_quick

Only result files are copied (JSON, Markdown, CSV, PNG, prediction TSVs; TREC runs are too large), never models, checkpoints or embeddings;
a file over 2 MB is refused. The narrative notebooks and the README read `results/`, so every figure they show comes
from a run whose files are in the repository.
"""
import argparse, shutil, sys
from pathlib import Path

KEEP = ('.json', '.md', '.csv', '.png', '.tsv')
SKIP_DIRS = {'checkpoints', 'work', 'students', 'cache'}
MAX_BYTES = 2_000_000


def collect(src: Path, dest: Path, depth: int = 2) -> list[Path]:
    if not src.is_dir(): raise SystemExit(f'{src} is not a directory: run the experiment first')
    copied = []
    for p in sorted(src.rglob('*')):
        rel = p.relative_to(src)
        if not p.is_file() or p.suffix not in KEEP or len(rel.parts) > depth or SKIP_DIRS & set(rel.parts[:-1]): continue
        if len(rel.parts) == 2 and rel.parts[0] not in ('preds', 'variants', 'qrels', 'histories', 'rows'): continue  # students' folders and TREC runs stay out (size)
        if p.stat().st_size > MAX_BYTES: raise SystemExit(f'{p} is {p.stat().st_size:,} bytes: too large for results/')
        (dest/rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dest/rel); copied.append(dest/rel)
    return copied


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('src', type=Path, help='the run output folder, e.g. outputs/quick')
    ap.add_argument('dest', type=Path, help='the committed folder, e.g. results/hpd_quick')
    a = ap.parse_args()
    files = collect(a.src, a.dest)
    print(f'copied {len(files)} files to {a.dest} ({sum(f.stat().st_size for f in files):,} bytes)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
