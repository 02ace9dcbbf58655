"Bad-input and consistency tests for hpd_nb.dse on tiny data (2-layer MiniLM slice)."
import dataclasses
from pathlib import Path
import numpy as np, pytest, torch
from hpd_nb.core import resolve_model
from hpd_nb import core, dse

S1 = ['a man is playing a guitar', 'a woman slices an onion', 'the cat sleeps', 'kids play football']
S2 = ['a man plays guitar', 'stock markets fell', 'a cat is sleeping', 'a chef cooks pasta']

@pytest.fixture(scope='module')
def minilm(): return str(resolve_model('all-MiniLM-L6-v2'))

@pytest.fixture(scope='module')
def teacher(minilm): return dse.load_cross_encoder(minilm, 'MRPC', keep_layers=2)

@pytest.fixture(scope='module')
def student(minilm):
    enc, tok = dse.load_encoder(minilm, keep_layers=2)
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
    tid = dse.model_identity(model)
    path = core.array_key_path(tmp_path, dse.teacher_logits_key(tid, 'MRPC', 'train', S1, S2))
    np.testing.assert_allclose(np.load(path), z)
    # another teacher, task, split or pairs never lands on the same cache file
    others = [dse.teacher_logits_key('another-teacher', 'MRPC', 'train', S1, S2), dse.teacher_logits_key(tid, 'QQP', 'train', S1, S2),
              dse.teacher_logits_key(tid, 'MRPC', 'dev', S1, S2), dse.teacher_logits_key(tid, 'MRPC', 'train', S1[:3], S2[:3])]
    assert path not in [core.array_key_path(tmp_path, k) for k in others]
    np.save(path, z[:3])  # a file that does not read back with a row per pair is recomputed
    with pytest.warns(UserWarning, match='expected 4 finite rows'): z2 = dse.cached_teacher_logits(model, tok, 'MRPC', 'train', S1, S2, tmp_path)
    np.testing.assert_allclose(z2, z, atol=1e-6)
    assert not list(tmp_path.glob('.*.tmp*'))  # atomic write leaves no temporaries

def test_logits_length_mismatch():
    with pytest.raises(ValueError, match='4 pairs but 3 teacher logits'): dse.PairDataset(S1, S2, [1, 0, 1, 0], 'MRPC', np.zeros((3, 2)))
    with pytest.raises(ValueError, match='MRPC needs 2 logits'): dse.PairDataset(S1, S2, [1, 0, 1, 0], 'MRPC', np.zeros((4, 1)))

def _batch(tok, task='MRPC', n_out=2):
    items = [dict(sentence1=a, sentence2=c, label=i % 2, teacher_logits=np.full(n_out, i, np.float32)) for i, (a, c) in enumerate(zip(S1, S2))]
    return dse.siamese_collate(tok, task)(items)

def test_cached_embeddings_match_forward(student):
    model, tok = student
    b = _batch(tok)
    with torch.no_grad(): full = model(**b)
    U, V = dse.embed_texts(model, tok, S1), dse.embed_texts(model, tok, S2)
    torch.testing.assert_close(dse.score_pairs_from_embeddings(model, U, V), full, atol=1e-4, rtol=1e-4)
    with pytest.raises(ValueError, match='shapes differ'): dse.score_pairs_from_embeddings(model, U[:3], V)

def test_collate_keeps_pairs_row_aligned(student):
    _, tok = student
    b = _batch(tok)
    assert set(dse.SIAMESE_KEYS) <= set(b) and 'input_ids' not in b
    assert all(len(v) == len(S1) for v in b.values())  # every tensor has one row per pair: dim 0 is the pair index
    for i, (a, c) in enumerate(zip(S1, S2)):
        assert tok.decode(b['input_ids_a'][i], skip_special_tokens=True) == a
        assert tok.decode(b['input_ids_b'][i], skip_special_tokens=True) == c

