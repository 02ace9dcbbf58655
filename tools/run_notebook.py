#!/usr/bin/env python
"""Execute notebooks in place and keep their outputs, skipping the cells nbdev_test skips.

Experiment notebooks read the results of a finished run (e.g. `outputs/dse_cpu/dse.json`); this refreshes their
tables and figures without re-running the `#| slow` cells that produce those results.

    python tools/run_notebook.py nbs/22_dse_bench.ipynb [--run-flags slow]
"""
import argparse, os, re, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config

SKIP = set(str(get_config().get('tst_flags', '')).split())  # the flags nbdev_test skips (settings.ini)


def directives(src: str) -> dict:
    "The `#| name args` directives of a cell's source."
    out = {}
    for line in src.splitlines():
        m = re.match(r'\s*#\|\s*([\w:-]+)\s*(.*)', line)
        if m: out[m.group(1)] = m.group(2).strip()
    return out


def skip_cell(cell, skip: set) -> bool:
    "True for cells nbdev_test would not run: markdown, flagged cells, `eval: false`, the export call."
    if cell.cell_type != 'code': return True
    d = directives(cell.source)
    if 'nbdev_export(' in cell.source or d.get('eval:', '').lower() == 'false': return True
    return bool(skip & set(d))


def run_notebook(path: Path, skip: set) -> None:
    nb = read_nb(path)
    for c in nb.cells:
        if c.cell_type == 'code' and skip_cell(c, skip): c.outputs, c.execution_count = [], None
    shell = CaptureShell(path)
    cwd = os.getcwd(); os.chdir(path.parent)
    try: shell.run_all(nb, exc_stop=True, preproc=lambda c: skip_cell(c, skip))
    finally: os.chdir(cwd)
    write_nb(nb, path)


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='+', type=Path)
    ap.add_argument('--run-flags', nargs='*', default=[], help='flags to run although nbdev_test skips them')
    a = ap.parse_args()
    for p in a.notebooks:
        print(f'executing {p}', flush=True)
        run_notebook(p, SKIP - set(a.run_flags))
    sys.exit(0)
