#!/usr/bin/env python
"""Why a corpus-distilled HPD student scores below its targets: each stage of one student, on documents and on queries.

    python experiments/scripts/corpus_diagnose.py --out outputs/corpus_cpu --set scifact --dest results/corpus_cpu_mse/diagnostics.json

(run on the students of the first `cpu` run, which chose on held-out MSE among lr 2e-5 and 1e-4; the committed file is that
run's diagnosis. On a later run it measures whatever HPD-MiniLM-L6-128 folders it finds.)

For the HPD-MiniLM-L6-128 students of a finished `hpd_nb corpus` run (every learning-rate candidate, and the untrained start that
`distill` saved before its first step) it measures, against the targets `distill` trained them on (the teacher's
vectors projected by the PCA fitted on the training documents): the MSE on the held-out documents (the development
split the run chose on), the MSE on the queries (never seen in training or selection), the Spearman correlation between the student's and
the full teacher's cosines over all pairs of held-out documents (a development metric that, unlike the MSE, looks at
rankings and needs no query), nDCG@10 of each document's title retrieving its own abstract among all abstracts (a
short → long development task built from the corpus alone), and nDCG@10 on the test queries.
The teacher's own projection of the queries (the targets themselves) is scored as the ceiling. Diagnostic only: no
recipe choice reads it.
"""
import argparse, json, sys, tempfile
from pathlib import Path


def _titles_and_abstracts(name:str) -> tuple[dict, dict]:
    "({docid: title}, {docid: text}) of the documents of a BEIR corpus that have both."
    import gzip
    from hpd_nb.data import BEIR_SETS, data_dir
    base = data_dir()/BEIR_SETS[name]
    f = base/'corpus.jsonl.gz' if (base/'corpus.jsonl.gz').exists() else base/'corpus.jsonl'
    with (gzip.open(f, 'rt', encoding='utf-8') if f.suffix == '.gz' else open(f, encoding='utf-8')) as fh:
        docs = [json.loads(l) for l in fh if l.strip()]
    keep = [d for d in docs if str(d.get('title') or '').strip() and str(d.get('text') or '').strip()]
    # distinct ids for a title and its abstract: BEIR's evaluation ignores a result whose id equals the query's
    return {f"title:{d['_id']}": d['title'].strip() for d in keep}, {f"abstract:{d['_id']}": d['text'].strip() for d in keep}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', type=Path, default=Path('outputs/corpus_cpu')); ap.add_argument('--set', default='scifact')
    ap.add_argument('--preset', default='cpu'); ap.add_argument('--dest', type=Path, default=Path('outputs/corpus_cpu/diagnostics.json'))
    a = ap.parse_args()
    import numpy as np, torch
    from hpd_nb.core import atomic_write_text
    from hpd_nb.experiments.corpus import CORPUS_PRESETS, corpus_texts
    from hpd_nb.data import load_beir
    from hpd_nb.encoding import SentenceEncoder, cached_encode
    from hpd_nb.hpd import fit_pca_projection, split_heldout
    from hpd_nb.retrieval import build_index, embed_texts, search_metrics
    from hpd_nb.student import HPDStudent
    from hpd_nb.trainer import START_WEIGHTS, load_weights
    p, data = CORPUS_PRESETS[a.preset], load_beir(a.set, 'test')
    teacher = SentenceEncoder(p.teacher, device='cpu', precision=p.precision)
    train, held = split_heldout(corpus_texts(data, p), p.n_heldout, p.seed)  # the split `distill` made
    T = cached_encode(teacher, held + train, show_progress=False)  # the targets' cache entry
    pca = fit_pca_projection(T[len(held):], p.dims[0], seed=p.seed, center=False)  # as `teacher_targets` fits it
    tq = pca.project(embed_texts(teacher, data.queries, 'queries', cache=True, progress=False)[1])
    th = pca.project(T[:len(held)])
    titles, abstracts = _titles_and_abstracts(a.set)  # a corpus-only short → long task: each title should find its own abstract
    self_qrels = {i: {'abstract:' + i.removeprefix('title:'): 1} for i in titles}
    self_ndcg = lambda enc: search_metrics(self_qrels, list(titles), build_index(embed_texts(enc, abstracts, 'corpus', progress=False)[1], 'Flat', ids=list(abstracts)),
                                           embed_texts(enc, titles, 'queries', progress=False)[1])['nDCG@10']
    ndcg = lambda D, Q: search_metrics(data.qrels, list(data.queries), build_index(D, 'Flat', ids=list(data.corpus)), Q)['nDCG@10']
    td = pca.project(embed_texts(teacher, data.corpus, 'corpus', cache=True, progress=False)[1])
    from scipy.stats import spearmanr
    iu = np.triu_indices(len(held), 1)
    cos = lambda X: (lambda Z: (Z @ Z.T)[iu])(X / np.linalg.norm(X, axis=1, keepdims=True))
    teacher_sims = cos(T[:len(held)])  # the full teacher's cosine between every two held-out documents
    sim_rho = lambda X: float(spearmanr(cos(X), teacher_sims)[0])  # a query-free, ranking-aligned development metric
    rows = [dict(model='teacher projected (the targets)', heldout_doc_mse=0.0, query_mse=0.0, heldout_sim_spearman=sim_rho(th), ndcg10=ndcg(td, tq))]
    found = sorted((a.out/a.set/'students').glob(f'{p.hpd_label(p.dims[0])}*'))  # every learning-rate candidate of the first HPD student
    studs = [d for d in found if d.is_dir() and not d.name.endswith(('.checkpoints', '-start'))]
    variants = [(f'{d.name} untrained start', d, 'start') for d in studs[:1]] + [(d.name, d, 'final') for d in studs]
    with tempfile.TemporaryDirectory() as tmp:
        for name, d, which in variants:
            path = d
            if which == 'start':
                st = HPDStudent.load(d); start = next((d.parent/f'{d.name}.checkpoints').glob(f'run-*/{START_WEIGHTS}'))
                load_weights(st, start); path = st.save(Path(tmp)/'start')
            enc = SentenceEncoder(path, device='cpu', precision=p.precision, max_seq_length=p.max_seq_length)
            mse = lambda X, Y: float(np.mean((X - Y) ** 2))
            sq = embed_texts(enc, data.queries, 'queries', progress=False)[1]
            sh = enc.encode(held, show_progress=False)
            sd = embed_texts(enc, data.corpus, 'corpus', progress=False)[1]
            rows.append(dict(model=name, heldout_doc_mse=mse(sh, th), query_mse=mse(sq, tq), heldout_sim_spearman=sim_rho(sh), title_to_abstract_ndcg10=self_ndcg(enc), ndcg10=ndcg(sd, sq),
                             ndcg10_teacher_queries=ndcg(sd, tq)))
            print(rows[-1], flush=True)
    atomic_write_text(a.dest, json.dumps(dict(set=a.set, preset=a.preset, rows=rows), indent=1))
    return 0


if __name__ == '__main__': sys.exit(main())
