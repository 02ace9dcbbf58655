"""The compression benchmark end to end on tiny data: MiniLM as teacher and student, d=8, a toy corpus."""
import json

import pytest

from hpd_nb.experiments.compression import CompressionPreset, compression_table, run_compression
from hpd_nb.data import BeirData
from hpd_nb.experiments.reproduce import HPDPreset
from hpd_nb.retrieval import beir_metrics, read_trec_run, safe_name

KEYS = {'method', 'model', 'dim', 'precision', 'bytes_per_vector', 'sts_avg', 'transfer_avg', 'ndcg@10', 'encode_sps', 'query_ms_b1'}
TOPICS = ['cats purr and sleep', 'dogs bark at night', 'fish swim in the sea', 'birds sing in the morning', 'cars need fuel',
          'rain falls in autumn', 'bread is baked in ovens', 'planets orbit the sun', 'rivers flow to the sea', 'trees lose leaves']


def _toy():
    corpus = {f'd{i}{j}': f'{t} {extra}' for i, t in enumerate(TOPICS) for j, extra in enumerate(['today', 'often', 'again'])}
    queries = {f'q{i}': f'why do {t.split()[0]} {t.split()[1]}' for i, t in enumerate(TOPICS)}
    qrels = {f'q{i}': {f'd{i}0': 1, f'd{i}1': 1, 'absent-doc': 1} for i in range(len(TOPICS))}
    return BeirData(corpus, queries, qrels, 'test', [(q, 'absent-doc') for q in qrels], 'toy')


def test_compression_end_to_end_tiny(tmp_path, monkeypatch):
    # checkpoints kept by held-out MSE: tracking STS-B dev while training (tested in 05_trainer and 07_hpd) would double this test's time
    monkeypatch.setattr('hpd_nb.hpd.sts_data_available', lambda: False)
    hpd = HPDPreset(name='tiny', teacher='all-MiniLM-L6-v2', student='all-MiniLM-L6-v2', n_train=300, data='nli', dim=8, epochs=1,
                    batch_size=32, eval_steps=100, warmup_steps=0, n_heldout=50)
    p = CompressionPreset(name='tiny', hpd=hpd, dims=(8,), sets=(), hard_sets=(), transfer_tasks=(), static=False, sts=False,
                          precision='fp32', timing_sentences=20, latency_queries=4, repeats=1)
    res = run_compression(p, tmp_path/'out', progress=False, device='cpu', sets={'toy': _toy()})
    saved = json.loads((tmp_path/'out'/'compression.json').read_text())
    assert saved['rows'] == json.loads(json.dumps(res['rows']))
    labels = [r['label'] for r in saved['rows']]
    assert {'teacher-384', 'teacher+PCA-8', 'MiniLM-L6-384', 'MiniLM-L6+PCA-8', 'HPD-MiniLM-L6-8', 'HPD-MiniLM-L6-8 int8',
            'HPD-MiniLM-L6-8 binary+rescore', 'Matryoshka-8'} <= set(labels)
    for r in saved['rows']:
        assert KEYS <= set(r) and set(r['ndcg@10']) == {'toy'} and 0 <= r['ndcg@10']['toy'] <= 100
        assert r['encode_sps'] > 0 and r['query_ms_b1'] > r['query_encode_ms_b1'] > 0
        run = read_trec_run(tmp_path/'out'/'runs'/f"{safe_name(r['label'])}__toy.trec")
        # anyone can recompute the metric from the run and the qrels written beside it
        assert 100 * beir_metrics(_toy().qrels, run)['nDCG@10'] == pytest.approx(r['ndcg@10']['toy'])
    assert (tmp_path/'out'/'qrels'/'toy-test.tsv').exists()
    assert saved['sets']['toy']['missing_judgements'] == 10
    rows = {r['label']: r for r in saved['rows']}
    assert rows['teacher-384']['bytes_per_vector'] == 1536 and rows['HPD-MiniLM-L6-8 binary']['bytes_per_vector'] == 1
    assert rows['teacher-384']['ndcg@10']['toy'] > 50  # MiniLM finds the topic documents
    assert list(compression_table(saved).index) == labels


def test_cli_rejects_unknown_preset():
    from hpd_nb.cli import main
    with pytest.raises(SystemExit) as e: main(['compress', '--preset', 'huge'])
    assert e.value.code == 2


def test_nothing_to_score_fails_before_training(tmp_path):
    p = CompressionPreset(name='tiny', hpd=HPDPreset(name='tiny', teacher='all-MiniLM-L6-v2'), dims=(8,), sets=(), hard_sets=(),
                          transfer_tasks=(), static=False, sts=False)
    with pytest.raises(ValueError, match='nothing to score'): run_compression(p, tmp_path/'out', progress=False, device='cpu', sets={})
    assert not (tmp_path/'out').exists()
