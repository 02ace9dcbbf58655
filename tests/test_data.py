"Tests of hpd_nb.data: counts pinned from the data README, strict parsing of bad input, offline download helper."
import functools, gzip, hashlib, http.server, io, json, os, threading, warnings, zipfile
from pathlib import Path

import pytest

from hpd_nb.data import (CANONICAL_SOURCES, GLUE_TASKS, STS_TASKS, DataFormatError, DataNotFoundError, DownloadError,
                         beir_quora_subset, data_dir, download_data, eval_sentences, load_beir, load_beir_quora, load_glue,
                         load_sts, normalize_sentence, qqp_split_sizes, sentence_pool)

HAVE_DATA = (data_dir()/'senteval'/'STS').exists()
needs_data = pytest.mark.skipif(not HAVE_DATA, reason=f'hpd_nb data not found at {data_dir()} (set HPD_NB_DATA)')

def write(root, rel, text):
    p = Path(root, rel); p.parent.mkdir(parents=True, exist_ok=True); p.write_text(text); return p

# ---------------------------------------------------------------- real-data counts (README)
@needs_data
def test_sts_counts():
    assert [len(load_sts(t)) for t in STS_TASKS[:5]] == [3108, 1500, 3750, 3000, 1186]
    assert [len(load_sts('STSBenchmark', s)) for s in ('train', 'dev', 'test')] == [5749, 1500, 1379]
    assert [len(load_sts('SICKRelatedness', s)) for s in ('train', 'trial', 'test')] == [4500, 500, 4927]
    ds = load_sts('STS13')
    assert ds.column_names == ['sentence1', 'sentence2', 'score', 'subset']
    assert sorted(set(ds['subset'])) == ['FNWN', 'OnWN', 'headlines']   # SMT has no input file
    for t in STS_TASKS:
        sc = load_sts(t)['score']
        assert min(sc) >= 0 and max(sc) <= 5

@needs_data
def test_glue_counts():
    got = {(t, s): load_glue(t, s) for t in ('MRPC', 'RTE', 'STS-B') for s in ('train', 'dev')}
    assert [len(got[k]) for k in got] == [3668, 408, 2490, 277, 5749, 1500]
    assert set(got['RTE', 'train']['label']) == {0, 1} and set(got['MRPC', 'dev']['label']) == {0, 1}
    assert isinstance(got['STS-B', 'dev']['label'][0], float)
    assert got['RTE', 'dev'][0]['label'] == 1   # first RTE dev pair is not_entailment
    assert {'MRPC', 'RTE', 'STS-B', 'QQP'} <= set(GLUE_TASKS) and GLUE_TASKS['STS-B']['kind'] == 'regression'
    assert CANONICAL_SOURCES['glue-rte'] == ['https://dl.fbaipublicfiles.com/glue/data/RTE.zip']  # from the entry's `glue_zip`

@needs_data
def test_qqp_split():
    assert qqp_split_sizes(404276) == (363846, 40430)
    tr, dv = load_glue('QQP', 'train'), load_glue('QQP', 'dev')
    assert (len(tr), len(dv)) == qqp_split_sizes(404000 - 2) == (363_596, 40_402)   # 2 pairs lack a question
    assert not set(tr['idx']) & set(dv['idx'])
    assert load_glue('QQP', 'dev')['idx'][:20] == dv['idx'][:20]                     # seeded: reproducible
    assert load_glue('QQP', 'dev', seed=1)['idx'][:20] != dv['idx'][:20]