def test_data_parallel_split_keeps_pairs(student):
    """DataParallel (and any dim-0 scatter) splits every tensor of the batch along dim 0 and runs forward on each
    slice. Each slice must score the same pairs as the full batch. With the old layout (one stack of 2B sentences,
    first sentences then second ones, split by `chunk(2)` inside forward) the first half of the stack holds only
    first sentences, so the replica would pair S1[0] with S1[1] and the logits would differ."""
    model, tok = student
    b = _batch(tok)
    with torch.no_grad():
        full = model(**b)
        halves = [model(**{k: v.tensor_split(2)[i] for k, v in b.items()}) for i in range(2)]
    assert [h.shape[0] for h in halves] == [2, 2]
    torch.testing.assert_close(torch.cat(halves), full, atol=1e-5, rtol=1e-5)
    # the loss sees the same rows: labels and teacher logits split with the logits
    loss = dse.student_loss('MRPC', 0.5)
    whole = loss(model, b)
    parts = [loss(model, {k: v.tensor_split(2)[i] for k, v in b.items()}) for i in range(2)]
    torch.testing.assert_close(whole, sum(parts)/2, atol=1e-5, rtol=1e-5)

def test_forward_pads_sides_to_one_length(student):
    model, tok = student
    b = _batch(tok)
    assert b['input_ids_a'].shape[1] != b['input_ids_b'].shape[1]  # the sides are padded separately
    U, V = dse.embed_texts(model, tok, S1), dse.embed_texts(model, tok, S2)
    with torch.no_grad(): z = model(**b)
    torch.testing.assert_close(z, dse.score_pairs_from_embeddings(model, U, V), atol=1e-4, rtol=1e-4)
    with pytest.raises(ValueError, match='4 first but 3 second'):
        model(b['input_ids_a'], b['attention_mask_a'], b['input_ids_b'][:3], b['attention_mask_b'][:3])

@pytest.mark.skipif(torch.cuda.device_count() < 2, reason='needs 2 GPUs for nn.DataParallel')
def test_real_data_parallel(student):
    model, tok = student
    b = _batch(tok)
    m = model.to('cuda:0')
    with torch.no_grad():
        full = m(**{k: v.to('cuda:0') for k, v in b.items()})
        dp = torch.nn.DataParallel(m, device_ids=[0, 1])(**{k: v.to('cuda:0') for k, v in b.items()})
    model.to('cpu')
    torch.testing.assert_close(dp, full, atol=1e-4, rtol=1e-4)

def test_dse_loss_by_hand():
    s, t = torch.tensor([[1.0, -1.0], [0.0, 2.0]]), torch.tensor([[0.0, 0.0], [0.0, 0.0]])
    y = torch.tensor([0, 1])
    ce = -(torch.log_softmax(s, -1)[0, 0] + torch.log_softmax(s, -1)[1, 1]) / 2
    mse = (1 + 1 + 0 + 4) / 4
    torch.testing.assert_close(dse.dse_loss(s, y, t, 0.3, 'classification'), 0.7*ce + 0.3*mse)
    torch.testing.assert_close(dse.dse_loss(s, y, None, 0.0, 'classification'), ce)

def test_silver_rows_split_by_rows(student):
    "A batch mixing gold and silver pairs: split by rows (DataParallel), the halves average to the whole batch's loss."
    model, tok = student
    items = [dict(sentence1=a, sentence2=c, label=i % 2, teacher_logits=np.full(2, i, np.float32), gold=i != 1) for i, (a, c) in enumerate(zip(S1, S2))]
    b = dse.siamese_collate(tok, 'MRPC')(items)
    assert b['gold'].tolist() == [True, False, True, True]
    loss = dse.student_loss('MRPC', 0.5)
    whole = loss(model, b)
    parts = [loss(model, {k: v.tensor_split(2)[i] for k, v in b.items()}) for i in range(2)]
    torch.testing.assert_close(whole, sum(parts)/2, atol=1e-5, rtol=1e-5)
    with torch.no_grad(): z = model(**{k: b[k] for k in dse.SIAMESE_KEYS})
    y, t = b['labels'], b['teacher_logits']
    ce = torch.nn.functional.cross_entropy(z, y, reduction='none')
    by_hand = 0.5*(ce[[0, 2, 3]].sum()/4) + 0.5*((z - t)**2).mean()  # the silver row (1) has no task term
    torch.testing.assert_close(whole.detach(), by_hand, atol=1e-5, rtol=1e-5)

