#!/usr/bin/env python
"""A DSE speed lever: the 1-vs-N benchmark of the `cpu` preset's last task under bf16 autocast and in fp32, on timing twins.

    python experiments/scripts/dse_speed_lever.py --n 1000 --out results/dse_levers

Forward-pass time does not depend on trained weights, so the cross-encoder (the task's teacher model with a fresh head) and the
DSE student (`fresh_student`) are timing twins of the trained pair; the query and the candidates are the run's (first dev
sentence; the task's unique training sentences, tiled to N). Each precision is one `speed_benchmark` call (`repeats` timed runs
each, median/min/max); the result goes to `<out>/<task>__speed_precision.json`.
"""
import argparse, dataclasses, sys, time
from pathlib import Path
from hpd_nb.core import write_result
from hpd_nb.dse import load_cross_encoder
from hpd_nb.core import resolve_model
from hpd_nb.experiments.dse_bench import DSE_PRESETS, fresh_student, precision, speed_benchmark, speedup, task_data, per_task


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, nargs='+', default=[1000]); ap.add_argument('--out', type=Path, default=Path('outputs/dse_levers'))
    a = ap.parse_args()
    base = DSE_PRESETS['cpu']; task = base.tasks[-1]
    data = task_data(task, base)
    pool = list(dict.fromkeys(data['train']['s1'] + data['train']['s2']))[:max(a.n)]
    rows = {}
    for name, bf16 in (('bf16', True), ('fp32', False)):
        p = dataclasses.replace(base, bf16=bf16)
        ce, ce_tok = load_cross_encoder(resolve_model(per_task(p, 'teacher', task)), task)
        stu, tok = fresh_student(task, p)
        t0 = time.time()
        with precision(p, 'cpu'):
            sp = speed_benchmark(data['dev']['s1'][0], pool, (ce, ce_tok), (stu, tok), tuple(a.n), p.max_cross_pairs, p.max_length,
                                 repeats=p.speed_repeats, device='cpu')
        rows[name] = dict(speed=sp, seconds=time.time() - t0, speedup={n: speedup(sp, n) for n in a.n})
        print(name, {n: f"{speedup(sp, n):.0f}x" for n in a.n}, [(r['cross_encoder_s'], r['dse_s'], r['dot_s']) for r in sp], flush=True)
    mixed = {n: next(r for r in rows['bf16']['speed'] if r['n'] == n)['cross_encoder_s'] / next(r for r in rows['fp32']['speed'] if r['n'] == n)['dse_s'] for n in a.n}
    write_result(a.out/f'{task}__speed_precision.json', dict(task=task, teacher=per_task(base, 'teacher', task), pool=len(pool), rows=rows,
                 cross_encoder_bf16_over_dse_fp32=mixed, timing_twins=True))
    print('cross-encoder bf16 / DSE fp32:', {n: f'{v:.0f}x' for n, v in mixed.items()})
    return 0


if __name__ == '__main__':
    sys.exit(main())