@needs_data
def test_beir_quora():
    with pytest.warns(UserWarning, match='6 judged documents are absent'):
        te = load_beir_quora('test')
    assert (len(te.corpus), len(te.queries), sum(map(len, te.qrels.values())), len(te.missing), len(te.empty)) == (522635, 10000, 15675, 6, 1)
    corpus, queries, qrels = te
    assert set(queries) == set(qrels)
    with pytest.warns(UserWarning, match='4 judged documents'):
        dv = load_beir_quora('dev')
    assert (len(dv.queries), sum(map(len, dv.qrels.values())), len(dv.missing)) == (5000, 7626, 4)
    sub = beir_quora_subset(2000, 100_000, data=te)
    assert (len(sub.queries), len(sub.corpus)) == (2000, 100_000)
    assert all(d in sub.corpus for q, ds in sub.qrels.items() for d in ds if (q, d) not in te.missing)
    assert beir_quora_subset(2000, 100_000, data=te).corpus.keys() == sub.corpus.keys()

@needs_data
@pytest.mark.parametrize('name,counts', [('scifact', (5183, 300, 339)), ('nfcorpus', (3633, 323, 12334))])
def test_beir_full_corpus(name, counts):
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # neither set has absent judged documents or empty documents
        b = load_beir(name)
    assert (len(b.corpus), len(b.queries), sum(map(len, b.qrels.values()))) == counts
    assert (b.missing, b.empty, b.name) == ([], [], name)

def test_beir_nfcorpus_bad_input(tmp_path):
    write(tmp_path, 'beir-nfcorpus/corpus.jsonl', json.dumps({'_id': 'd1', 'title': '', 'text': ''}) + '\n' + json.dumps({'_id': 'd2', 'text': 'x'}) + '\n')
    write(tmp_path, 'beir-nfcorpus/queries.jsonl', json.dumps({'_id': 'q1', 'text': 'y'}) + '\n')
    write(tmp_path, 'beir-nfcorpus/qrels/test.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\nq1\td3\t1\n')
    with pytest.warns(UserWarning, match='empty title and text'):
        b = load_beir('nfcorpus', root=tmp_path)
    assert (b.empty, len(b.missing)) == (['d1'], 2)   # the empty document is left out, so its judgement is unretrievable too
    with pytest.raises(DataNotFoundError, match='beir-nfcorpus/qrels/dev.tsv'): load_beir('nfcorpus', 'dev', root=tmp_path)
    write(tmp_path, 'beir-nfcorpus/qrels/train.tsv', 'query-id\tcorpus-id\tscore\nq9\td2\t1\n')
    with pytest.raises(DataFormatError, match='missing from beir-nfcorpus/queries.jsonl'): load_beir('nfcorpus', 'train', root=tmp_path)

@needs_data
def test_sentence_pool_has_no_eval_sentences():
    banned = eval_sentences()
    for split in ('dev', 'test'):
        assert normalize_sentence(load_sts('STSBenchmark', split)['sentence1'][0]) in banned
    assert normalize_sentence(load_glue('MRPC', 'dev')['sentence2'][3]) in banned
    pool, st = sentence_pool(return_stats=True)
    assert len(pool) == st['returned'] == 205_060 and st['eval_overlap'] == 14_230
    assert len(set(map(normalize_sentence, pool))) == len(pool)
    assert not any(normalize_sentence(s) in banned for s in pool)
    assert all(3 <= len(s.split()) <= 64 for s in pool)
    small = dict(sources=('mrpc-train',), max_sentences=1000)
    assert sentence_pool(**small, seed=0) == sentence_pool(**small, seed=0) != sentence_pool(**small, seed=1)
    assert len(sentence_pool(**small)) == 1000

# ---------------------------------------------------------------- bad input (tiny files)
def test_missing_file_names_path_and_env(tmp_path, monkeypatch):
    monkeypatch.setenv('HPD_NB_DATA', str(tmp_path/'nowhere'))
    assert data_dir() == tmp_path/'nowhere'
    with pytest.raises(DataNotFoundError, match='HPD_NB_DATA') as e: load_glue('RTE', 'dev')
    assert str(tmp_path/'nowhere'/'glue'/'RTE'/'dev.tsv') in str(e.value)
    assert isinstance(e.value, FileNotFoundError)

