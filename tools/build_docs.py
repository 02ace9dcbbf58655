"""Build the docs site into _site/: every nbs/*.ipynb not starting with `_`, rendered with its stored outputs (nothing
is executed) by mkdocs + mkdocs-material + mkdocs-jupyter. PNG outputs are embedded in the pages as data: URIs.

The mkdocs config, nav included, is generated here on every build from the notebooks on disk, so renamed or renumbered
notebooks need no edit: index.ipynb is the home page, then the notebooks by their numeric prefix; each page's title is
the first `# Title` line of the notebook's first markdown cell. As in nbdev's docs, cells marked `#| hide` (or
`#| include: false`) are left out and `#|` directive lines are not shown. Rendered pages are cached by content in
.cache/mkdocs-jupyter, so a rebuild re-renders only the notebooks that changed; _site/.fingerprint tells whether the
site is up to date with the notebooks (tests/test_docs.py uses a fresh _site as it is).

    python tools/build_docs.py             # -> _site/index.html
    python tools/build_docs.py --out DIR
"""
import argparse
import configparser
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupyter_server_mathjax
import yaml

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
SITE = ROOT / "_site"
CACHE = ROOT / ".cache" / "mkdocs-jupyter"
FINGERPRINT = ".fingerprint"  # written into the site last: which sources a finished build was made from
# MathJax 2 for the notebooks' $math$, served from the site (copied from the jupyter-server-mathjax package), as no
# page may need the internet; the URL is relative to the pages, which all sit at the top of the site. The package
# ships the STIX-Web fonts only: config/local/stix.js points MathJax at them (as Jupyter's own pages do).
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe,local/stix"
MATHJAX_FONTS = """MathJax.Hub.Config({"HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}});
MathJax.Ajax.loadComplete("[MathJax]/config/local/stix.js");
"""


def reading_order(path, nbs=NBS):
    "Sort key: nbs/index.ipynb first, then by the file name's numeric prefix (none: last), then by name."
    prefix = re.match(r"\d+", path.name)
    number = int(prefix.group()) if prefix else float("inf")
    return (path != nbs / "index.ipynb", number, path.name)


def notebooks(nbs=NBS):
    "The notebooks the site shows, in reading order: every nbs/*.ipynb whose name does not start with `_`."
    found = [path for path in nbs.glob("*.ipynb") if not path.name.startswith("_")]
    return sorted(found, key=lambda p: reading_order(p, nbs))


def page_path(path):
    "The page's path in the site, e.g. nbs/07_hpd.ipynb -> 07_hpd.html (use_directory_urls is off)."
    return Path(path).with_suffix(".html").name


