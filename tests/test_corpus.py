"Tests of the 'search' training unit and of the corpus experiment's recipe choice on a tiny hand-made BEIR set (seconds)."
import json, warnings
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from hpd_nb.data import DOC_UNITS, BeirData, read_corpus, split_documents, title_text_task
from hpd_nb.hpd import read_sentences
from hpd_nb.experiments.corpus import (CORPUS_PRESETS, CorpusPreset, best_point, corpus_costs, corpus_table, corpus_texts, dev_curves,
                                       run_corpus, set_key)

TOPICS = ['coffee', 'sleep', 'vitamin', 'running', 'sugar', 'tea', 'salt', 'walking', 'fiber', 'iron',
          'statins', 'yoga', 'garlic', 'zinc', 'dairy', 'nuts', 'berries', 'fasting', 'soy', 'cocoa']

def toy_beir() -> BeirData:
    "Forty documents on twenty topics, each with a title; ten queries, each about one topic's first document."
    corpus, titles = {}, {}
    for i in range(40):
        t = TOPICS[i % 20]
        titles[f'd{i}'] = f'What {t} does to the heart in study {i}'
        body = (f'The {t} trial {i} followed adults for a year. Those who took {t} daily had lower blood pressure. '
                f'Ok then. Effects of {t} were larger in older people. Authors call for more work on {t}.')
        corpus[f'd{i}'] = titles[f'd{i}'] + ' ' + body
    queries = {f'q{i}': f'does {TOPICS[i]} lower blood pressure' for i in range(10)}
    return BeirData(corpus, queries, {f'q{i}': {f'd{i}': 1} for i in range(10)}, 'test', [], 'toy', titles=titles)

TINY = CorpusPreset(teacher='all-MiniLM-L6-v2', dims=(16,), matryoshka_dim=None, pca_dims=(16,), max_seq_length=32, batch_size=16,
                    eval_steps=2, n_heldout=8, keep_layers=1, precision='fp32', bf16=False, dev_docs=20, lrs=(1e-3,),
                    candidates=(('document', 'mse', 1e-3), ('search', 'mse', 1e-3), ('search', 'both', 0.5),
                                ('search', 'similarity-full', 1e-3)))

def test_search_units_of_a_corpus_file(tmp_path):
    "`read_sentences(..., unit='search')` (and so `hpd_nb distill --unit search`) cuts a corpus file as `split_documents` does, titles apart."
    assert 'search' in DOC_UNITS  # the CLI checks --unit against DOC_UNITS
    p = tmp_path/'corpus.jsonl'
    docs = [{'_id': 'a', 'title': 'Sleep', 'text': 'Sleep helps memory. Short naps help too. Ok.'}, {'_id': 'b', 'text': 'One line only here.'},
            {'_id': 'c', 'title': '', 'text': 'First of two here. Second of two here.'}]
    p.write_text('\n'.join(json.dumps(d) for d in docs) + '\n')
    got = read_sentences(p, unit='search').sentences
    corpus, _, titles = read_corpus(p, with_titles=True)
    assert got == split_documents(list(corpus.values()), 'search', titles=[titles.get(d, '') for d in corpus])
    # the title is a unit of its own; a one-sentence document is one unit; no title: the first sentence stands for one
    assert got == ['Sleep', 'Sleep Sleep helps memory. Short naps help too. Ok.', 'One line only here.',
                   'First of two here.', 'First of two here. Second of two here.']
    assert read_sentences(p, unit='search').sentences == got  # deterministic

def test_search_units_with_titles():
    "Titles come first; a one-sentence document is one unit; fragments under 3 words are dropped; the mix follows `query_share`."
    texts, titles = ['Sleep Sleep helps memory. Short naps help too. Ok.', 'One line only here.'], ['Sleep', '']
    assert split_documents(texts, 'search', titles=titles) == ['Sleep', 'Sleep Sleep helps memory. Short naps help too. Ok.',
                                                               'One line only here.']
    # two passages ('Ok.' alone is too short): two query-like units; the second lead is its whole passage, so not repeated
    assert split_documents(texts, 'search', titles=titles, passage_words=4) == [
        'Sleep', 'Sleep helps memory.', 'Sleep Sleep helps memory.', 'Short naps help too.', 'One line only here.']
    assert split_documents(texts, 'search', titles=titles, query_share=0) == texts
    with pytest.raises(ValueError, match=r'query_share=-0.1 must be in \[0, 1\)'): split_documents(texts, 'search', query_share=-0.1)

