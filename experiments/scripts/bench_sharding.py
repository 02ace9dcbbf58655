#!/usr/bin/env python
"""The teacher's encoding shared by N processes (`sharded_cached_encode` under torchrun) against one process.

    python experiments/scripts/bench_sharding.py --model all-MiniLM-L6-v2 --set scifact --n-docs 2000 --procs 1 2 --repeats 3 --out results/sharding

Each configuration is its own `torchrun --nproc_per_node N` over the same documents and a fresh, empty embedding cache, so
nothing is cached; the machine's cores are divided among the N processes (N=1 gets them all). Configurations are
interleaved over the repeats (`hpd_nb.core.time_calls`). Two times are kept: the encoding alone (rank 0's
`sharded_cached_encode` call, barriers and the assembled cache write included) and the whole command (process start and
model loading too: what a user pays). Writes `sharding.json` with every timing and its min/median/max.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

WORKER = r'''
import json, sys, time, torch
from hpd_nb.data import load_beir
from hpd_nb.encoding import SentenceEncoder, sharded_cached_encode
from accelerate import PartialState
model, name, n, threads, precision = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.set_num_threads(threads)
st = PartialState()
docs = list(load_beir(name, 'test').corpus.values())[:n]
enc = SentenceEncoder(model, device='cpu', precision=precision)
st.wait_for_everyone(); t = time.perf_counter()
y = sharded_cached_encode(enc, docs, show_progress=False)
st.wait_for_everyone()
if st.is_main_process: print(json.dumps(dict(encode_s=time.perf_counter() - t, rows=len(y), dim=int(y.shape[1]))), flush=True)
'''


def run(procs: int, a, worker: Path, encode_s: list) -> None:
    threads = max(1, (os.cpu_count() or 1) // procs)
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, HPD_NB_CACHE=cache, OMP_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM='false')
        cmd = [str(Path(sys.executable).with_name('torchrun')), '--nproc_per_node', str(procs), str(worker), a.model, a.set,
               str(a.n_docs), str(threads), a.precision]
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if r.returncode != 0: raise SystemExit(f'{procs} process(es) failed:\n{r.stderr[-3000:]}')
        line = next(l for l in r.stdout.splitlines() if l.startswith('{'))
        encode_s.append(json.loads(line)['encode_s'])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', default='all-MiniLM-L6-v2'); ap.add_argument('--set', default='scifact')
    ap.add_argument('--n-docs', type=int, default=2000); ap.add_argument('--procs', type=int, nargs='+', default=[1, 2])
    ap.add_argument('--repeats', type=int, default=3); ap.add_argument('--precision', default='bf16')
    ap.add_argument('--out', type=Path, default=Path('outputs/sharding'))
    a = ap.parse_args()
    from hpd_nb.core import atomic_write_text, spread, time_calls
    with tempfile.TemporaryDirectory() as d:
        worker = Path(d)/'worker.py'; worker.write_text(WORKER)
        enc = {n: [] for n in a.procs}
        wall = time_calls({n: (lambda n=n: run(n, a, worker, enc[n])) for n in a.procs}, a.repeats, warmup=0)
    rows = [dict(processes=n, threads_each=max(1, (os.cpu_count() or 1) // n), encode_runs_s=enc[n], wall_runs_s=wall[n],
                 **spread(enc[n], 'encode_'), **spread(wall[n], 'wall_')) for n in a.procs]
    base = next(r for r in rows if r['processes'] == min(a.procs))
    for r in rows: r['encode_speedup'] = base['encode_s'] / r['encode_s']; r['wall_speedup'] = base['wall_s'] / r['wall_s']
    res = dict(model=a.model, set=a.set, n_docs=a.n_docs, precision=a.precision, cpu_count=os.cpu_count(), repeats=a.repeats, rows=rows)
    atomic_write_text(a.out/'sharding.json', json.dumps(res, indent=1))
    for r in rows:
        print(f"{r['processes']} process(es) x {r['threads_each']} thread(s): encode {r['encode_s']:.1f}s ({r['encode_s_min']:.1f}-{r['encode_s_max']:.1f}), "
              f"{r['encode_speedup']:.2f}x; whole command {r['wall_s']:.1f}s, {r['wall_speedup']:.2f}x")
    return 0


if __name__ == '__main__': sys.exit(main())
