"""Bad input and scale paths of the retrieval benchmark, on tiny data (random vectors; MiniLM only where encoding is needed)."""
import json, os, warnings
from dataclasses import replace

import faiss
import numpy as np
import pytest

from hpd_nb.data import BeirData
from hpd_nb.retrieval import beir_metrics, build_index, search
from hpd_nb.retrieval_bench import (BENCH_PRESETS, bench_row, build_sharded_index, clean_corpus, clean_queries, ivf_lists,
                                    qrels_report, read_trec_run, run_retrieval_bench, save_shards, shard_bytes,
                                    write_qrels, write_trec_run)

RNG = np.random.default_rng(0)
P = replace(BENCH_PRESETS['quick'], n_latency=4, n_latency_b64=8)


def _vectors(n=400, d=16):
    return RNG.normal(size=(n, d)).astype('float32')


def test_empty_docs_dropped_and_counted():
    with pytest.warns(UserWarning, match='empty'):
        ids, texts, rep = clean_corpus({'a': 'x', 'b': '', 'c': '   ', 'd': None, 'e': 'x'})
    assert ids == ['a', 'e'] and rep['empty_docs_dropped'] == 3 and rep['duplicate_doc_texts'] == 1
    with pytest.raises(ValueError, match='empty'): clean_corpus({'a': ''})


def test_empty_or_missing_query_is_an_error():
    with pytest.raises(ValueError, match="empty.*'q2'"): clean_queries({'q1': 'a', 'q2': ''}, {'q1': {'d': 1}, 'q2': {'d': 1}})
    with pytest.raises(ValueError, match='no text'): clean_queries({'q1': 'a'}, {'q1': {'d': 1}, 'q9': {'d': 1}})
    with pytest.raises(ValueError, match='qrels are empty'): clean_queries({'q1': 'a'}, {'q1': {}})


def test_absent_judged_docs_counted_and_scored_as_misses():
    rep = qrels_report({'q1': {'d1': 1, 'gone': 1}, 'q2': {'gone2': 1}}, ['d1', 'd2'])
    assert rep['judged_docs_absent'] == 2 and rep['queries_all_relevant_absent'] == 1
    m = beir_metrics({'q1': {'d1': 1, 'gone': 1}}, {'q1': {'d1': 1.0, 'd2': 0.5}})
    assert m['Recall@100'] == pytest.approx(0.5)


def test_duplicate_docs_both_retrievable():
    xb = _vectors(50)
    xb[7] = xb[3]  # two documents with identical embeddings (identical text)
    scores, ids = search(build_index(xb, 'Flat', ids=[f'd{i}' for i in range(50)]), xb[3:4], 2)
    assert set(ids[0]) == {'d3', 'd7'} and scores[0, 0] == pytest.approx(scores[0, 1])
    with pytest.raises(ValueError, match='duplicate document ids'): build_index(xb[:2], 'Flat', ids=['a', 'a'])


@pytest.mark.parametrize('spec', ['Flat', 'HNSW8', 'SQ8', 'binary', 'IVF4,PQ4'])
def test_dimension_mismatch_is_a_clear_error(spec):
    xb = _vectors(400, 32)
    vi = build_index(xb, spec)
    with pytest.raises(ValueError, match='dimension'): search(vi, _vectors(3, 16), 5)
    qrels = {'q0': {'0': 1}}
    with pytest.raises(ValueError, match='dimension'):
        bench_row('m', None, xb, [str(i) for i in range(400)], _vectors(1, 16), ['q0'], ['x'], qrels, spec, spec, P, timing=False)


def test_trec_run_and_qrels_roundtrip(tmp_path):
    xb = _vectors(100)
    qrels = {f'q{i}': {str(i): 1} for i in range(5)}
    row, run = bench_row('m', lambda b: xb[:len(b)], xb, [str(i) for i in range(100)], xb[:5], list(qrels), ['t'] * 5, qrels, 'Flat', 'Flat', P)
    assert row['ndcg@10'] == pytest.approx(1.0) and row['qps_b1'] > 0 and row['p95_ms_b1'] >= row['p50_ms_b1']
    back = read_trec_run(write_trec_run(run, tmp_path/'r.trec', 'm Flat', 10))
    assert beir_metrics(qrels, back)['nDCG@10'] == pytest.approx(row['ndcg@10'])
    assert (tmp_path/'r.trec').read_text().split('\n')[0].split()[1:4:2] == ['Q0', '1']
    write_qrels(qrels, tmp_path/'qrels.tsv')
    assert (tmp_path/'qrels.tsv').read_text().startswith('query-id\tcorpus-id\tscore\nq0\t0\t1')
    (tmp_path/'bad.trec').write_text('q1 Q0 d1 1\n')
    with pytest.raises(ValueError, match='bad.trec:1'): read_trec_run(tmp_path/'bad.trec')


