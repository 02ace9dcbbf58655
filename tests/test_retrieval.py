"""Bad input of retrieval (exact and approximate indexes, TREC runs, qrels), on tiny data (random vectors)."""
import numpy as np
import pytest

from hpd_nb.retrieval import beir_metrics, build_index, read_trec_run, run_from_search, search, write_qrels, write_trec_run

RNG = np.random.default_rng(0)


def _vectors(n=400, d=16):
    return RNG.normal(size=(n, d)).astype('float32')


def test_absent_judged_docs_scored_as_misses():
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
    vi = build_index(_vectors(400, 32), spec)
    with pytest.raises(ValueError, match='dimension'): search(vi, _vectors(3, 16), 5)


def test_trec_run_and_qrels_roundtrip(tmp_path):
    xb = _vectors(100)
    qrels = {f'q{i}': {str(i): 1} for i in range(5)}
    run = run_from_search(list(qrels), *search(build_index(xb, 'Flat', ids=[str(i) for i in range(100)]), xb[:5], 100))
    assert beir_metrics(qrels, run)['nDCG@10'] == pytest.approx(1.0)
    back = read_trec_run(write_trec_run(run, tmp_path/'r.trec', 'm Flat', 10))
    assert beir_metrics(qrels, back)['nDCG@10'] == pytest.approx(1.0)
    assert (tmp_path/'r.trec').read_text().split('\n')[0].split()[1:4:2] == ['Q0', '1']
    write_qrels(qrels, tmp_path/'qrels.tsv')
    assert (tmp_path/'qrels.tsv').read_text().startswith('query-id\tcorpus-id\tscore\nq0\t0\t1')
    (tmp_path/'bad.trec').write_text('q1 Q0 d1 1\n')
    with pytest.raises(ValueError, match='bad.trec:1'): read_trec_run(tmp_path/'bad.trec')
