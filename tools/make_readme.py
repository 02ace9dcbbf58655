#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb (Quarto, which `nbdev_readme` needs, is not installable here).

Cells marked `#| hide` are dropped, other `#|` directive lines removed, code cells become ```python blocks and their
text outputs plain ``` blocks, PNG outputs files in results/readme/ shown as images; a cell marked `#| echo: false` shows its outputs only (Markdown outputs as Markdown),
which is how the README's result tables are generated from the committed result files. The notebook's *source* is
executed afresh (as nbdev_test runs it) before rendering, so README.md never shows outputs older than the notebook;
`--stored` renders the stored outputs instead. `--check` exits 1 when README.md differs from what would be written.
"""
import argparse, sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_notebook import SKIP, skip_cell  # noqa: E402  (same folder)

ROOT = Path(__file__).resolve().parent.parent
HEADER = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py; edit the notebook, not this file. -->\n\n"


def _directives(src):
    return [l.strip()[2:].strip() for l in src.splitlines() if l.strip().startswith('#|')]


def _output_text(out):
    if out.output_type == 'stream': return out.text
    if out.output_type in ('execute_result', 'display_data'):
        data = out.get('data', {})
        if 'text/markdown' in data: return None, data['text/markdown']
        return data.get('text/plain')
    return None


def execute(nb_path):
    "The notebook with every cell nbdev_test would run executed afresh, in memory (the file is not touched)."
    import os
    from execnb.nbio import read_nb
    from execnb.shell import CaptureShell
    nb = read_nb(nb_path)
    for c in nb.cells:
        if c.cell_type == 'code': c.outputs, c.execution_count = [], None
    cwd = os.getcwd(); os.chdir(Path(nb_path).parent)
    try: CaptureShell(nb_path).run_all(nb, exc_stop=True, preproc=lambda c: skip_cell(c, SKIP))
    finally: os.chdir(cwd)
    return nbformat.reads(nbformat.writes(nbformat.from_dict(nb)), as_version=4)


FIGURES = Path('results')/'readme'  # where the README's figures are written, relative to the project root


def render(nb_path=ROOT/'nbs'/'index.ipynb', stored=False):
    "(README text, {figure path relative to the root: PNG bytes})."
    import base64
    nb = nbformat.read(nb_path, as_version=4) if stored else execute(nb_path)
    parts, figures = [HEADER], {}
    for cell in nb.cells:
        src = cell.source
        dirs = _directives(src)
        if any(d.split()[0] in ('hide', 'exporti') for d in dirs if d): continue
        body = '\n'.join(l for l in src.splitlines() if not l.strip().startswith('#|')).strip('\n')
        if cell.cell_type == 'markdown':
            parts.append(body.strip() + '\n\n')
        elif cell.cell_type == 'code' and body.strip():
            if 'echo: false' not in dirs: parts.append(f'```python\n{body}\n```\n\n')
            for out in cell.get('outputs', []):
                png = out.get('data', {}).get('image/png') if out.output_type in ('execute_result', 'display_data') else None
                if png:
                    rel = FIGURES/f'figure-{len(figures) + 1}.png'
                    figures[rel] = base64.b64decode(png)
                    parts.append(f'![]({rel.as_posix()})\n\n')
                    continue
                text = _output_text(out)
                if isinstance(text, tuple): parts.append(text[1].strip() + '\n\n')
                elif text and text.strip(): parts.append(f'```\n{text.rstrip()}\n```\n\n')
    return ''.join(parts).rstrip() + '\n', figures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--check', action='store_true', help='fail if README.md is not up to date')
    ap.add_argument('--stored', action='store_true', help="render the notebook's stored outputs instead of executing it")
    args = ap.parse_args()
    (text, figures), readme = render(stored=args.stored), ROOT/'README.md'
    if args.check:
        stale = not readme.exists() or readme.read_text() != text or any(not (ROOT/f).is_file() for f in figures)
        if stale:
            print('README.md is out of date: run `python tools/make_readme.py` (or `make readme`)', file=sys.stderr)
            return 1
        print('README.md is up to date')
        return 0
    for rel, png in figures.items():
        (ROOT/rel).parent.mkdir(parents=True, exist_ok=True)
        (ROOT/rel).write_bytes(png)
    readme.write_text(text)
    print(f'wrote {readme}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
