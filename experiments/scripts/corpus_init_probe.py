#!/usr/bin/env python
"""Which projection start suits a corpus: the untrained HPD student under each `init_projection` method, on the title -> text task.

    python experiments/scripts/corpus_init_probe.py --set scifact --dest results/corpus_search_partial/scifact/init_probe.json

The `search` preset's 'document' candidate is rebuilt as `distill` builds it (its training texts, held-out split, the teacher's
targets projected by the PCA fitted on the training texts, the first `n_init` texts to fit the projection on), and its
Dense(384 -> 128, tanh) is fitted by each method: the student's PCA rotated onto the targets (procrustes, the recipe's), ridge
regression onto them at three penalties, and the student's own PCA. Each start is scored on the development task (titles
retrieving their own bodies), beside the student's pooled vectors unprojected. Development task only: no test query is read.
The teacher's vectors and the student's pooled vectors come from the package caches when a run filled them.
"""
import argparse, json, time
from pathlib import Path
import numpy as np
from hpd_nb.core import write_result
from hpd_nb.data import load_beir, title_text_task
from hpd_nb.encoding import SentenceEncoder
from hpd_nb.hpd import HPDStudent, pooled_vectors, split_heldout, teacher_targets
from hpd_nb.retrieval import build_index, search_metrics
from hpd_nb.experiments.corpus import CORPUS_PRESETS, corpus_texts

INITS = [('procrustes', {}), ('ridge', dict(ridge_alpha=0.01)), ('ridge', dict(ridge_alpha=0.1)), ('ridge', dict(ridge_alpha=1.0)),
         ('pca', {})]


def probe(name:str, preset:str='search', unit:str='document') -> dict:
    p = CORPUS_PRESETS[preset]
    r = p.recipe(p.dims[0], 'mse')
    data = load_beir(name, p.split)
    task = title_text_task(data, p.dev_docs, p.seed)
    train_s, held_s = split_heldout(corpus_texts(data, p, unit, task), r.n_heldout, r.seed)
    teacher = SentenceEncoder(p.teacher, precision=p.precision)
    _, Y = teacher_targets(teacher, held_s + train_s, slice(len(held_s), None), r.dim, r.n_pca_fit, r.seed, r.center, progress=False)
    st = HPDStudent(p.student, dim=r.dim, max_seq_length=r.max_seq_length, seed=r.seed)
    qids, docids = list(task.queries), list(task.corpus)
    Zq, Zd = (pooled_vectors(st, [src[k] for k in ids]) for src, ids in ((task.queries, qids), (task.corpus, docids)))
    score = lambda Q, D: search_metrics(task.qrels, qids, build_index(D, 'Flat', ids=docids), Q, k=10)['nDCG@10']
    rows = [dict(start='student pooled (unprojected)', dim=Zd.shape[1], dev=score(Zq, Zd))]
    n = min(r.n_init, len(train_s))
    for method, kw in INITS:
        st.init_projection(method, train_s[:n], Y[len(held_s):][:n], **kw)
        W, b = st.dense.weight.detach().double().numpy(), st.dense.bias.detach().double().numpy()
        head = lambda Z: np.tanh(Z @ W.T + b).astype(np.float32)
        rows.append(dict(start=method + ''.join(f' {k}={v:g}' for k, v in kw.items()), dim=r.dim, dev=score(head(Zq), head(Zd))))
    return dict(set=name, preset=preset, unit=unit, n_init=n, task=f'{len(qids)} titles -> {len(docids)} bodies, nDCG@10', rows=rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--set', default='scifact')
    ap.add_argument('--dest', type=Path, required=True)
    a = ap.parse_args()
    t0 = time.time()
    doc = probe(a.set)
    doc['seconds'] = round(time.time() - t0, 1)
    write_result(a.dest, doc)
    for r in doc['rows']: print(f"{r['start']:32s} {r['dim']:4d} {r['dev']:.2f}")


if __name__ == '__main__': main()
