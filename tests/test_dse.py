"Bad-input and consistency tests for hpd_nb.dse on tiny data (2-layer MiniLM slice)."
import numpy as np, pytest, torch
from hpd_nb.core import resolve_model
from hpd_nb import dse

S1 = ['a man is playing a guitar', 'a woman slices an onion', 'the cat sleeps', 'kids play football']
S2 = ['a man plays guitar', 'stock markets fell', 'a cat is sleeping', 'a chef cooks pasta']

@pytest.fixture(scope='module')
def minilm(): return str(resolve_model('all-MiniLM-L6-v2'))

@pytest.fixture(scope='module')
def teacher(minilm): return dse.load_cross_encoder(minilm, 'MRPC', n_layers=2)

@pytest.fixture(scope='module')
def student(minilm):
    enc, tok = dse.load_encoder(minilm, n_layers=2)
    torch.manual_seed(0)
    return dse.SiameseDSE(enc, 2).eval(), tok

@pytest.mark.parametrize('s1,s2,where', [(['a', ''], ['b', 'c'], 'pair 1: sentence1'), (['a', 'b'], ['b', '  '], 'pair 1: sentence2'),
                                         (['a', None], ['b', 'c'], 'pair 1: sentence1')])
def test_empty_side(s1, s2, where):
    with pytest.raises(ValueError, match=where): dse.check_pairs(s1, s2)
    with pytest.raises(ValueError, match=where): dse.PairDataset(s1, s2, [0, 1], 'MRPC')

@pytest.mark.parametrize('task,labels', [('MRPC', [0, 2]), ('QQP', [-1, 0]), ('RTE', [0, 0.5]), ('STS-B', [1.0, 5.01]), ('STS-B', [np.nan, 1.0])])
def test_label_range(task, labels):
    with pytest.raises(ValueError, match='label'): dse.check_pairs(['a', 'b'], ['c', 'd'], labels, task)

def test_valid_labels_pass():
    dse.check_pairs(['a', 'b'], ['c', 'd'], [0, 1], 'QQP'); dse.check_pairs(['a', 'b'], ['c', 'd'], [0.0, 5.0], 'STS-B')

def test_logits_cache_other_teacher_or_task(tmp_path, teacher):
    model, tok = teacher
    z = dse.cached_teacher_logits(model, tok, 'MRPC', 'train', S1, S2, tmp_path)
    assert z.shape == (4, 2)
    path = dse.teacher_cache_path(tmp_path, dse.model_fingerprint(model), 'MRPC', 'train', S1, S2)
    tid = dse.model_fingerprint(model)
    np.testing.assert_allclose(dse.load_teacher_logits(path, tid, 'MRPC', 'train', S1, S2), z)
    with pytest.raises(ValueError, match='teacher_id'): dse.load_teacher_logits(path, 'another-teacher', 'MRPC', 'train', S1, S2)
    with pytest.raises(ValueError, match="task='MRPC'"): dse.load_teacher_logits(path, tid, 'QQP', 'train', S1, S2)
    with pytest.raises(ValueError, match="split='train'"): dse.load_teacher_logits(path, tid, 'MRPC', 'dev', S1, S2)
    # a different teacher never lands on the same cache file
    assert dse.teacher_cache_path(tmp_path, 'another-teacher', 'MRPC', 'train', S1, S2) != path
    assert dse.teacher_cache_path(tmp_path, tid, 'QQP', 'train', S1, S2) != path

def test_logits_length_mismatch(tmp_path):
    with pytest.raises(ValueError, match='4 pairs but 3 teacher logits'): dse.PairDataset(S1, S2, [1, 0, 1, 0], 'MRPC', np.zeros((3, 2)))
    with pytest.raises(ValueError, match='MRPC needs 2 logits'): dse.PairDataset(S1, S2, [1, 0, 1, 0], 'MRPC', np.zeros((4, 1)))
    with pytest.raises(ValueError, match='4 pairs but 5'): dse.save_teacher_logits(tmp_path/'z.npz', np.zeros((5, 2)), 't', 'MRPC', 'train', S1, S2)
    p = dse.save_teacher_logits(tmp_path/'z.npz', np.zeros((4, 2)), 't', 'MRPC', 'train', S1, S2)
    with pytest.raises(ValueError, match='4 rows but there are 3 pairs'): dse.load_teacher_logits(p, 't', 'MRPC', 'train', S1[:3], S2[:3])
    assert not list(tmp_path.glob('*.tmp'))  # atomic write leaves no temporaries