def test_sts_bad_input(tmp_path):
    d = 'senteval/STS/STS14-en-test'
    write(tmp_path, f'{d}/STS.input.x.txt', 'a b\tc d\ne f\tg h\n'); write(tmp_path, f'{d}/STS.gs.x.txt', '3.5\n\n')
    ds = load_sts('STS14', root=tmp_path)
    assert ds['score'] == [3.5] and ds['subset'] == ['x']
    write(tmp_path, f'{d}/STS.gs.x.txt', '3.5\n')
    with pytest.raises(DataFormatError, match='must align'): load_sts('STS14', root=tmp_path)
    write(tmp_path, f'{d}/STS.gs.x.txt', '3.5\nfive\n')
    with pytest.raises(DataFormatError, match=r'STS\.gs\.x\.txt:2: score'): load_sts('STS14', root=tmp_path)
    write(tmp_path, f'{d}/STS.gs.x.txt', '3.5\nnan\n')
    with pytest.raises(DataFormatError, match=r'STS\.gs\.x\.txt:2'): load_sts('STS14', root=tmp_path)
    write(tmp_path, f'{d}/STS.input.x.txt', 'a b\tc d\ne f g h\n'); write(tmp_path, f'{d}/STS.gs.x.txt', '3.5\n1\n')
    with pytest.raises(DataFormatError, match=r'STS\.input\.x\.txt:2: expected 2'): load_sts('STS14', root=tmp_path)
    write(tmp_path, f'{d}/STS.input.x.txt', ''); write(tmp_path, f'{d}/STS.gs.x.txt', '')
    with pytest.raises(DataFormatError, match='is empty'): load_sts('STS14', root=tmp_path)
    with pytest.raises(ValueError): load_sts('STS14', 'train', root=tmp_path)
    with pytest.raises(ValueError): load_sts('STS17', root=tmp_path)

def test_stsb_sick_bad_input(tmp_path):
    write(tmp_path, 'senteval/STS/STSBenchmark/sts-dev.csv', 'g\tf\ty\t1\t2.0\ts1\ts2\tx\tx\ng\tf\ty\t2\t1.0\ts1\n')
    with pytest.raises(DataFormatError, match=r'sts-dev\.csv:2: expected at least 7'): load_sts('STSBenchmark', 'dev', root=tmp_path)
    write(tmp_path, 'senteval/STS/STSBenchmark/sts-dev.csv', 'g\tf\ty\t1\t2.0\ts1\ts2\tx\tx\n')
    assert load_sts('STSBenchmark', 'dev', root=tmp_path)[0] == dict(sentence1='s1', sentence2='s2', score=2.0, subset='dev')
    head = 'pair_ID\tsentence_A\tsentence_B\trelatedness_score\tentailment_judgment\n'
    write(tmp_path, 'senteval/SICK/SICK_train.txt', head + '1\ta\tb\t4.5\tNEUTRAL\r\n2\ta\tb\tx\tNEUTRAL\r\n')
    with pytest.raises(DataFormatError, match=r'SICK_train\.txt:3: score'): load_sts('SICKRelatedness', 'train', root=tmp_path)
    write(tmp_path, 'senteval/SICK/SICK_train.txt', head)
    with pytest.raises(DataFormatError, match='no rows'): load_sts('SICKRelatedness', 'train', root=tmp_path)

def test_glue_bad_input(tmp_path):
    write(tmp_path, 'glue/MRPC/train.tsv', '\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\ta\tb\n')
    ds = load_glue('MRPC', 'train', root=tmp_path)
    assert ds[0] == dict(sentence1='a', sentence2='b', label=1, idx=0)
    write(tmp_path, 'glue/MRPC/train.tsv', 'Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\ta\n')
    with pytest.raises(DataFormatError, match=r'train\.tsv:2: expected 5'): load_glue('MRPC', 'train', root=tmp_path)
    write(tmp_path, 'glue/STS-B/train.tsv', 'h\th\th\th\th\th\th\th\th\th\n0\tg\tf\ty\ti\ts\ts\ta\tb\thigh\n')
    with pytest.raises(DataFormatError, match=r'train\.tsv:2: score'): load_glue('STS-B', 'train', root=tmp_path)
    p = tmp_path/'quora'/'quora_duplicate_questions.tsv.gz'; p.parent.mkdir(parents=True)
    p.write_bytes(gzip.compress(b'id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n0\t1\t2\t"a\tb"\tc\n'))
    with pytest.raises(DataFormatError, match=r'\.tsv\.gz:2: expected 6'): load_glue('QQP', 'train', root=tmp_path)

