#!/usr/bin/env python
"""Cross-encoder scoring time, one query against N candidates: pairs batched in input order vs length-sorted batches.

DSE's committed 1-vs-N speed rows (`results/dse_cpu/dse.json`, `speed`) timed `predict_cross_encoder` when it batched the
pairs in input order. Since the re-cut (issue 20) it goes through `encoding.batched_rows`, which sorts the pairs by length
so that a batch pads less. This measures what that changes, in the setting of those rows: the QQP task, its cross-encoder
architecture (all-MiniLM-L6-v2 with a 2-way head; the head's weights do not change the time), the first dev question as
the query, the first N unique training sentences as candidates, batch 64, 128 tokens, the preset's threads, and bf16
autocast as the preset (`--precision fp32` on a CPU without native bf16, where autocast runs a slow fallback).

    python experiments/scripts/bench_cross_encoder.py [--n 1000] [--repeats 5] [--precision bf16] [--out results/cross_encoder_batches]

Timed: tokenisation and forward passes of all N pairs (`core.time_calls`, interleaved repeats after one warm-up call).
Cached: nothing. Writes `bench.json` (through `core.write_result`) and prints min/median/max seconds of each loop.
"""
import argparse, time
from pathlib import Path
import numpy as np, torch
from hpd_nb.core import resolve_model, spread, time_calls, write_result
from hpd_nb.dse import load_cross_encoder, predict_cross_encoder
from hpd_nb.experiments.dse_bench import load_task


def input_order(model, tokenizer, s1, s2, batch_size=64, max_length=128):
    "The loop the committed speed rows timed: consecutive pairs per batch, in input order (baseline)."
    out = []
    for i in range(0, len(s1), batch_size):
        b = tokenizer(s1[i:i+batch_size], s2[i:i+batch_size], padding=True, truncation=True, max_length=max_length, return_tensors='pt')
        out.append(model(**b).logits.float())
    return torch.cat(out).numpy()


def main(n:int, repeats:int, out:Path, precision:str='bf16', max_train:int=11000):
    torch.manual_seed(0)
    model, tok = load_cross_encoder(resolve_model('all-MiniLM-L6-v2'), 'QQP')
    model.eval()
    tr, dev = load_task('QQP', 'train', max_train), load_task('QQP', 'dev', 5000)
    pool = list(dict.fromkeys(tr['s1'] + tr['s2']))
    query, cands = dev['s1'][0], pool[:n]
    q = [query] * n
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16, enabled=precision == 'bf16'):
        a, b = input_order(model, tok, q, cands), predict_cross_encoder(model, tok, q, cands)
        secs = time_calls(dict(input_order=lambda: input_order(model, tok, q, cands),
                               length_sorted=lambda: predict_cross_encoder(model, tok, q, cands)), repeats, warmup=1)
    pad = lambda ids: sum(max(len(x) for x in ids[i:i+64]) * len(ids[i:i+64]) for i in range(0, n, 64))
    ids = tok(q, cands, truncation=True, max_length=128)['input_ids']
    srt = sorted(ids, key=len)
    res = dict(n=n, repeats=repeats, torch_threads=torch.get_num_threads(), query=query, task='QQP', model='all-MiniLM-L6-v2 (2-way head)',
               max_abs_logit_diff=float(np.abs(a - b).max()), tokens_real=sum(map(len, ids)),
               tokens_padded=dict(input_order=pad(ids), length_sorted=pad(srt)),
               **{k: spread(v, f'{k}_') for k, v in secs.items()},
               precision=precision, cached='nothing', timed='tokenisation + forward passes of all pairs, batch 64, max_length 128')
    res['speedup_median'] = res['input_order']['input_order_s'] / res['length_sorted']['length_sorted_s']
    out.mkdir(parents=True, exist_ok=True); write_result(out/'bench.json', res)
    for k in ('input_order', 'length_sorted'):
        s = res[k]; print(f"{k:14s} {n} pairs: median {s[f'{k}_s']:.3f} s (min {s[f'{k}_s_min']:.3f}, max {s[f'{k}_s_max']:.3f}), "
                          f"{res['tokens_padded'][k]:,} padded tokens")
    print(f"real tokens {res['tokens_real']:,}; speed-up of the median {res['speedup_median']:.2f}x; max |logit diff| {res['max_abs_logit_diff']:.3g}")


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=1000); ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--precision', choices=('bf16', 'fp32'), default='bf16')
    ap.add_argument('--out', type=Path, default=Path('results/cross_encoder_batches'))
    a = ap.parse_args(); main(a.n, a.repeats, a.out, a.precision)