def read(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def source(cell):
    text = cell.get("source", "")
    return text if isinstance(text, str) else "".join(text)


def title(path):
    "The first `# Title` line of the notebook's first markdown cell; the file name if there is none."
    markdown = [cell for cell in read(path)["cells"] if cell["cell_type"] == "markdown"]
    if markdown:
        for line in source(markdown[0]).splitlines():
            heading = re.match(r"#\s+(.+)", line.strip())
            if heading:
                return heading.group(1).strip()
    return path.stem


def directives(cell):
    "nbdev's `#| name: value` lines at the top of a code cell, as {name: value}."
    found = {}
    for line in source(cell).splitlines():
        match = re.match(r"#\|\s*([\w-]+)\s*:?\s*(.*)", line.strip())
        if not match:
            break
        found[match.group(1)] = match.group(2).strip()
    return found


def shown(cell):
    "False for the code cells nbdev's docs leave out: `#| hide` and `#| include: false`."
    if cell["cell_type"] != "code":
        return True
    flags = directives(cell)
    return "hide" not in flags and flags.get("include", "").lower() != "false"


def png_outputs(path):
    "How many image/png outputs the notebook stores in the cells its page shows (each is one <img> on the page)."
    cells = [cell for cell in read(path)["cells"] if shown(cell)]
    return sum("image/png" in output.get("data", {}) for cell in cells for output in cell.get("outputs", []))


def docs_notebook(path):
    "The notebook as its page shows it: hidden cells dropped, directive lines taken out of the code cells' source."
    nb = read(path)
    cells = []
    for cell in filter(shown, nb["cells"]):
        if cell["cell_type"] == "code":
            lines = source(cell).splitlines(keepends=True)
            cell["source"] = "".join(line for line in lines if not line.lstrip().startswith("#|")).strip("\n")
        # a cell of directives only (`#| default_exp core`) shows nothing
        if cell["cell_type"] != "code" or cell["source"] or cell.get("outputs"):
            cells.append(cell)
    nb["cells"] = cells
    return nb


def config(nbs, docs_dir, out):
    "The mkdocs config: Material theme with system fonts (no request leaves the site), nav from the notebooks."
    settings = configparser.ConfigParser()
    settings.read(ROOT / "settings.ini")
    nav = [{title(path): path.name} for path in notebooks(nbs)]
    jupyter = {"execute": False, "no_prompt": True, "custom_mathjax_url": MATHJAX_URL, "cache_dir": str(CACHE)}
    return {
        "site_name": settings["DEFAULT"]["title"],
        "site_description": settings["DEFAULT"]["description"],
        "docs_dir": str(docs_dir),
        "site_dir": str(out),
        "use_directory_urls": False,
        "theme": {"name": "material", "font": False, "features": ["navigation.top"]},
        "plugins": ["search", {"mkdocs-jupyter": jupyter}],
        "nav": nav,
    }


def fingerprint(nbs=NBS):
    "SHA-256 of what a build reads: the notebooks (names and contents), settings.ini and this script."
    digest = hashlib.sha256()
    for path in [*notebooks(nbs), ROOT / "settings.ini", Path(__file__)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_fresh(out=SITE, nbs=NBS):
    "Whether `out` holds a finished build of the notebooks as they are now (its .fingerprint matches)."
    stamp = Path(out) / FINGERPRINT
    return stamp.is_file() and stamp.read_text() == fingerprint(nbs)


def build(out=SITE, nbs=NBS):
    "Stage the notebooks as their pages show them, write the generated config, run `mkdocs build`; returns `out`."
    (Path(out) / FINGERPRINT).unlink(missing_ok=True)
    source_fingerprint = fingerprint(nbs)
    with tempfile.TemporaryDirectory(prefix="hpd_nb_docs_") as tmp:
        docs_dir = Path(tmp) / "docs"
        docs_dir.mkdir()
        for path in notebooks(nbs):
            text = json.dumps(docs_notebook(path), indent=1, ensure_ascii=False)
            (docs_dir / path.name).write_text(text, encoding="utf-8")
        config_file = Path(tmp) / "mkdocs.yml"
        config_file.write_text(yaml.safe_dump(config(nbs, docs_dir, out), allow_unicode=True, sort_keys=False))
        command = [sys.executable, "-m", "mkdocs", "build", "--clean", "--config-file", str(config_file)]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    # mkdocs-jupyter logs two lines per notebook: show the rest, and everything if the build failed
    log = done.stdout + done.stderr
    noise = ("Converting notebook", "Cache hit", "Cache miss", "Evicted stale cache")
    print("\n".join(line for line in log.splitlines() if done.returncode or not any(n in line for n in noise)), flush=True)
    if done.returncode:
        raise RuntimeError(f"mkdocs build failed (exit status {done.returncode})")
    mathjax = out / "mathjax"
    shutil.copytree(Path(jupyter_server_mathjax.__file__).parent / "static", mathjax, dirs_exist_ok=True)
    (mathjax / "config" / "local").mkdir(exist_ok=True)
    (mathjax / "config" / "local" / "stix.js").write_text(MATHJAX_FONTS)
    (Path(out) / FINGERPRINT).write_text(source_fingerprint)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SITE, help="site folder (default: _site/)")
    args = parser.parse_args()
    start = time.time()
    out = build(args.out.resolve())
    print(f"docs: {len(notebooks())} notebooks -> {out}/index.html in {time.time() - start:.1f}s")


if __name__ == "__main__":
    main()
