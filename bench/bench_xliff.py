"""XLIFF benchmark: write and read 120,000 translation units, against bare lxml.

10,000 products × 3 attributes (a plain name, a plain short description with ``&`` and
``<``, a rich description of 300–600 characters with ``<p>``, ``<strong>``, ``<a href>``,
``<br>``, ``<ul><li>``) × 4 target locales = 4 files of 30,000 units; every other unit
has an existing target. Units are generated lazily, untimed.

* **ours**: :func:`pim.translations.xliff.write_xliff` into a file (HTML parsed into
  inline codes, ids encoded, states mapped), then :func:`read_xliff` of that file
  (hardened parse, inline codes checked, HTML rebuilt).
* **bare lxml**: the same XLIFF 1.2 tree written with ``etree.xmlfile`` from a structure
  the generator already built (no HTML parsing, no checks); and our file read with the
  same hardened ``iterparse``, only the id and the texts of sources and targets taken
  from each unit.

Best of ``--runs`` on CPU time (the machine may be shared); wall time is shown too. The
ratio is ours / bare (the bare path always writes XLIFF 1.2). Then one file written under
:mod:`tracemalloc` with 10× fewer and with all the products: the peak of Python
allocations must not grow with the number of units. Peak RSS of the process at the end.

    .venv/bin/python bench/bench_xliff.py [--products 10000] [--runs 2] [--version 1.2]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from benchlib import machine
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pim.translations.inline import CTYPE_PREFIX, escape_attribute, escape_text  # noqa: E402
from pim.translations.units import TranslationFile, TranslationUnit, UnitKey, unit_id  # noqa: E402
from pim.translations.xliff import PARSER_OPTIONS, read_xliff, write_xliff  # noqa: E402

NS = "urn:oasis:names:tc:xliff:document:1.2"
X = f"{{{NS}}}"
HTML_NS = "urn:vitrine:xliff:html"
LOCALES = ("fr_FR", "de_DE", "it_IT", "es_ES")
WORDS = (
    "Soft organic cotton jersey with a relaxed fit & ribbed crew neck.",
    "Garment-dyed for a lived-in look, washed for softness (100% cotton, 180 g/m²).",
    "Made in Portugal in a family-run workshop we have worked with since 2014.",
    "Machine wash at 30 °C, inside out; do not tumble dry; size <M> fits 1.85 m.",
)


def _tree(number: int) -> list:
    """A rich description as a tree: str | ("g", id, tag, attrs, children) | ("x", id, tag)."""
    words = [WORDS[(number + i) % len(WORDS)] for i in range(2 + number % 4)]
    link = ("g", "3", "a", (("href", f"https://shop.example/care/{number}?a=1&b=2"),), ["care"])
    items = [("g", "6", "li", (), ["Organic"]), ("g", "7", "li", (), [f"Style {number}"])]
    paragraph = ["Our ", ("g", "2", "strong", (), ["best-seller"]), " ", *words, " See ", link,
                 ".", ("x", "4", "br")]  # fmt: skip
    return [("g", "1", "p", (), paragraph), ("g", "5", "ul", (), items)]


def _html(nodes: list) -> str:
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(escape_text(node))
        elif node[0] == "x":
            parts.append(f"<{node[2]}>")
        else:
            attrs = "".join(f' {k}="{escape_attribute(v)}"' for k, v in node[3])
            parts.append(f"<{node[2]}{attrs}>{_html(node[4])}</{node[2]}>")
    return "".join(parts)


def generate(products: int, locale: str) -> Iterator[tuple[TranslationUnit, list, list | None]]:
    """Units with, for the bare path, their source and target trees."""
    for number in range(products):
        key = f"ST{number:06d}-NAVY-M"
        translated = number % 2 == 0
        name = f"Crew T-shirt {number} – navy, size M"
        short = f"Tee & co. <{number}> organic"
        tree = _tree(number)
        common = {"item_kind": "product", "item_key": key, "scope": None,
                  "source_locale": "en_US", "target_locale": locale}  # fmt: skip
        yield (
            TranslationUnit(attribute="name", source=name, target=name.upper() if translated
                            else None, max_length=120, notes=[f"Product: {name}"],
                            state="translated" if translated else "new", **common),
            [name], [name.upper()] if translated else None,
        )  # fmt: skip
        yield (
            TranslationUnit(attribute="short_description", source=short, target=None,
                            notes=["Attribute: Short description"], **common),
            [short], None,
        )  # fmt: skip
        yield (
            TranslationUnit(attribute="description", source=_html(tree), rich=True,
                            target=_html(tree) if translated else None,
                            state="translated" if translated else "new", **common),
            tree, tree if translated else None,
        )  # fmt: skip


class Clock:
    """Wall and CPU seconds of the timed parts only."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


def ours_write(path: Path, products: int, locale: str, version: str, clock: Clock) -> int:
    units = (unit for unit, _, _ in generate(products, locale))
    file = TranslationFile("en_US", locale, _timed_out(units, clock))
    with open(path, "wb") as out, clock:
        return write_xliff(file, out, version)


def _timed_out(items, clock: Clock):
    """Yield ``items`` with their generation left out of ``clock``."""
    iterator = iter(items)
    while True:
        clock.__exit__()
        item = next(iterator, None)
        clock.__enter__()
        if item is None:
            return
        yield item