def test_fit_dse_refuses_silver_without_distillation(student):
    model, tok = student
    with pytest.raises(ValueError, match='alpha=0 gives silver pairs no loss'):
        dse.fit_dse(model, tok, 'MRPC', (S1, S2, [1, 0, 1, 0]), np.zeros((4, 2)), 0.0, None, gold=[True, True, False, True])

def test_majority_baseline():
    assert dse.majority_baseline('MRPC', [1, 1, 0], [1, 0])['metrics'] == {'accuracy': 0.5, 'f1': pytest.approx(2/3)}
    assert dse.majority_baseline('STS-B', [1.0, 3.0], [1.0, 2.0])['metrics'] == {'pearson': 0.0, 'spearman': 0.0}

@pytest.mark.parametrize('source', ['bm25', 'random'])
def test_silver_pairs_on_a_real_task(source):
    "RTE's own training sentences: no selection-slice or dev sentence, no labelled pair (either order), no pair twice."
    from hpd_nb.experiments import dse_bench as db
    p = dataclasses.replace(db.DSE_PRESETS['quick'], max_train=300, max_dev=100, silver=source, silver_k=3, silver_n=200)
    data = db.task_data('RTE', p)
    sv = db.silver_pairs('RTE', p, data)
    held, fit = db.heldout_sentences(data), set(data['fit'][0]) | set(data['fit'][1])
    pairs = list(zip(sv['s1'], sv['s2']))
    assert len(pairs) == sv['counts']['kept'] == 200 and sv['source'] == source
    assert not {s for q in pairs for s in q} & held and {s for q in pairs for s in q} <= fit
    gold = set(zip(data['train']['s1'], data['train']['s2'])) | set(zip(data['dev']['s1'], data['dev']['s2']))
    assert not {q for q in pairs if q in gold or q[::-1] in gold}
    assert len({frozenset(q) for q in pairs}) == len(pairs) and all(a != b for a, b in pairs)
    assert sv == db.silver_pairs('RTE', p, data)  # seeded

def test_quora_silver_never_reads_dev():
    "QQP's silver pairs come from training-split rows the labelled fit did not draw; no dev or selection sentence."
    from hpd_nb.experiments import dse_bench as db
    p = dataclasses.replace(db.DSE_PRESETS['quick'], tasks=('QQP',), max_train=500, max_dev=300, silver='quora', silver_n=300)
    data = db.task_data('QQP', p)
    sv = db.silver_pairs('QQP', p, data)
    assert sv['counts']['kept'] == 300 and sv['counts']['undrawn'] > 300_000
    assert not (set(sv['s1']) | set(sv['s2'])) & db.heldout_sentences(data)
    dev_all = db.load_task('QQP', 'dev')  # the whole dev split, not only the sampled dev pairs
    assert not set(zip(sv['s1'], sv['s2'])) & set(zip(dev_all['s1'], dev_all['s2']))

