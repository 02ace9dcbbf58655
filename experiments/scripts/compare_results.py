#!/usr/bin/env python
"""Compare a re-run with the committed result it repeats, row by row, to the printed digit (issue 20's re-cut check).

    python experiments/scripts/compare_results.py [results/recut_check]

HPD: every cell of the quick STS table; compression: the STS avg of every row the narrowed re-run shares with the committed run;
the fp32 STS table of the teacher and the student (`sts_fp32/`) against the fp32 rows of `results/precision`.
"""
import argparse, sys
from pathlib import Path
import pandas as pd
from hpd_nb.core import read_result
from hpd_nb.experiments.reproduce import read_results

ROOT = Path(__file__).resolve().parents[2]  # the repository


def compare(old: pd.Series, new: pd.Series) -> pd.DataFrame:
    "Committed vs re-run, their difference and whether they print alike at two decimals."
    d = pd.DataFrame({'committed': old, 're-run': new}).dropna()
    return d.assign(diff=d['re-run'] - d['committed'], printed_equal=d['committed'].round(2) == d['re-run'].round(2))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('check', type=Path, nargs='?', default=ROOT/'results'/'recut_check',
                    help='the re-run folder (default: results/recut_check)')
    check = ap.parse_args(argv).check
    a, b = read_results(ROOT/'results'/'hpd_quick'), read_results(check/'hpd_quick')
    hpd = compare(a['table'].stack(), b['table'].loc[a['table'].index, a['table'].columns].stack())
    print(f"HPD quick STS table: {int(hpd.printed_equal.sum())} of {len(hpd)} cells print alike, max |diff| {hpd['diff'].abs().max():.4f}")
    print(hpd[~hpd.printed_equal].round(4).to_string() if (~hpd.printed_equal).any() else '')
    print(hpd.xs('avg', level=1).round(4).to_string(), '\n')
    rows = lambda p: pd.Series({r['label']: r['sts_avg'] for r in read_result(p, 'compression.json')['rows']}, dtype=float)
    comp = compare(rows(ROOT/'results'/'compression_quick'), rows(check/'compression_sts'))
    print('compression quick, STS avg of the shared rows:')
    print(comp.round(4).to_string())

    # the STS table of the teacher and the student in fp32 (`hpd_nb eval-sts MODEL --precision fp32`, `STSEvaluator`) against the
    # fp32 rows of `hpd_nb bench-precision` (results/precision)
    prec = {r['model']: r for r in read_result(ROOT/'results'/'precision', 'precision.json')['rows'] if r['precision'] == 'fp32'}
    for d in sorted((check/'sts_fp32').glob('*/sts.json')):
        new = read_result(d, 'sts.json')
        m = new['model']
        sts = compare(pd.Series({k: prec[m][k] for k in new['metrics']}, dtype=float), pd.Series(new['metrics'], dtype=float))
        print(f"\n{m} fp32 STS (eval-sts on {new['environment']['cpu']} vs results/precision): "
              f"{int(sts.printed_equal.sum())} of {len(sts)} print alike, max |diff| {sts['diff'].abs().max():.4f}")
        print(sts.round(4).to_string())
    return 0


if __name__ == '__main__':
    sys.exit(main())