@pytest.mark.parametrize('spec,n_shards', [('Flat', 3), ('IVF8,Flat', 2), ('SQ8', 4)])
def test_sharded_index_matches_single_index(spec, n_shards, tmp_path):
    xb, xq = _vectors(1200, 32), _vectors(6, 32)
    one = search(build_index(xb, spec, nprobe=8), xq, 10)
    sh = build_sharded_index(xb, spec, n_shards, ids=[f'd{i}' for i in range(1200)], nprobe=8)
    assert len(sh) == 1200 and len(shard_bytes(sh)) == n_shards
    got = search(sh, xq, 10)
    want = [[f'd{i}' for i in r] for r in one[1]]
    if spec == 'SQ8': assert np.mean([len(set(a) & set(b)) for a, b in zip(got[1], want)]) >= 9  # same codec range, per-shard codes
    else: assert want == got[1].tolist()
    paths = save_shards(sh, tmp_path)
    assert sum(faiss.read_index(str(p)).ntotal for p in paths) == 1200
    assert len(json.loads((tmp_path/'ids.json').read_text())) == 1200


def test_sharded_index_bad_input():
    with pytest.raises(ValueError, match='n_shards'): build_sharded_index(_vectors(10), 'Flat', 11)
    with pytest.raises(ValueError, match='binary'): build_sharded_index(_vectors(10), 'binary', 2)
    with pytest.raises(ValueError, match='unknown index spec'): build_sharded_index(_vectors(10), 'LSH', 2)
    with pytest.raises(ValueError, match='zero'): build_sharded_index(np.zeros((4, 8), 'float32'), 'Flat', 2)
    with pytest.raises(ValueError, match='dimension'): search(build_sharded_index(_vectors(40), 'Flat', 2), _vectors(2, 8), 3)


def test_ivf_lists_never_exceeds_training_data():
    for n in (10, 300, 20_000, 522_000):
        assert 1 <= ivf_lists(n) and (ivf_lists(n) == 1 or ivf_lists(n) * 39 <= n)


def test_bench_end_to_end_tiny(tmp_path, monkeypatch):
    """The whole benchmark on 60 short documents with MiniLM as teacher and an untrained 32-d student: files and counts."""
    from hpd_nb.student import HPDStudent
    monkeypatch.setenv('HPD_NB_CACHE', str(tmp_path/'cache'))
    HPDStudent('all-MiniLM-L6-v2', dim=32).save(tmp_path/'st'/'HPD-MiniLM-F32')
    docs = {f'd{i}': f'question number {i} about topic {i % 7}' for i in range(300)}
    docs['d5'], docs['d6'] = '', docs['d4']
    queries = {'q1': 'topic 3 question', 'q2': 'about topic 1'}
    qrels = {'q1': {'d3': 1, 'absent': 1}, 'q2': {'d1': 1}}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        df = run_retrieval_bench(replace(P, hnsw_m=8), tmp_path/'out', tmp_path/'st', data=BeirData(docs, queries, qrels),
                                 teacher='all-MiniLM-L6-v2', dim=32)
    rep = json.loads((tmp_path/'out'/'report.json').read_text())
    assert rep['empty_docs_dropped'] == 1 and rep['judged_docs_absent'] == 1 and rep['duplicate_doc_texts'] == 1
    rows = json.loads((tmp_path/'out'/'retrieval.json').read_text())
    need = {'model', 'index', 'dim', 'n_docs', 'n_queries', 'ndcg@10', 'mrr@10', 'recall@100', 'qps_b1', 'qps_b64',
            'p50_ms_b1', 'p95_ms_b1', 'index_bytes', 'ndcg_ratio', 'bytes_ratio', 'speedup_b1'}
    assert len(rows) == len(df) == 13 and all(need <= set(r) for r in rows)
    # row labels come from the HPD preset: MiniLM stands in for the teacher here, so its rows are 'teacher-384'
    assert {(r['model'], r['index']) for r in rows} >= {('teacher-384', 'Flat'), ('HPD-MiniLM-F32', 'binary'), ('teacher+PCA-32', 'Flat')}
    assert all(r['n_docs'] == 299 for r in rows)
    for r in rows:  # every run file recomputes its row's nDCG@10
        run = read_trec_run(tmp_path/'out'/'runs'/f"{r['model']}__{r['index']}.trec".replace('+', '_'))
        assert beir_metrics(qrels, run)['nDCG@10'] == pytest.approx(r["ndcg@10"], abs=1e-3)
    with pytest.raises(FileNotFoundError, match='modules.json'):
        run_retrieval_bench(P, tmp_path/'out2', tmp_path/'nowhere', data=BeirData(docs, queries, qrels), teacher='all-MiniLM-L6-v2', dim=32)


def test_cli_rejects_unknown_preset():
    from hpd_nb.cli import main
    with pytest.raises(SystemExit) as e: main(['retrieval', '--preset', 'huge'])
    assert e.value.code == 2


def test_bench_needs_k_of_100(tmp_path):
    with pytest.raises(ValueError, match='Recall@100'):
        run_retrieval_bench(replace(P, k=10), tmp_path/'out', data=BeirData({'d1': 'a'}, {'q1': 'a'}, {'q1': {'d1': 1}}))
