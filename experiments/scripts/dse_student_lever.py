#!/usr/bin/env python
"""A DSE lever study: students of one finished `cpu` task retrained with other settings on the same cached teacher logits.

    python experiments/scripts/dse_student_lever.py MRPC student_epochs=3 --alphas 0 1 --out outputs/dse_levers

The teacher is not retrained: its logits on the fit pairs are read from the finished run's stored teacher stage
(`outputs/dse_cpu/work/cpu/<task>/teacher_stage.json`, checked against the preset's teacher settings). Every student is scored
on the selection slice (where choices are made) and on dev; the result goes to `<out>/<task>__<settings>.json`.
"""
import argparse, dataclasses, json, sys, time
from pathlib import Path
import numpy as np
from hpd_nb.core import write_result
from hpd_nb.dse import evaluate_student, task_score
from hpd_nb.experiments.dse_bench import DSE_PRESETS, _pairs, precision, student_name, task_data, teacher_key, train_student


def cached_logits(run: Path, task: str, p, fit: tuple) -> np.ndarray:
    "The finished run's teacher logits on the fit pairs, from its stored teacher stage (`cached_teacher_stage`), checked against the settings."
    f = run/'work'/'cpu'/task/'teacher_stage.json'
    if not f.is_file(): raise SystemExit(f'{f} not found: run the task first (or restore it: tools/restore_results.py)')
    rec = json.loads(f.read_text())
    if rec['key'] != json.loads(json.dumps(teacher_key(task, p))): raise SystemExit(f'{f}: stored for other teacher settings than {p.name!r}')
    z = np.asarray(rec['value']['logits']['in_sample'], np.float32)
    if len(z) != len(fit[0]): raise SystemExit(f'{f}: {len(z)} logits for {len(fit[0])} fit pairs')
    return z


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('task'); ap.add_argument('settings', nargs='*', help='preset fields changed, e.g. student_epochs=3')
    ap.add_argument('--alphas', type=float, nargs='+', default=[0.0, 1.0]); ap.add_argument('--run', type=Path, default=Path('outputs/dse_cpu'))
    ap.add_argument('--out', type=Path, default=Path('outputs/dse_levers'))
    a = ap.parse_args()
    change = {k: type(getattr(DSE_PRESETS['cpu'], k))(v) for k, v in (s.split('=', 1) for s in a.settings)}
    p = dataclasses.replace(DSE_PRESETS['cpu'], **change)
    data = task_data(a.task, p)
    logits = dict(in_sample=cached_logits(a.run, a.task, p, data['fit']))
    tag = '_'.join(f'{k}{v:g}' if isinstance(v, float) else f'{k}{v}' for k, v in change.items()) or 'preset'
    work, rows = a.out/'work'/f'{a.task}__{tag}', {}
    for alpha in a.alphas:
        for seed in p.seeds:
            t0, name = time.time(), student_name(alpha, seed)
            stu, tok, _ = train_student(a.task, p, data, logits, work, name, alpha, seed, 'in_sample', 'cpu', True, 'auto')
            with precision(p, 'cpu'):
                dev = evaluate_student(stu, tok, a.task, _pairs(data['dev']), max_length=p.max_length)[0]
                sel = evaluate_student(stu, tok, a.task, data['sel'], max_length=p.max_length)[0]
            rows[name] = dict(alpha=alpha, seed=seed, dev=task_score(dev), selection=task_score(sel), dev_metrics=dev, seconds=time.time() - t0)
            print(f"{a.task} {tag} {name}: selection {rows[name]['selection']:.4f}, dev {rows[name]['dev']:.4f}", flush=True)
    write_result(a.out/f'{a.task}__{tag}.json', dict(task=a.task, change=change, students=rows, n_fit=len(data['fit'][0])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