@pytest.mark.filterwarnings("ignore:MRPC.*single class")
def test_silver_run_reuses_the_teacher(tmp_path, monkeypatch):
    """A gold-only run, then a silver run in the same folder: the teacher is trained once (its key ignores the silver
    settings); its saved weights score the silver pairs through the logits cache; the plan's three kinds of rows train as
    named — labels only and DSE on the fit pairs, DSE on fit + silver pairs for as many steps, silver rows masked."""
    db = _tiny(monkeypatch, folds=1, in_sample_alpha=None, teacher_lrs=(1e-4,), alphas=(0.0, 1.0))
    teachers, splits, fits = [], [], {}
    real_teacher, real_logits, real_fit = db.fit_fold_teacher, db.cached_teacher_logits, db.fit_dse
    monkeypatch.setattr(db, 'fit_fold_teacher', lambda *a, **k: teachers.append(a[0]) or real_teacher(*a, **k))
    monkeypatch.setattr(db, 'cached_teacher_logits', lambda *a, **k: splits.append((a[3], len(a[4]))) or real_logits(*a, **k))
    def spy_fit(*a, gold=None, **k):
        fits[Path(a[6].output_dir).name] = (len(a[3][0]), gold, a[6].max_steps)
        return real_fit(*a, gold=gold, **k)
    monkeypatch.setattr(db, 'fit_dse', spy_fit)
    r0 = db.run_task('MRPC', 'tiny', tmp_path, device='cpu', keep_models=True)
    teacher, tok = r0['teacher']
    assert len(teachers) == 1 and r0['silver'] is None and not any(n.endswith('silver-s0') for n in r0['metrics'])
    monkeypatch.setitem(db.DSE_PRESETS, 'tiny', dataclasses.replace(db.DSE_PRESETS['tiny'], silver='bm25', silver_k=2, silver_n=6))
    captured, real_stage = {}, db.student_stage
    def spy_stage(*a, silver_logits=None, **k):
        captured['z'] = silver_logits
        return real_stage(*a, silver_logits=silver_logits, **k)
    monkeypatch.setattr(db, 'student_stage', spy_stage)
    r1 = db.run_task('MRPC', 'tiny', tmp_path, device='cpu')
    n = r1['n_train']
    assert len(teachers) == 1  # not retrained: the stage and the teacher's weights were reused
    assert r1['metrics']['teacher'] == r0['metrics']['teacher'] and r1['silver']['source'] == 'bm25' and r1['silver']['kept'] == 6
    assert ('silver', 6) in splits and ('train', n) in splits
    sv = db.silver_pairs('MRPC', db.DSE_PRESETS['tiny'], db.task_data('MRPC', db.DSE_PRESETS['tiny']))
    direct = dse.predict_cross_encoder(teacher, tok, sv['s1'], sv['s2'], max_length=32)  # the trained teacher, still in memory
    np.testing.assert_allclose(captured['z'], direct, atol=1e-5)  # the reloaded weights score as the trained teacher
    assert {'a0-s0', 'a1-s0', 'a1-silver-s0'} <= set(r1['metrics']) and 'a0-silver-s0' not in r1['metrics']
    assert fits['a0-s0'][:2] == (n, None) and fits['a1-s0'][:2] == (n, None)  # gold rows: the fit pairs only
    assert fits['a1-silver-s0'][0] == n + 6 and fits['a1-silver-s0'][1] == [True]*n + [False]*6
    assert fits['a1-silver-s0'][2] == db.train_steps(n, 8, 1)  # as many optimizer steps as a gold student
    assert 'majority' in r1['metrics'] and r1['dse_alphas'] == {'gold': 1.0, 'gold+silver': 1.0}

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
    from hpd_nb.experiments.dse_bench import score_ratio, task_table
    assert score_ratio('MRPC', 0.8, 0.76) == pytest.approx(0.95)
    for bad in (0.0, -0.06, float('nan')):
        with pytest.raises(ValueError, match='not positive'): score_ratio('STS-B', bad, 0.2)
    m = lambda a, b: dict(pearson=a, spearman=b)
    res = dict(settings=dict(alpha=0.5, seeds=[0]), tasks={'STS-B': {'teacher': m(-0.05, -0.06), 'a0.5-s0': m(0.2, 0.2), 'a0-s0': m(0.1, 0.1), 'zero_shot': m(0.8, 0.8)}})
    tt = task_table(res)
    assert np.isnan(tt.loc['STS-B', 'dse/teacher']) and np.isnan(tt.loc['mean', 'dse/teacher'])
    assert 'teacher did not learn' in tt.loc['STS-B', 'note'] and 'teacher too weak' in tt.loc['STS-B', 'note']

