"""Which int8 weights keep the teacher faithful on documents: cosine to fp32 on 200 SciFact documents of ONNX Runtime's int8
(every MatMul, or the feed-forward blocks only) beside bf16, and seconds (on a shared machine: not a speed measurement).
Writes outputs/int8_lever/lever.json, committed as results/precision/int8_documents.json."""
import time, json, torch, onnx
from pathlib import Path
from hpd_nb.data import load_beir
from hpd_nb.encoding import SentenceEncoder, onnx_transformer, onnx_session
from onnxruntime.quantization import QuantType, quantize_dynamic
torch.set_num_threads(2)
out = Path('outputs/int8_lever')
out.mkdir(parents=True, exist_ok=True)  # from the project root: python experiments/scripts/int8_documents.py
d = load_beir('scifact')
docs = list(d.corpus.values())[:200]
fp = SentenceEncoder('all-mpnet-base-v2', device='cpu')
src = onnx_transformer(fp, quantized=False)
g = onnx.load(str(src))
mm = [n.name for n in g.graph.node if n.op_type == 'MatMul']
ffn = [n for n in mm if 'intermediate' in n or ('output/dense' in n and 'attention' not in n)]
print(len(mm), 'MatMul nodes;', len(ffn), 'in the feed-forward blocks; e.g.', ffn[:2], flush=True)
variants = {'all': None, 'ffn': ffn}
for k, nodes in variants.items():
    dst = out/f'model.{k}.onnx'
    if not dst.exists():
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True, nodes_to_quantize=nodes)
t = time.time()
ref = fp.encode(docs, show_progress=False)
t_fp = time.time() - t
rows = {'fp32': dict(seconds=t_fp, cos_mean=1.0, cos_min=1.0)}
bf = SentenceEncoder('all-mpnet-base-v2', device='cpu', precision='bf16')
t = time.time()
e = bf.encode(docs, show_progress=False)
c = (e*ref).sum(1)
rows['bf16'] = dict(seconds=time.time() - t, cos_mean=float(c.mean()), cos_min=float(c.min()))
for k in variants:
    enc = SentenceEncoder('all-mpnet-base-v2', device='cpu')
    enc.session = onnx_session(out/f'model.{k}.onnx')
    t = time.time()
    e = enc.encode(docs, show_progress=False)
    s = time.time() - t
    c = (e*ref).sum(1)
    rows[f'onnx-int8 {k}'] = dict(seconds=s, cos_mean=float(c.mean()), cos_min=float(c.min()))
for k, r in rows.items(): print(f"{k:>16}: {r['seconds']:6.1f} s  cos mean {r['cos_mean']:.5f} min {r['cos_min']:.5f}", flush=True)
json.dump(rows, open(out/'lever.json', 'w'), indent=1)
