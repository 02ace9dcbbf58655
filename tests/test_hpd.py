"Tests of the HPD pipeline as a user meets it: the `hpd_nb distill` command, bad input, and a two-process run."
import json, os, subprocess, sys
from pathlib import Path
import numpy as np, pytest
from hpd_nb.data import sentence_pool
from hpd_nb.hpd import distill, read_sentences
from hpd_nb.core import ModelNotFoundError

BIN = Path(sys.executable).parent
ENV = dict(os.environ, OMP_NUM_THREADS='1', HF_HUB_OFFLINE='1', TRANSFORMERS_OFFLINE='1', TOKENIZERS_PARALLELISM='false')

@pytest.fixture(scope='module')
def sentences(): return sentence_pool(sources=('nlp-corpus',), max_sentences=400, seed=3)

def test_cli_distill_end_to_end(tmp_path, sentences):
    "The issue's command, with the real teacher: the directory loads in SentenceTransformer and carries its card."
    f = tmp_path/'some.txt'; f.write_text('\n'.join(sentences[:300]) + '\n\n' + '\n'.join(sentences[300:]) + '\n')
    out = tmp_path/'DIR'
    r = subprocess.run([str(BIN/'hpd_nb'), 'distill', '--teacher', 'all-mpnet-base-v2', '--student', 'all-MiniLM-L6-v2',
                        '--sentences', str(f), '--dim', '128', '--out', str(out), '--epochs', '1', '--no-sts', '--no-progress'],
                       capture_output=True, text=True, env=ENV, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'wrote' in r.stdout and '1 blank lines or empty documents skipped' in r.stdout
    from sentence_transformers import SentenceTransformer
    m = SentenceTransformer(str(out), device='cpu')
    e = m.encode(['A man plays a guitar.', 'Stocks fell sharply.'])
    assert e.shape == (2, 128) and np.abs(e).max() < 1  # tanh output
    card, metrics = (out/'README.md').read_text(), json.loads((out/'metrics.json').read_text())
    assert 'all-mpnet-base-v2' in card and 'all-MiniLM-L6-v2' in card and metrics['data_fingerprint'] in card
    assert (metrics['n_train'], metrics['n_heldout'], metrics['n_blank'], metrics['dim']) == (360, 40, 1, 128)

def test_cli_help_and_aliases():
    for cmd in (['hpd_nb', '--help'], ['hpd_nb', 'distill', '--help'], ['hpd_nb_reproduce', '--help'], ['hpd_nb', 'compress', '--help'],
                ['hpd_nb_dse', '--help'], ['hpd_nb', 'eval-sts', '--help']):
        r = subprocess.run([str(BIN/cmd[0])] + cmd[1:], capture_output=True, text=True, env=ENV, timeout=120)
        assert r.returncode == 0 and ('usage' in r.stdout), (cmd, r.stderr[-500:])
    r = subprocess.run([str(BIN/'hpd_nb'), 'frobnicate'], capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 2 and 'unknown command' in r.stderr

def test_bad_models_fail_before_training(tmp_path, sentences):
    with pytest.raises(ModelNotFoundError, match='Tried'):
        distill('no-such-teacher-xyz', 'all-MiniLM-L6-v2', sentences, dim=16, out=tmp_path/'a', progress=False)
    gpt = tmp_path/'gpt'; gpt.mkdir(); (gpt/'config.json').write_text(json.dumps(dict(model_type='gpt2', architectures=['GPT2LMHeadModel'])))
    with pytest.raises(ValueError, match='not a sentence encoder'):
        distill('all-MiniLM-L6-v2', gpt, sentences, dim=16, out=tmp_path/'b', progress=False)
    assert not (tmp_path/'a').exists() and not (tmp_path/'b').exists()

def test_bad_sentence_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.txt'): read_sentences(tmp_path/'missing.txt')
    (tmp_path/'blank.txt').write_text('\n\n   \n')
    with pytest.raises(ValueError, match='no sentences'): read_sentences(tmp_path/'blank.txt')
    (tmp_path/'bad.txt').write_bytes(b'fine\nalso fine\n\xff\xfe broken\n')
    with pytest.raises(ValueError, match=r'bad.txt:3: not UTF-8'): read_sentences(tmp_path/'bad.txt')

DDP_SCRIPT = '''
import json, os, sys
from hpd_nb.data import sentence_pool
from hpd_nb.hpd import distill
out, bs = sys.argv[1], int(sys.argv[2])
sents = sentence_pool(sources=('nlp-corpus',), max_sentences=220, seed=2)
r = distill('all-MiniLM-L6-v2', 'all-MiniLM-L6-v2', sents, dim=16, out=out, progress=False, sts=False, track_sts=False,
            keep_layers=2, epochs=1, batch_size=bs, eval_steps=100, warmup_steps=0, max_seq_length=32, lr=1e-4, device='cpu',
            keep_checkpoints=True)
open(f"{out}.done-{os.environ.get('RANK', '-')}", 'w').write(json.dumps(r.metrics['curve']))  # a file per rank: stdout lines of two ranks can interleave
'''

def test_distill_two_processes(tmp_path):
    "torchrun --nproc_per_node 2 (gloo): one output folder, one run, written once; metrics close to one process at the same global batch."
    script = tmp_path/'ddp.py'; script.write_text(DDP_SCRIPT)
    env = dict(ENV, HPD_NB_CACHE=str(tmp_path/'cache'))
    two = subprocess.run([str(BIN/'torchrun'), '--nproc_per_node', '2', str(script), str(tmp_path/'two'), '8'],
                         capture_output=True, text=True, env=env, timeout=600)
    assert two.returncode == 0, two.stderr[-3000:]
    assert sorted(p.name.split('-')[-1] for p in tmp_path.glob('two.done-*')) == ['0', '1']
    one = subprocess.run([sys.executable, str(script), str(tmp_path/'one'), '16'], capture_output=True, text=True, env=env, timeout=600)
    assert one.returncode == 0, one.stderr[-3000:]
    m2, m1 = (json.loads((tmp_path/d/'metrics.json').read_text()) for d in ('two', 'one'))
    assert m2['processes'] == 2 and m1['processes'] == 1
    assert len(list((tmp_path/'two.checkpoints').glob('run-*'))) == 1 and not (tmp_path/'two'/'checkpoints').exists()
    assert not list(tmp_path.glob('two*/**/*.tmp'))
    assert m2['curve']['steps'] == m1['curve']['steps'] == 13
    assert m2['curve']['heldout_mse_end'] == pytest.approx(m1['curve']['heldout_mse_end'], rel=0.05)

def _cli(args, **kw):
    return subprocess.run([str(BIN/'hpd_nb'), 'distill'] + [str(a) for a in args], capture_output=True, text=True, env=ENV, timeout=900, **kw)

def test_cli_user_errors_are_one_line(tmp_path, sentences, capsys):
    "Out-of-range settings, missing files, unknown models and malformed corpora: exit status 2, one message, no traceback, nothing written."
    from hpd_nb.cli import main
    f = tmp_path/'s.txt'; f.write_text('\n'.join(sentences) + '\n')
    bad = tmp_path/'corpus.jsonl'; bad.write_text('{"_id": "1", "text": "fine"}\n{"_id": "2", "text": \n[3]\n')
    short = tmp_path/'short.txt'
    short.write_text('A first sentence.\nA second one.\n')
    cases = [(['--dim', '0'], '--dim must be at least 1; got 0'), (['--lr', '-1'], '--lr must be greater than 0'),
             (['--epochs', '0'], '--epochs must be greater than 0'), (['--unit', 'pages'], '--unit must be one of'),
             (['--teacher', 'no-such-model-xyz'], '--teacher no-such-model-xyz'), (['--loss', 'l1'], '--loss must be one of'),
             (['--dim', 'x'], "invalid int value: 'x'"), (['--sentences', tmp_path/'missing.txt'], 'missing.txt does not exist'),
             (['--sentences', bad], 'corpus.jsonl:2: bad corpus line'), (['--sentences', bad], '2 malformed line(s) in all, at lines [2, 3]'),
             (['--max-seq-length', '100000'], 'all-MiniLM-L6-v2 reads at most 512 tokens'), (['--keep-layers', '99'], 'has 6 layers'),
             (['--dim', '1000'], "the teacher's embeddings have 768 dimensions"), (['--freeze-layers', '6'], 'trains nothing'),
             (['--sentences', short], '2 sentences leave 2 for training; the PCA to d=128 needs at least 128'),
             (['--budget-minutes', '0'], '--budget-minutes must be greater than 0')]
    for extra, msg in cases:
        args = ['distill', '--sentences', str(f), '--out', str(tmp_path/'m'), '--no-progress'] + [str(a) for a in extra]
        with pytest.raises(SystemExit) as e: main(args)
        err = capsys.readouterr().err
        assert e.value.code == 2 and msg in err and err.count('error:') == 1, (extra, err[-2000:])
    assert not (tmp_path/'m').exists()

def test_cli_distill_on_a_corpus(tmp_path):
    "A BEIR-style corpus.jsonl.gz as training text; the model folder holds the model only, the checkpoints are gone after success."
    import gzip
    docs = sentence_pool(sources=('nlp-corpus',), max_sentences=600, seed=5)
    lines = [json.dumps({'_id': str(i), 'title': docs[2 * i], 'text': docs[2 * i + 1]}) for i in range(250)]
    lines.insert(7, json.dumps({'_id': 'empty', 'title': '', 'text': ''}))
    corpus = tmp_path/'corpus.jsonl.gz'; corpus.write_bytes(gzip.compress(('\n'.join(lines) + '\n').encode()))
    out = tmp_path/'M'
    r = _cli(['--teacher', 'all-MiniLM-L6-v2', '--sentences', corpus, '--dim', '32', '--out', out, '--epochs', '1', '--batch-size', '32',
              '--max-seq-length', '64', '--no-sts', '--no-progress'])
    assert r.returncode == 0, r.stderr[-3000:]
    assert '1 empty document(s) skipped, at lines [8]' in r.stderr and '1 blank lines or empty documents skipped' in r.stdout
    m = json.loads((out/'metrics.json').read_text())
    assert (m['n_train'] + m['n_heldout'], m['n_blank'], m['dim']) == (250, 1, 32)
    assert not (out/'checkpoints').exists() and not (tmp_path/'M.checkpoints').exists()
    from sentence_transformers import SentenceTransformer
    assert SentenceTransformer(str(out), device='cpu').encode(['A title and its text.']).shape == (1, 32)
    r = _cli(['--teacher', 'all-MiniLM-L6-v2', '--sentences', corpus, '--unit', 'sentences', '--dim', '32', '--out', tmp_path/'S',
              '--epochs', '1', '--batch-size', '32', '--max-seq-length', '64', '--no-sts', '--no-progress', '--keep-checkpoints',
              '--keep-layers', '2'])  # the teacher pruned to 2 of its 6 layers: a teacher-pruned student
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path/'S'/'metrics.json').read_text())
    assert m['n_train'] > 250 and list((tmp_path/'S.checkpoints').glob('run-*'))
    assert (m['kept_layers'], m['backbone_layers'], m['teacher_pruned'], m['student_layers']) == ([0, 5], 6, True, 2)
    assert "layers 0, 5 of the teacher's own 6 kept" in (tmp_path/'S'/'README.md').read_text()

