"""ONNX Runtime as a teacher backend on this CPU: speed and STS-B dev against torch fp32 / bf16 (issue 10 §3).

Exports the teacher's transformer to ONNX (torch.onnx, dynamic batch and length), runs it with onnxruntime in fp32
and with onnxruntime's dynamic int8 quantisation, and times each against `SentenceEncoder` in fp32 and bf16 on the same
sentences (interleaved repeats, `time_encoders`), with STS-B dev Spearman x100 as the quality check.

    python experiments/scripts/bench_onnx.py --model all-mpnet-base-v2 --out outputs/onnx   # writes onnx.json
"""
import argparse, json, time
from pathlib import Path

import numpy as np, torch

from hpd_nb.core import atomic_write_text
from hpd_nb.encoding import SentenceEncoder, batched_encode, check_sentences, pool_tokens, token_lengths
from hpd_nb.evaluation import sts_dev_pairs, sts_dev_spearman, time_encoders


class OrtEncoder:
    "The teacher's tokenizer, pooling and normalisation around an onnxruntime session of its transformer."
    def __init__(self, base:SentenceEncoder, onnx_path:Path, name:str, threads:int=2):
        import onnxruntime as ort
        so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1
        self.base, self.name = base, name
        self.sess = ort.InferenceSession(str(onnx_path), so, providers=['CPUExecutionProvider'])
        self.inputs = {i.name for i in self.sess.get_inputs()}
    @property
    def dim(self): return self.base.dim
    def embed(self, batch):
        b = self.base
        feats = b.tokenizer(batch, padding=True, truncation=True, max_length=b.max_seq_length, return_tensors='np')
        h = self.sess.run(None, {k: v.astype(np.int64) for k, v in feats.items() if k in self.inputs})[0]
        out = pool_tokens(torch.from_numpy(h), torch.from_numpy(feats['attention_mask']), b.pooling)
        return torch.nn.functional.normalize(out, dim=-1) if b.normalize else out
    def encode(self, sentences, batch_size=64, show_progress=False):
        sentences = check_sentences(sentences)
        lens = token_lengths(self.base.tokenizer, sentences, self.base.max_seq_length)
        return batched_encode(sentences, self.embed, lens, batch_size, show_progress, desc=self.name)


def export(base:SentenceEncoder, path:Path):
    "The transformer (last hidden state) as ONNX with dynamic batch and sequence axes."
    if path.exists(): return path
    path.parent.mkdir(parents=True, exist_ok=True)
    feats = base.tokenizer(['a short sentence', 'a second, slightly longer sentence'], padding=True, return_tensors='pt')
    names = [k for k in ('input_ids', 'attention_mask', 'token_type_ids') if k in feats]
    class Wrap(torch.nn.Module):
        def __init__(self, m): super().__init__(); self.m = m
        def forward(self, *args): return self.m(**dict(zip(names, args))).last_hidden_state
    dyn = {k: {0: 'batch', 1: 'seq'} for k in names}
    torch.onnx.export(Wrap(base.model).eval(), tuple(feats[k] for k in names), str(path), input_names=names,
                      output_names=['last_hidden_state'], dynamic_axes=dyn | {'last_hidden_state': {0: 'batch', 1: 'seq'}},
                      opset_version=17, dynamo=False)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', default='all-mpnet-base-v2'); ap.add_argument('--out', default='outputs/onnx')
    ap.add_argument('--sentences', type=int, default=1000); ap.add_argument('--repeats', type=int, default=3)
    a = ap.parse_args()
    out, t0 = Path(a.out), time.time()
    base = SentenceEncoder(a.model, device='cpu')
    fp32 = export(base, out/'model.onnx')
    from onnxruntime.quantization import QuantType, quantize_dynamic
    int8 = out/'model.int8.onnx'
    if not int8.exists(): quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    encs = {'torch fp32': base, 'torch bf16': SentenceEncoder(a.model, device='cpu', precision='bf16'),
            'onnxruntime fp32': OrtEncoder(base, fp32, 'onnxruntime fp32'), 'onnxruntime int8': OrtEncoder(base, int8, 'onnxruntime int8')}
    d = sts_dev_pairs()
    sents = list(dict.fromkeys(list(d['sentence1']) + list(d['sentence2'])))
    speed = time_encoders(encs, sents[:a.sentences], a.repeats)
    dev = {k: sts_dev_spearman(e) for k, e in encs.items()}
    rows = {k: dict(speed.loc[k].round(1), stsb_dev=round(dev[k], 3), speedup_vs_fp32=round(speed.loc[k, 'sps_median'] / speed.loc['torch fp32', 'sps_median'], 2),
                    dev_change=round(dev[k] - dev['torch fp32'], 3)) for k in encs}
    res = dict(model=a.model, sentences=a.sentences, repeats=a.repeats, threads=torch.get_num_threads(), rows=rows,
               onnxruntime=__import__('onnxruntime').__version__, wall_seconds=round(time.time() - t0, 1))
    atomic_write_text(out/'onnx.json', json.dumps(res, indent=1))
    for k, r in rows.items(): print(f"{k:>18}: {r['sps_median']:7.1f} sent/s ({r['sps_min']:.1f}-{r['sps_max']:.1f}), {r['speedup_vs_fp32']:.2f}x, STS-B dev {r['stsb_dev']:.2f} ({r['dev_change']:+.3f})")


if __name__ == '__main__': main()
