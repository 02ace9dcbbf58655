#!/usr/bin/env python
"""Check that the notebooks store their outputs: a reader on GitHub or on the docs site sees what each cell does.

A notebook fails when it has cells that display something and stores no output at all, or when a cell that always
displays (its last statement a bare value such as `df`, `table.T` or `show_doc(f)`) has no stored output.

    python tools/check_outputs.py [nbs/*.ipynb]     # exit 1 and one line per failure
"""
import ast, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {'hide', 'export', 'exports', 'exporti', 'slow', 'notest', 'cuda', 'eval:'}


def _code(src: str) -> str:
    "The cell's Python, without `#|` directives and IPython magics."
    return '\n'.join(l for l in src.splitlines() if not re.match(r'\s*(#\||%|!)', l))


def displays(src: str) -> str | None:
    "'always' when the cell's last statement is a bare value (or show_doc), 'maybe' when it may display, else None."
    directives = {m.group(1) for m in re.finditer(r'^\s*#\|\s*([\w:-]+)', src, re.M)}
    if directives & SKIP or 'nbdev_export(' in src: return None
    try: tree = ast.parse(_code(src))
    except SyntaxError: return None
    if not tree.body: return None
    last = tree.body[-1]
    if isinstance(last, ast.Expr) and not _code(src).rstrip().endswith(';'):
        call = isinstance(last.value, ast.Call)
        name = ast.unparse(last.value.func) if call else ''
        if not call or name == 'show_doc': return 'always'
        if not name.startswith(('test_', 'assert')): return 'maybe'
    text = _code(src)
    return 'maybe' if re.search(r'\b(print|display|plt\.|\.plot\(|tqdm)', text) else None


def check(path: Path) -> list[str]:
    "The failures of one notebook."
    cells = [c for c in json.loads(path.read_text())['cells'] if c['cell_type'] == 'code']
    kinds = [(displays(''.join(c['source'])), bool(c.get('outputs'))) for c in cells]
    stored = sum(has for _, has in kinds)
    fails = []
    if stored == 0 and any(k for k, _ in kinds):
        fails.append(f'{path.name}: {sum(bool(k) for k, _ in kinds)} cells display something, none stores its output')
    for i, (c, (k, has)) in enumerate(zip(cells, kinds)):
        if k == 'always' and not has:
            first = _code(''.join(c['source'])).strip().splitlines()[-1][:60]
            fails.append(f'{path.name}: code cell {i} ends in `{first}` and stores no output')
    return fails


if __name__ == '__main__':
    paths = [Path(p) for p in sys.argv[1:]] or sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
    fails = [f for p in paths for f in check(p)]
    for f in fails: print(f)
    print(f'{len(paths)} notebooks checked, {len(fails)} failures')
    sys.exit(1 if fails else 0)