def test_cli_distill_within_a_budget(tmp_path, sentences):
    "--budget-minutes times both models on the user's texts and trains on the seeded sample that fits; the line says how many."
    import re
    f = tmp_path/'s.txt'
    f.write_text('\n'.join(sentences) + '\n')
    r = _cli(['--teacher', 'all-MiniLM-L6-v2', '--keep-layers', '1', '--sentences', f, '--dim', '16', '--out', tmp_path/'B',
              '--epochs', '1', '--batch-size', '32', '--budget-minutes', '0.05', '--no-sts', '--no-progress'])
    assert r.returncode == 0, r.stderr[-3000:]
    m = re.search(r'budget 0.05 min: ([\d,]+) of 400 texts \(teacher \d+ texts/s in (fp32|bf16)', r.stdout)
    assert m, r.stdout[-2000:]
    metrics = json.loads((tmp_path/'B'/'metrics.json').read_text())
    assert metrics['n_train'] + metrics['n_heldout'] == int(m.group(1).replace(',', '')) <= 400

SHARD_SCRIPT = '''
import os, sys, numpy as np
from hpd_nb.data import sentence_pool
from hpd_nb.encoding import SentenceEncoder
from hpd_nb.hpd import teacher_targets
sents = sentence_pool(sources=('nlp-corpus',), max_sentences=301, seed=4)
pca, Y = teacher_targets(SentenceEncoder('all-MiniLM-L6-v2', device='cpu', max_seq_length=32), sents, dim=16, progress=False)
np.save(f"{sys.argv[1]}-{os.environ.get('RANK', 'single')}.npy", Y)
'''