def test_beir_quora_bad_input(tmp_path):
    write(tmp_path, 'beir-quora/corpus.jsonl', '{"_id": "1", "text": "a"}\n{"_id": "2"\n')
    write(tmp_path, 'beir-quora/queries.jsonl', '{"_id": "q", "text": "a"}\n')
    write(tmp_path, 'beir-quora/qrels/test.tsv', 'query-id\tcorpus-id\tscore\nq\t1\t1\n')
    with pytest.raises(DataFormatError, match=r'corpus\.jsonl:2'): load_beir_quora(root=tmp_path)
    write(tmp_path, 'beir-quora/corpus.jsonl', '{"_id": "1", "text": "a"}\n')
    write(tmp_path, 'beir-quora/qrels/test.tsv', 'query-id\tcorpus-id\tscore\nq\t1\n')
    with pytest.raises(DataFormatError, match=r'test\.tsv:2: expected 3'): load_beir_quora(root=tmp_path)
    write(tmp_path, 'beir-quora/qrels/test.tsv', 'query-id\tcorpus-id\tscore\nq\t1\t1\nq\t7\t1\n')
    with pytest.warns(UserWarning, match='1 judged documents are absent'):
        b = load_beir_quora(root=tmp_path)
    assert b.missing == [('q', '7')] and b.qrels == {'q': {'1': 1, '7': 1}}

# ---------------------------------------------------------------- download helper, offline only
@pytest.fixture
def local_server(tmp_path):
    srv = tmp_path/'srv'; srv.mkdir()
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(srv)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield srv, f'http://127.0.0.1:{httpd.server_address[1]}'
    httpd.shutdown(); httpd.server_close()

def test_download_unpacks_and_verifies(tmp_path, local_server):
    srv, base = local_server
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        z.writestr('quora/queries.jsonl', '{"_id": "q", "text": "x"}\n'); z.writestr('quora/qrels/test.tsv', 'a\tb\t1\n')
    (srv/'quora.zip').write_bytes(buf.getvalue())
    digest = hashlib.sha256(buf.getvalue()).hexdigest()
    dest = tmp_path/'data'
    out = download_data('beir-quora', dest=dest, url=f'{base}/quora.zip', sha256=digest)   # canonical layout: quora/ -> beir-quora/
    assert out == dest/'beir-quora'
    assert (dest/'beir-quora'/'qrels'/'test.tsv').read_text() == 'a\tb\t1\n'
    assert not (dest/'beir-quora'/'quora.zip').exists()
    with pytest.raises(DownloadError, match='Checksum mismatch'):
        download_data('toy', dest=dest, url=f'{base}/quora.zip', sha256='0'*64)
    assert not (dest/'quora.zip').exists() and not list(dest.glob('.*part'))
    (srv/'plain.txt').write_text('hi\n')
    download_data('toy', dest=dest, url=f'{base}/plain.txt')
    assert (dest/'plain.txt').read_text() == 'hi\n'

def test_download_offline_message(tmp_path, local_server):
    _, base = local_server
    with pytest.raises(DownloadError, match='offline'): download_data('toy', dest=tmp_path, url=f'{base}/missing.zip')
    with pytest.raises(KeyError): download_data('no-such-dataset', dest=tmp_path)
    assert {'senteval', 'glue-rte', 'glue-sts-b', 'glue-mrpc', 'quora', 'beir-quora', 'nlp-corpus'} <= set(CANONICAL_SOURCES)
    assert CANONICAL_SOURCES['beir-quora'] == ['https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/quora.zip']
