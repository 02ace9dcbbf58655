#!/usr/bin/env bash
# The whole test suite: every notebook through nbdev_test and pytest tests/, run side by side (each process on one
# thread: 2 notebook workers + 2 pytest workers keep both cores busy until the end, where one suite after the other
# leaves a core idle through each suite's longest test). Prints each suite's log, then one closing line
# "N passed, N failed" summing both. Exit status 0 only if everything passed.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export HPD_NB_DATA=${HPD_NB_DATA:-$(cd .. && pwd)/shared/data}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=1
log=$(mktemp -d)
# Everything the tests write to the temp dir (model folders, trainer runs, pytest's tmp_path) goes under one folder
# removed at exit: nbdev_test's worker processes end without running TemporaryDirectory finalizers.
scratch=$(mktemp -d -t hpd_nb_tests.XXXXXX)
trap 'rm -rf "$scratch" "$log"' EXIT
export TMPDIR="$scratch"
start=$(date +%s)

# nbdev_test: cells flagged in settings.ini tst_flags (notest slow cuda) are skipped
( "$BIN/nbdev_test" --n_workers 2 --timing > "$log/nbdev.txt" 2>&1; echo $? > "$log/nbdev.rc"
  echo "$(( $(date +%s) - start ))" > "$log/nbdev.s" ) &
# tests/test_docs.py (the docs site in a browser) runs in its own stage of .ci/run
( "$BIN/python" -m pytest tests/ --ignore=tests/test_docs.py -q -p no:cacheprovider -n 2 --durations=15 \
    --junitxml="$log/junit.xml" > "$log/pytest.txt" 2>&1
  echo $? > "$log/pytest.rc"; echo "$(( $(date +%s) - start ))" > "$log/pytest.s" ) &
wait

echo "== nbdev_test"; cat "$log/nbdev.txt"
nb_rc=$(cat "$log/nbdev.rc")
nb_total=$(find nbs -name '*.ipynb' -not -path '*/.*' -not -name '_*' | wc -l)
nb_failed=$(awk '/Tests Failed On The Following Notebooks/{f=1;next} f && /\.ipynb/{n++} END{print n+0}' "$log/nbdev.txt")
if [ "$nb_rc" -ne 0 ] && [ "$nb_failed" -eq 0 ]; then nb_failed=$nb_total; fi
nb_passed=$((nb_total - nb_failed))
echo "nbdev_test: $nb_passed notebooks passed, $nb_failed failed in $(cat "$log/nbdev.s")s"

echo "== pytest tests/"; cat "$log/pytest.txt"
py_rc=$(cat "$log/pytest.rc")
read -r py_passed py_failed < <("$BIN/python" - "$log/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try: root = ET.parse(sys.argv[1]).getroot()
except Exception: print(0, 1); sys.exit()
suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
t = sum(int(s.get('tests', 0)) for s in suites); f = sum(int(s.get('failures', 0)) + int(s.get('errors', 0)) for s in suites)
sk = sum(int(s.get('skipped', 0)) for s in suites)
print(t - f - sk, f)
PY
)
if [ "$py_rc" -ne 0 ] && [ "$py_rc" -ne 5 ] && [ "$py_failed" -eq 0 ]; then py_failed=1; fi
echo "pytest: $py_passed passed, $py_failed failed in $(cat "$log/pytest.s")s"

passed=$((nb_passed + py_passed)); failed=$((nb_failed + py_failed))
echo "both suites side by side: $(( $(date +%s) - start ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$nb_rc" -eq 0 ] && { [ "$py_rc" -eq 0 ] || [ "$py_rc" -eq 5 ]; }