def test_teacher_targets_sharded_across_processes(tmp_path):
    "torchrun --nproc_per_node 2 (gloo): each process encodes its share; one cache file, no shard left; targets equal to one process's."
    script = tmp_path/'shard.py'; script.write_text(SHARD_SCRIPT)
    two = subprocess.run([str(BIN/'torchrun'), '--nproc_per_node', '2', str(script), str(tmp_path/'two')], capture_output=True, text=True,
                         env=dict(ENV, HPD_NB_CACHE=str(tmp_path/'c2')), timeout=600)
    assert two.returncode == 0, two.stderr[-3000:]
    one = subprocess.run([sys.executable, str(script), str(tmp_path/'one')], capture_output=True, text=True,
                         env=dict(ENV, HPD_NB_CACHE=str(tmp_path/'c1')), timeout=600)
    assert one.returncode == 0, one.stderr[-3000:]
    y0, y1, ys = (np.load(tmp_path/f'{n}.npy') for n in ('two-0', 'two-1', 'one-single'))
    assert y0.shape == (301, 16) and np.abs(y0 - y1).max() == 0 and np.abs(y0 - ys).max() < 1e-5
    files = sorted(p.name for p in (tmp_path/'c2').rglob('*') if p.is_file())
    assert len(files) == 1 and files[0].endswith('.npy') and 'shard' not in files[0], files