def test_cross_fit_logits_never_use_a_teacher_on_its_own_pairs():
    "Each cross-fitted logit comes from the one teacher that did not train on the pair; in-sample from the others."
    from hpd_nb.experiments.dse_bench import cross_fit_logits, split_training
    sel, fit, fold = split_training(50, 3, 0.2, 100, seed=1)
    assert len(sel) == 10 and sorted(np.bincount(fold)) == [13, 13, 14]
    Z = [np.full((len(fit), 2), float(f)) for f in range(3)]  # teacher f outputs f everywhere
    cross, ins = cross_fit_logits(Z, fold)
    assert (cross[:, 0] == fold).all()
    assert np.allclose(ins[:, 0], (3 - fold)/2)  # mean of the two other teachers' ids
    with pytest.raises(ValueError, match='fold teachers'): cross_fit_logits(Z[:1], fold)

def test_single_class_flag():
    from hpd_nb.experiments.dse_bench import single_class
    assert single_class('QQP', [0, 0, 0]) and not single_class('QQP', [0, 1, 0]) and not single_class('STS-B', [1.0, 1.0])

# --- dse_bench: folders, resume, device -------------------------------------------------------------------------

def _tiny(monkeypatch, name='tiny', **kw):
    from hpd_nb.experiments import dse_bench as db
    monkeypatch.setitem(db.DSE_PRESETS, name, dataclasses.replace(db.DSE_PRESETS['quick'], name=name, tasks=('MRPC', 'STS-B'), keep_layers=1, max_train=16, max_dev=12,
                                               teacher_epochs=1, student_epochs=1, batch_size=8, max_length=32, speed_n=(20,), max_cross_pairs=10, **kw))
    return db

def test_bench_cli_flags():
    from hpd_nb.cli import dse_cmd, parser
    a = parser(dse_cmd).parse_args([])
    assert (a.preset, a.out, a.device, a.progress, a.resume) == (None, None, None, True, True)  # the default preset (quick) is run_experiment's; progress bars by default
    a = parser(dse_cmd).parse_args(['--preset', 'paper', '--device', 'cuda:1', '--progress', '--no-resume', '--out', 'x', '--tasks', 'MRPC', 'RTE'])
    assert (a.out, a.device, a.progress, a.resume, a.tasks) == ('x', 'cuda:1', True, False, ['MRPC', 'RTE'])
    assert parser(dse_cmd).parse_args(['--no-progress', '--resume']).progress is False