def _bare_inline(xf, nodes: list, source: bool) -> None:
    for node in nodes:
        if isinstance(node, str):
            xf.write(node)
        elif node[0] == "x":
            with xf.element(X + "x", id=node[1], ctype=CTYPE_PREFIX + node[2]):
                pass
        else:
            attrs = {"id": node[1], "ctype": CTYPE_PREFIX + node[2]}
            if source:
                attrs.update({f"{{{HTML_NS}}}{k}": v for k, v in node[3]})
            with xf.element(X + "g", attrs):
                _bare_inline(xf, node[4], source)


def bare_write(path: Path, products: int, locale: str, clock: Clock) -> int:
    count = 0
    items = _timed_out(generate(products, locale), clock)
    languages = {"source-language": "en-US", "target-language": locale.replace("_", "-")}
    with open(path, "wb") as out, clock, etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with (
            xf.element(X + "xliff", version="1.2", nsmap={None: NS, "h": HTML_NS}),
            xf.element(X + "file", original="vitrine", datatype="html", **languages),
            xf.element(X + "body"),
        ):
            for unit, source, target in items:
                _bare_unit(xf, unit, source, target)
                count += 1
    return count


def _bare_unit(xf, unit: TranslationUnit, source: list, target: list | None) -> None:
    uid = unit_id(UnitKey(unit.item_kind, unit.item_key, unit.attribute, unit.scope))
    with xf.element(X + "trans-unit", id=uid, resname=uid):
        with xf.element(X + "source"):
            _bare_inline(xf, source, True)
        if target is not None:
            with xf.element(X + "target", state=unit.state):
                _bare_inline(xf, target, False)
        for note in unit.notes:
            with xf.element(X + "note"):
                xf.write(note)


def bare_read(path: Path, version: str) -> int:
    """Ids and texts of every unit with the same hardened ``iterparse``, nothing else."""
    ns = X if version == "1.2" else "{urn:oasis:names:tc:xliff:document:2.0}"
    unit_tag = ns + ("trans-unit" if version == "1.2" else "unit")
    count = 0
    with open(path, "rb") as stream:
        for kind, element in etree.iterparse(stream, **PARSER_OPTIONS):
            if kind == "end" and element.tag == unit_tag:
                element.get("id")
                for part in element.iter(ns + "source", ns + "target"):
                    "".join(part.itertext())
                element.clear()
                count += 1
    return count


def ours_read(path: Path) -> int:
    with open(path, "rb") as stream:
        result = read_xliff(stream, name=path.name)
    assert not result.problems, result.problems[:3]
    return len(result.units)


def run(products: int, version: str, folder: Path) -> dict[str, Clock]:
    clocks = {name: Clock() for name in ("ours_write", "bare_write", "ours_read", "bare_read")}
    units = 0
    for locale in LOCALES:
        ours_path, bare_path = folder / f"ours-{locale}.xlf", folder / f"bare-{locale}.xlf"
        units += ours_write(ours_path, products, locale, version, clocks["ours_write"])
        bare_write(bare_path, products, locale, clocks["bare_write"])
        with clocks["ours_read"]:
            assert ours_read(ours_path) == products * 3
        with clocks["bare_read"]:
            assert bare_read(ours_path, version) == products * 3
    clocks["units"] = units
    return clocks


def write_peak(products: int, version: str, folder: Path) -> tuple[float, float]:
    """Peak Python allocations (MiB) writing one file of ``products`` and of 10× fewer."""
    peaks = []
    for count in (products // 10, products):
        tracemalloc.start()
        ours_write(folder / "peak.xlf", count, "fr_FR", version, Clock())
        peaks.append(tracemalloc.get_traced_memory()[1] / 1024 / 1024)
        tracemalloc.stop()
    return peaks[0], peaks[1]


def best(runs: list[dict], name: str) -> Clock:
    return min((r[name] for r in runs), key=lambda clock: clock.cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--version", choices=("1.2", "2.0"), default="1.2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-xliff-") as folder:
        runs = [run(args.products, args.version, Path(folder)) for _ in range(args.runs)]
        size = sum(p.stat().st_size for p in Path(folder).glob("ours-*.xlf"))
        small_peak, peak_alloc = write_peak(args.products, args.version, Path(folder))
    units = runs[0]["units"]
    print(machine())
    print(f"XLIFF {args.version}: {units:,} units in {len(LOCALES)} files "
          f"({size / 1024 / 1024:.1f} MiB), best of {args.runs} on CPU time")  # fmt: skip
    for step in ("write", "read"):
        ours, bare = best(runs, f"ours_{step}"), best(runs, f"bare_{step}")
        print(
            f"  {step:5}  ours {units / ours.cpu:9,.0f} units/s (cpu {ours.cpu:5.2f} s, wall "
            f"{ours.wall:5.2f} s)   bare lxml {units / bare.cpu:9,.0f} units/s (cpu "
            f"{bare.cpu:5.2f} s)   ratio {ours.cpu / bare.cpu:4.2f}×"
        )
    print(f"  write memory: peak Python allocations {small_peak:.2f} MiB for "
          f"{args.products // 10 * 3:,} units, {peak_alloc:.2f} MiB for "
          f"{args.products * 3:,} units (tracemalloc, units from a generator)")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS {peak:.0f} MiB (the reader keeps the units it returns)")


if __name__ == "__main__":
    main()