def test_cached_embeddings_match_forward(student):
    model, tok = student
    b = dse.siamese_collate(tok, 'MRPC')([dict(sentence1=a, sentence2=c, label=0) for a, c in zip(S1, S2)])
    with torch.no_grad(): full = model(b['input_ids'], b['attention_mask'])
    U, V = dse.embed_texts(model, tok, S1), dse.embed_texts(model, tok, S2)
    torch.testing.assert_close(dse.score_pairs_from_embeddings(model, U, V), full, atol=1e-4, rtol=1e-4)
    with pytest.raises(ValueError, match='shapes differ'): dse.score_pairs_from_embeddings(model, U[:3], V)

def test_dse_loss_by_hand():
    s, t = torch.tensor([[1.0, -1.0], [0.0, 2.0]]), torch.tensor([[0.0, 0.0], [0.0, 0.0]])
    y = torch.tensor([0, 1])
    ce = -(torch.log_softmax(s, -1)[0, 0] + torch.log_softmax(s, -1)[1, 1]) / 2
    mse = (1 + 1 + 0 + 4) / 4
    torch.testing.assert_close(dse.dse_loss(s, y, t, 0.3, 'classification'), 0.7*ce + 0.3*mse)
    torch.testing.assert_close(dse.dse_loss(s, y, None, 0.0, 'classification'), ce)

def test_speed_helper(teacher, student):
    (ce, ce_tok), (stu, tok) = teacher, student
    r = dse.time_one_vs_n('a man plays guitar', S2*5, ce, ce_tok, stu, tok)
    assert r['n'] == 20 and min(r['cross_encoder_s'], r['dse_s'], r['dot_s']) > 0
    with pytest.raises(ValueError, match='20 candidates but 3 cached'): dse.time_one_vs_n('q', S2*5, ce, ce_tok, stu, tok, candidate_embeddings=torch.zeros(3, 384))

def test_speed_extrapolation(teacher, student):
    (ce, ce_tok), (stu, tok) = teacher, student
    r = dse.time_one_vs_n('a man plays guitar', S2*5, ce, ce_tok, stu, tok, max_cross_pairs=4)
    assert r['cross_encoder_timed_pairs'] == 4 and r['cross_encoder_extrapolated'] and r['cross_encoder_s'] > 0
    r = dse.time_one_vs_n('a man plays guitar', S2, ce, ce_tok, stu, tok, max_cross_pairs=100)
    assert r['cross_encoder_timed_pairs'] == 4 and not r['cross_encoder_extrapolated']

def test_ratio_guard():
    from hpd_nb.dse_bench import score_ratio, task_table
    assert score_ratio('MRPC', 0.8, 0.76) == pytest.approx(0.95)
    for bad in (0.0, -0.06, float('nan')):
        with pytest.raises(ValueError, match='not positive'): score_ratio('STS-B', bad, 0.2)
    m = lambda a, b: dict(pearson=a, spearman=b)
    res = dict(tasks={'STS-B': dict(teacher=m(-0.05, -0.06), dse=m(0.2, 0.2), alpha0=m(0.1, 0.1), zero_shot=m(0.8, 0.8))})
    tt = task_table(res)
    assert np.isnan(tt.loc['STS-B', 'dse/teacher']) and np.isnan(tt.loc['mean', 'dse/teacher'])
    assert 'teacher did not learn' in tt.loc['STS-B', 'note']

def test_single_class_flag():
    from hpd_nb.dse_bench import single_class
    assert single_class('QQP', [0, 0, 0]) and not single_class('QQP', [0, 1, 0]) and not single_class('STS-B', [1.0, 1.0])