def test_run_bench_presets_and_resume(tmp_path, monkeypatch):
    "Bookkeeping of run_bench with the training faked: per-preset work folders, reuse, resume=False, default out, device."
    db = _tiny(monkeypatch); _tiny(monkeypatch, 'tiny2')
    calls = []
    def fake_task(task, preset, out, keep_models=False, device=None, progress=False, resume=True):
        p = db.dse_preset(preset)  # run_bench passes the preset object (with any --settings applied)
        calls.append((p.name, task, str(device), resume, progress))
        names = db.model_names(p)
        for m in names: db.write_predictions(out/'preds'/f'{task}__{m}.tsv', [0], [1], [len(p.name)])  # differ by preset
        m = dict(pearson=0.5, spearman=0.5) if task == 'STS-B' else dict(accuracy=0.5, f1=0.5)
        r = dict(metrics={k: m for k in names}, n_train=16, n_dev=12, seconds={}, single_class=[])
        if keep_models: r.update(teacher=None, student=None, train=dict(s1=['a'], s2=['b']), dev=dict(s1=['q']))
        return r
    monkeypatch.setattr(db, 'run_task', fake_task)
    monkeypatch.setattr(db, 'speed_benchmark', lambda *a, device=None, **k: [dict(n=20, device=str(device))])
    monkeypatch.chdir(tmp_path)
    r = db.run_bench('tiny', device='cpu', progress=True)  # default out
    assert (tmp_path/'outputs'/'dse_tiny'/'dse.json').is_file() and r['device'] == 'cpu' and r['speed'][0]['device'] == 'cpu'
    assert calls == [('tiny', 'MRPC', 'cpu', True, True), ('tiny', 'STS-B', 'cpu', True, True)]
    assert (tmp_path/'outputs'/'dse_tiny'/'work'/'tiny'/'MRPC'/'result.json').is_file()
    out = tmp_path/'outputs'/'dse_tiny'
    pr = db.partial_result(out, 'tiny')  # what a run still going would show: its finished tasks, as dse.json has them
    assert pr['partial'] and pr['tasks'] == r['tasks'] and pr['task_info'].keys() == r['task_info'].keys() and 'speed' not in pr
    assert db.partial_result(out, 'tiny2') is None  # another preset has finished nothing there
    calls.clear(); db.run_bench('tiny', out, device='cpu')
    assert [c[1] for c in calls] == ['STS-B']  # MRPC reused; the last task always runs (speed benchmark)
    calls.clear(); db.run_bench('tiny2', out, device='cpu')  # same out, another preset: nothing of 'tiny' is reused
    assert [c[:2] for c in calls] == [('tiny2', 'MRPC'), ('tiny2', 'STS-B')]
    assert (out/'work'/'tiny2'/'MRPC'/'result.json').is_file()
    calls.clear(); db.run_bench('tiny', out, device='cpu')  # tiny2 rewrote preds/: tiny's MRPC result no longer matches them
    assert [c[1] for c in calls] == ['MRPC', 'STS-B']
    calls.clear(); db.run_bench('tiny', out, device='cpu', resume=False)
    assert [(c[1], c[3]) for c in calls] == [('MRPC', False), ('STS-B', False)]