def test_corpus_texts_keep_dev_titles_out():
    data = toy_beir()
    task = title_text_task(data, 20, 0)
    texts = corpus_texts(data, TINY, 'search', task)
    assert not set(task.queries.values()) & set(texts)
    assert sum(t in texts for d, t in data.titles.items() if f'title:{d}' not in task.queries) == 20
    assert corpus_texts(data, TINY, 'document') == list(data.corpus.values())

def test_cpu_key_unchanged():
    "The committed cpu run's cache key is what `set_key` builds: adding fields did not invalidate it."
    stored = Path(__file__).parents[1]/'results'/'corpus_cpu'/'scifact_set.json'
    if not stored.is_file(): pytest.skip('no committed corpus_cpu run')
    assert json.loads(json.dumps(set_key(CORPUS_PRESETS['cpu'], 'scifact'))) == json.loads(stored.read_text())['key']
    assert len(dev_curves(stored.parent)) == 0 and corpus_costs(stored.parent).loc['nfcorpus', 'docs'] == 3633
    assert set_key(CORPUS_PRESETS['search'], 'scifact')['settings']['candidates'] == CORPUS_PRESETS['search'].candidates

def test_candidate_choice_end_to_end(tmp_path):
    "A whole toy run with candidates: every curve recorded from step 0, the best point chosen, the untrained start selectable."
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        res = run_corpus(TINY, tmp_path, progress=False, device='cpu', sets={'toy': toy_beir()})
    first = res['costs']['toy']['students']['HPD-MiniLM-L1-16']
    cands = first['candidates']
    assert list(cands) == ['HPD-MiniLM-L1-16-document-mse-lr0.001', 'HPD-MiniLM-L1-16-search-mse-lr0.001',
                           'HPD-MiniLM-L1-16-search-both-lr0.5', 'HPD-MiniLM-L1-16-search-similarity-full-lr0.001']
    assert cands['HPD-MiniLM-L1-16-search-similarity-full-lr0.001']['loss'] == 'similarity-full'  # trained on the teacher's own cosines
    for f in cands.values():
        steps = [s for s, _ in f['dev_curve']]
        assert steps[0] == 0 and steps == sorted(steps) and len(steps) >= 3
        assert f['kept'] == ('untrained start' if best_point(f['dev_curve'])[0] == 0 else 'trained')
    best = max(cands, key=lambda k: best_point(cands[k]['dev_curve'])[1])
    assert best == 'HPD-MiniLM-L1-16-{unit}-{loss}-lr{lr:g}'.format(**first['recipe'])
    assert cands['HPD-MiniLM-L1-16-search-both-lr0.5']['kept'] == 'untrained start'  # a rate that wrecks the student
    assert res['costs']['toy']['training_texts']['document'] == 40
    assert 0 <= res['costs']['toy']['dev_reference']['teacher'] <= 100  # the teacher's own score on the development task
    curves = dev_curves(tmp_path)
    assert sorted(curves['student'].unique()) == sorted(cands) and (curves.groupby('student')['step'].min() == 0).all()
    assert len(corpus_table(tmp_path)) > 0 and 'lr sweep (all candidates)' in corpus_costs(tmp_path)
    assert (tmp_path/'histories'/'toy__HPD-MiniLM-L1-16-search-mse-lr0.001.csv').is_file()
    # only the untrained start can win: a single candidate whose rate wrecks every step keeps its start
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        one = run_corpus(replace(TINY, candidates=(('search', 'both', 0.5),)), tmp_path/'one', progress=False, device='cpu',
                         sets={'toy': toy_beir()})
    f = one['costs']['toy']['students']['HPD-MiniLM-L1-16']
    assert (f['kept'], f['recipe']['lr']) == ('untrained start', 0.5)
