"""Readability check for the exported library: lines over 140 characters and `;`-joined statements.

Usage: python tools/check_style.py [PATH ...]   (default: hpd_nb/*.py and hpd_nb/experiments/*.py)
Prints one row per module (long lines, `;` statements) and every offending line; exits 1 if any."""
import sys, tokenize
from pathlib import Path

MAX_LEN = 140
ROOT = Path(__file__).resolve().parent.parent

def long_lines(path, max_len=MAX_LEN):
    "1-based numbers of the lines of `path` longer than `max_len` characters."
    lines = Path(path).read_text(encoding='utf-8').splitlines()
    return [i for i, line in enumerate(lines, 1) if len(line) > max_len]

def semicolon_lines(path):
    "1-based numbers of the lines of `path` holding a `;` statement separator (an OP token, so not inside strings or comments)."
    with open(path, 'rb') as f:
        toks = list(tokenize.tokenize(f.readline))
    return sorted({t.start[0] for t in toks if t.type == tokenize.OP and t.string == ';'})

def default_paths():
    "The modules of the package: `hpd_nb/*.py` and `hpd_nb/experiments/*.py`, without the generated `_modidx.py`."
    pkg = ROOT / 'hpd_nb'
    paths = sorted(pkg.glob('*.py')) + sorted((pkg / 'experiments').glob('*.py'))
    return [p for p in paths if p.name != '_modidx.py']

def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or default_paths()
    total = 0
    print(f"{'module':40} {'>' + str(MAX_LEN):>6} {';':>6}")
    for p in paths:
        longs, semis = long_lines(p), semicolon_lines(p)
        total += len(longs) + len(semis)
        try:
            name = str(p.resolve().relative_to(ROOT))
        except ValueError:
            name = str(p)
        print(f"{name:40} {len(longs):6} {len(semis):6}")
        for i in longs:
            print(f"  {name}:{i}: line longer than {MAX_LEN} characters")
        for i in semis:
            print(f"  {name}:{i}: `;`-joined statements")
    return 1 if total else 0

if __name__ == '__main__':
    sys.exit(main())