@pytest.mark.filterwarnings("ignore:MRPC.*single class")
@pytest.mark.parametrize('folds', [1, 2])
def test_run_task_models_follow_device(tmp_path, monkeypatch, folds):
    "A real (tiny) task: every model that is evaluated or timed sits on the requested device; work folder keyed by preset; the teacher's rate and the DSE row's alpha chosen on the selection slice."
    db = _tiny(monkeypatch, folds=folds)
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    seen = {}
    dev_of = lambda m: next(m.parameters()).device.type
    def spy(name, f, pick):
        def g(*a, **k): seen.setdefault(name, set()).update(pick(*a, **k)); return f(*a, **k)
        monkeypatch.setattr(db, name, g)
    spy('evaluate_cross_encoder', db.evaluate_cross_encoder, lambda m, *a, **k: {dev_of(m)})
    spy('evaluate_student', db.evaluate_student, lambda m, *a, **k: {dev_of(m)})
    spy('zero_shot_baseline', db.zero_shot_baseline, lambda m, *a, **k: {dev_of(m)})
    spy('cached_teacher_logits', db.cached_teacher_logits, lambda m, *a, **k: {dev_of(m)})
    spy('time_one_vs_n', db.time_one_vs_n, lambda q, c, ce, ce_tok, stu, s_tok, candidate_embeddings=None, **k:
        {dev_of(ce), dev_of(stu), candidate_embeddings.device.type})
    (tmp_path/'work'/'tiny'/'MRPC').mkdir(parents=True); (tmp_path/'work'/'tiny'/'MRPC'/'stale').write_text('x')
    r = db.run_task('MRPC', 'tiny', tmp_path, keep_models=True, device=device, resume=False)
    assert not (tmp_path/'work'/'tiny'/'MRPC'/'stale').exists()  # resume=False starts the task fresh
    assert (tmp_path/'work'/'tiny'/'MRPC'/'cache').is_dir()
    assert list((tmp_path/'work').glob('**/checkpoint-*'))  # the kept models' checkpoints stay until run_bench's speed benchmark is done
    db.drop_checkpoints(tmp_path/'work'/'tiny'/'MRPC'); assert not list((tmp_path/'work').glob('**/checkpoint-*'))
    p = db.DSE_PRESETS['tiny']
    assert set(r['metrics']) == {'teacher', *(f'teacher_f{f}' for f in range(folds)), 'majority', *db.model_names(p)}
    assert r['zero_shot_fit']['on'] == 'selection' and r['zero_shot_fit']['n'] == r['n_selection'] and r['silver'] is None
    assert r['n_selection'] + r['n_train'] == r['n_drawn'] == 16
    assert set(r['logit_fit']) == ({'cross_fit', 'in_sample'} if folds == 2 else {'in_sample'})
    # two teacher rates tried (quick's teacher_lrs); the kept teachers are those of the best rate on the selection slice
    assert set(r['lr_sweep']) == {'0.0001', '5e-05'} and r['teacher_model'] == 'all-MiniLM-L6-v2'
    assert {i['lr'] for i in r['teacher_folds']} == {max(db.teacher_lrs(p), key=lambda lr: r['lr_sweep'][f'{lr:g}'])}
    # every student scored on the selection slice; the DSE alpha is the best distilled one there
    assert set(r['selection']) == {n for n, *_ in db.student_plan(p)} and r['dse_alpha'] == db.choose_alpha(p, r['selection']) > 0
    assert dev_of(r['teacher'][0]) == dev_of(r['student'][0]) == device.type
    db.speed_benchmark('a man plays guitar', S1 + S2, r['teacher'], r['student'], ns=(10,), max_cross_pairs=5, max_length=32, repeats=1, device=device)
    assert set(seen) == {'evaluate_cross_encoder', 'evaluate_student', 'zero_shot_baseline', 'cached_teacher_logits', 'time_one_vs_n'}
    assert all(v == {device.type} for v in seen.values()), seen

@pytest.mark.filterwarnings("ignore:MRPC.*single class")
def test_teacher_stage_survives_a_student_change(tmp_path, monkeypatch):
    "A change to the students' settings reuses the stored teacher stage (figures, predictions, logits); a change to the teacher's retrains it."
    db = _tiny(monkeypatch, folds=1, in_sample_alpha=None, teacher_lrs=(1e-4,), alphas=(0.0, 1.0))
    fits = []
    real = db.fit_fold_teacher
    monkeypatch.setattr(db, 'fit_fold_teacher', lambda *a, **k: fits.append(a[0]) or real(*a, **k))
    r1 = db.run_task('MRPC', 'tiny', tmp_path, device='cpu')
    t1 = (tmp_path/'preds'/'MRPC__teacher.tsv').read_text()
    assert len(fits) == 1 and (tmp_path/'work'/'tiny'/'MRPC'/'teacher_stage.json').is_file()
    change = lambda **kw: monkeypatch.setitem(db.DSE_PRESETS, 'tiny', dataclasses.replace(db.DSE_PRESETS['tiny'], **kw))
    change(student_epochs=2)
    r2 = db.run_task('MRPC', 'tiny', tmp_path, device='cpu')
    assert len(fits) == 1  # the teacher was not retrained
    assert r2['metrics']['teacher'] == r1['metrics']['teacher'] and r2['logit_fit'] == r1['logit_fit'] and r2['lr_sweep'] == r1['lr_sweep']
    assert (tmp_path/'preds'/'MRPC__teacher.tsv').read_text() == t1
    assert r2['seconds']['teachers'] == r1['seconds']['teachers'] > 0  # a reused stage reports what it cost when it was trained
    change(teacher_epochs=2)
    db.run_task('MRPC', 'tiny', tmp_path, device='cpu')
    assert len(fits) == 2  # a teacher setting changed: retrained
