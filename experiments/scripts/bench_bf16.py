#!/usr/bin/env python
"""bfloat16 autocast against fp32 for one Linear layer of a base-size encoder (768 -> 3072), on this CPU.

On a CPU with AVX-512 or AMX, oneDNN runs bf16 matrix products natively and bf16 autocast is faster than fp32; without
them (e.g. an AVX2-only machine) PyTorch falls back to a scalar-accumulating kernel. `SentenceEncoder(precision='bf16')`
warns in that case (`hpd_nb.encoding.cpu_has_fast_bf16`); this prints what the fallback costs.

    python experiments/scripts/bench_bf16.py [--repeats 5] [--out results/bf16_cpu]

Timed: the forward pass of the layer on a (64, L, 768) batch, after one warm-up call (`core.time_calls`).
"""
import argparse
from pathlib import Path
import torch
from hpd_nb.core import environment, spread, time_calls, write_result
from hpd_nb.encoding import cpu_has_fast_bf16


def main(repeats:int, out:Path, shapes=((64, 20), (64, 64))):
    lin, rows = torch.nn.Linear(768, 3072), []
    for b, l in shapes:
        x = torch.randn(b, l, 768)
        def bf16():
            with torch.autocast('cpu', dtype=torch.bfloat16): return lin(x)
        with torch.inference_mode():
            secs = time_calls(dict(fp32=lambda: lin(x), bf16=bf16), repeats, warmup=1)
        r = dict(batch=b, length=l, **spread(secs['fp32'], 'fp32_'), **spread(secs['bf16'], 'bf16_'))
        r['bf16_over_fp32_median'] = r['bf16_s'] / r['fp32_s']
        rows.append(r)
        print(f"(64, {l}, 768) x (768, 3072): fp32 median {1e3*r['fp32_s']:.1f} ms (min {1e3*r['fp32_s_min']:.1f}, max {1e3*r['fp32_s_max']:.1f}); "
              f"bf16 median {1e3*r['bf16_s']:.1f} ms (min {1e3*r['bf16_s_min']:.1f}, max {1e3*r['bf16_s_max']:.1f}); bf16/fp32 {r['bf16_over_fp32_median']:.2f}")
    res = dict(rows=rows, fast_bf16=cpu_has_fast_bf16(), cpu_capability=torch.backends.cpu.get_cpu_capability(), repeats=repeats,
               timed='one Linear(768, 3072) forward under inference_mode; bf16 = bfloat16 autocast', cached='nothing')
    print(f"oneDNN native bf16: {res['fast_bf16']}; ATen CPU capability {res['cpu_capability']}; {environment()['cpu']}")
    out.mkdir(parents=True, exist_ok=True); write_result(out/'bench.json', res)


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--repeats', type=int, default=5); ap.add_argument('--out', type=Path, default=Path('results/bf16_cpu'))
    a = ap.parse_args(); main(a.repeats, a.out)
