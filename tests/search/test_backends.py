"""The search semantics of ``pim.search.base``, checked on every backend.

Each test runs on the memory reference, Whoosh and PostgreSQL (fixture ``backend``);
``test_every_backend_agrees_with_the_reference`` also compares them on random documents.
"""

from __future__ import annotations

import random
import threading

import pytest

from pim.search.backends import open_backend
from pim.search.base import Document, Query, Range, Term, tokens
from pim.search.memory import MAX_TOKEN, MemoryBackend
from pim.search.postgres_backend import PostgresBackend
from pim.search.whoosh_backend import WhooshBackend

HOSTILE = [
    'it\'s "quoted"',
    "a & b | !c :* (d)",
    "'; DROP TABLE search_document; --",
    '{"family": ["x"]}',
    "back\\slash %s %(name)s $1 ?",
    "tab\tnew\nline",
    "ünïcödé ✓ 漢字",
]


def doc(number: int, text: str = "", kind: str = "product", **parts) -> Document:
    """A document whose tokens are those of ``text``."""
    return Document(kind=kind, id=number, tokens=tokens(text), stamp=f"s{number}", **parts)


def find(backend, text: str = "", **options):
    """Search with the words of ``text``; returns the Results."""
    return backend.search(Query(words=tokens(text), **options))


def keys(backend, text: str = "", **options) -> list[str]:
    return find(backend, text, **options).keys


# --- text ----------------------------------------------------------------------------------


def test_an_empty_index_finds_nothing(backend):
    results = find(backend, "shirt", facets=("family",))
    assert (results.keys, results.total, results.facets) == ([], 0, {"family": []})
    assert find(backend).total == 0
    assert backend.stamps("product") == {}


def test_an_empty_query_matches_everything(backend):
    backend.update([doc(2, "b"), doc(1, "a"), doc(3, kind="asset")])
    results = find(backend)
    assert results.keys == ["asset:3", "product:1", "product:2"]
    assert results.total == 3


def test_words_match_token_prefixes(backend):
    backend.update([doc(1, "crew neck"), doc(2, "screw"), doc(3, "cr")])
    assert keys(backend, "cre", sort="key") == ["product:1"]
    assert keys(backend, "cr", sort="key") == ["product:1", "product:3"]
    assert keys(backend, "crew", sort="key") == ["product:1"]
    assert keys(backend, "crews") == []
    assert keys(backend, "rew") == []


def test_every_word_must_match(backend):
    backend.update([doc(1, "red crew neck"), doc(2, "red polo"), doc(3, "blue crew")])
    assert keys(backend, "red crew") == ["product:1"]
    assert keys(backend, "re cr ne") == ["product:1"]
    assert keys(backend, "red", sort="key") == ["product:1", "product:2"]
    assert keys(backend, "red blue") == []


def test_accents_case_and_punctuation_do_not_count(backend):
    backend.update([doc(1, "Écru T-Shirt, Größe XL"), doc(2, "ecrue")])
    assert keys(backend, "ECRU", sort="key") == ["product:1", "product:2"]
    assert keys(backend, "t shirt") == ["product:1"]
    assert keys(backend, "tshirt") == []
    assert keys(backend, "grosse xl") == ["product:1"]
    assert keys(backend, "écrù t-sh") == ["product:1"]


def test_words_in_any_script_are_searchable(backend):
    backend.update([doc(1, "Футболка 東京 Ελληνικά"), doc(2, "futbolka")])
    assert keys(backend, "футб") == ["product:1"]
    assert keys(backend, "東京") == ["product:1"]
    assert keys(backend, "ΕΛΛΗΝ") == ["product:1"]


def test_short_and_common_words_are_kept(backend):
    backend.update([doc(1, "The a of 1 x"), doc(2, "another")])
    assert keys(backend, "the") == ["product:1"]
    assert keys(backend, "a", sort="key") == ["product:1", "product:2"]
    assert keys(backend, "of 1 x") == ["product:1"]


def test_digits_and_mixed_tokens_match_verbatim(backend):
    backend.update([doc(1, "SKU 10e5x 000123"), doc(2, "1e5 12")])
    assert keys(backend, "10e5") == ["product:1"]
    assert keys(backend, "10e5x") == ["product:1"]
    assert keys(backend, "0001") == ["product:1"]
    assert keys(backend, "1", sort="key") == ["product:1", "product:2"]
    assert keys(backend, "1e") == ["product:2"]


def test_raw_words_are_normalised_again(backend):
    backend.update([doc(1, "crew neck")])
    assert backend.search(Query(words=["CREW-Neck"])).keys == ["product:1"]
    assert backend.search(Query(words=["", "  "])).keys == ["product:1"]


# --- terms ---------------------------------------------------------------------------------


@pytest.fixture
def clothes(backend):
    backend.update(
        [
            doc(1, fields={"family": ["shirts"], "attr.color": ["red", "blue"]}),
            doc(2, fields={"family": ["shirts"], "attr.color": ["green"]}),
            doc(3, fields={"family": ["pants"], "attr.color": ["red"]}),
            doc(4, fields={"family": ["pants"]}),
            doc(5, fields={"family": ["Shirts"], "attr.color": ["Red"]}),
        ]
    )
    return backend


def test_terms_on_one_field_are_ored(clothes):
    terms = [Term("attr.color", "red"), Term("attr.color", "green")]
    assert keys(clothes, terms=terms) == ["product:1", "product:2", "product:3"]


def test_terms_on_different_fields_are_anded(clothes):
    terms = [Term("family", "shirts"), Term("attr.color", "red")]
    assert keys(clothes, terms=terms) == ["product:1"]


def test_terms_match_whole_values_case_sensitively(clothes):
    assert keys(clothes, terms=[Term("family", "Shirts")]) == ["product:5"]
    assert keys(clothes, terms=[Term("family", "shirt")]) == []
    assert keys(clothes, terms=[Term("family", "SHIRTS")]) == []
    assert keys(clothes, terms=[Term("nothing", "shirts")]) == []


def test_negated_terms_exclude(clothes):
    assert keys(clothes, terms=[Term("attr.color", "red", negate=True)]) == [
        "product:2",
        "product:4",
        "product:5",
    ]
    both = [Term("family", "pants"), Term("attr.color", "red", negate=True)]
    assert keys(clothes, terms=both) == ["product:4"]
    same_field = [Term("attr.color", "red"), Term("attr.color", "blue", negate=True)]
    assert keys(clothes, terms=same_field) == ["product:3"]
    two = [Term("attr.color", "red", negate=True), Term("attr.color", "green", negate=True)]
    assert keys(clothes, terms=two) == ["product:4", "product:5"]
    assert keys(clothes, terms=[Term("nothing", "x", negate=True)]) == [
        f"product:{n}" for n in range(1, 6)
    ]


def test_text_terms_and_kinds_combine(backend):
    backend.update(
        [
            doc(1, "red shirt", fields={"family": ["shirts"]}),
            doc(2, "red shirt", kind="model", fields={"family": ["shirts"]}),
            doc(3, "red shirt", fields={"family": ["pants"]}),
            doc(4, "blue shirt", fields={"family": ["shirts"]}),
        ]
    )
    terms = [Term("family", "shirts")]
    assert keys(backend, "red", terms=terms) == ["model:2", "product:1"]
    assert keys(backend, "red", terms=terms, kinds=("product",)) == ["product:1"]
    assert keys(backend, kinds=("model", "asset")) == ["model:2"]
    assert keys(backend, kinds=("nothing",)) == []


# --- ranges --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("<", [1]),
        ("<=", [1, 2, 3]),
        (">", [4]),
        (">=", [2, 3, 4]),
        ("=", [2, 3]),
    ],
)
def test_ranges_compare_numbers(backend, op, expected):
    backend.update(
        [
            doc(1, numbers={"completeness.ecommerce.fr_FR": 0.25}),
            doc(2, numbers={"completeness.ecommerce.fr_FR": 0.5}),
            doc(3, numbers={"completeness.ecommerce.fr_FR": 0.5, "other": 9}),
            doc(4, numbers={"completeness.ecommerce.fr_FR": 1}),
            doc(5, numbers={"other": 0.5}),
            doc(6),
        ]
    )
    ranges = [Range("completeness.ecommerce.fr_FR", op, 0.5)]
    assert keys(backend, ranges=ranges) == [f"product:{n}" for n in expected]


def test_ranges_are_anded_and_need_the_number(backend):
    backend.update(
        [
            doc(1, numbers={"updated": 100, "price": -5.5}),
            doc(2, numbers={"updated": 200, "price": 10}),
            doc(3, numbers={"updated": 300}),
            doc(4, numbers={"updated": 1.7e9, "price": 1e-9}),
        ]
    )
    both = [Range("updated", ">=", 150), Range("price", ">", 0)]
    assert keys(backend, ranges=both) == ["product:2", "product:4"]
    assert keys(backend, ranges=[Range("price", "<", 0)]) == ["product:1"]
    assert keys(backend, ranges=[Range("updated", "=", 1.7e9)]) == ["product:4"]
    assert keys(backend, ranges=[Range("missing", ">=", -1e300)]) == []
    assert keys(backend, ranges=[Range("price", ">", 0)], sort="price") == [
        "product:4",
        "product:2",
    ]


def test_an_unknown_operator_is_refused(backend):
    backend.update([doc(1, numbers={"n": 1})])
    with pytest.raises(ValueError, match="'!='"):
        find(backend, ranges=[Range("n", "!=", 1)])


# --- sort ----------------------------------------------------------------------------------


def test_relevance_puts_whole_words_first_ties_by_key(backend):
    backend.update(
        [
            doc(1, "crewneck shirt"),
            doc(2, "crew shirt"),
            doc(3, "crew"),
            doc(4, "crews shirts"),
            doc(10, "crew shirt"),
        ]
    )
    assert keys(backend, "crew shirt") == ["product:10", "product:2", "product:1", "product:4"]
    assert keys(backend, "crew") == [f"product:{n}" for n in (10, 2, 3, 1, 4)]
    # best first whatever the direction
    assert keys(backend, "crew", descending=True) == keys(backend, "crew")
    assert keys(backend) == ["product:1", "product:10", "product:2", "product:3", "product:4"]


def test_relevance_counts_every_whole_word(backend):
    backend.update(
        [
            doc(3, "reddish cottonwood tees"),
            doc(5, "redo cotton tee"),
            doc(1, "red cotton tee"),
            doc(2, "red cotton teeshirt"),
            doc(6, "tee red cotton"),
            doc(4, "red cottons tee"),
            doc(7, "red cotton"),
        ]
    )
    expected = [f"product:{n}" for n in (1, 6, 2, 4, 5, 3)]
    assert keys(backend, "red cotton tee") == expected
    assert keys(backend, "tee cotton red cott") == expected


def test_sort_by_key(backend):
    backend.update([doc(n) for n in (3, 10, 1, 2)] + [doc(1, kind="asset")])
    ascending = ["asset:1", "product:1", "product:10", "product:2", "product:3"]
    assert keys(backend, sort="key") == ascending
    assert keys(backend, sort="key", descending=True) == ascending[::-1]


def test_sort_by_number_missing_last_ties_by_key(backend):
    backend.update(
        [
            doc(1, numbers={"updated": 5}),
            doc(2),
            doc(3, numbers={"updated": -1}),
            doc(4, numbers={"updated": 5}),
            doc(5, numbers={"updated": 7.5}),
            doc(6, numbers={"other": 1}),
            doc(7, numbers={"updated": 5}),
        ]
    )
    ascending = keys(backend, sort="updated")
    assert ascending == [f"product:{n}" for n in (3, 1, 4, 7, 5, 2, 6)]
    descending = keys(backend, sort="updated", descending=True)
    assert descending == [f"product:{n}" for n in (5, 1, 4, 7, 3, 2, 6)]


def test_sort_by_string_ignores_case_missing_last(backend):
    backend.update(
        [
            doc(1, sortable={"name": "banana"}),
            doc(2, sortable={"name": "Apple"}),
            doc(3),
            doc(4, sortable={"name": "apple"}),
            doc(5, sortable={"name": "Écru"}),
            doc(6, sortable={"name": "cherry"}),
            doc(7, sortable={"name": ""}),
        ]
    )
    assert keys(backend, sort="name") == [f"product:{n}" for n in (7, 2, 4, 1, 6, 5, 3)]
    assert keys(backend, sort="name", descending=True) == [
        f"product:{n}" for n in (5, 6, 1, 2, 4, 7, 3)
    ]


def test_sort_by_number_then_string_then_key(backend):
    backend.update(
        [
            doc(1, sortable={"code": "b"}),
            doc(2, numbers={"code": 2}),
            doc(3),
            doc(4, sortable={"code": "a"}, numbers={"code": 3}),
            doc(5, sortable={"code": "a"}),
        ]
    )
    assert keys(backend, sort="code") == [f"product:{n}" for n in (2, 4, 5, 1, 3)]
    assert keys(backend, sort="code", descending=True) == [f"product:{n}" for n in (4, 2, 1, 5, 3)]


def test_sort_by_an_unknown_field_is_by_key(backend):
    backend.update([doc(2), doc(1), doc(3)])
    expected = ["product:1", "product:2", "product:3"]
    assert keys(backend, sort="nothing") == expected
    assert keys(backend, sort="nothing", descending=True) == expected


# --- paging and facets ---------------------------------------------------------------------


def test_pages_are_stable_and_total_counts_every_match(backend):
    backend.update(
        [doc(n, "item", numbers={"rank": n % 3}, fields={"g": [str(n % 2)]}) for n in range(23)]
    )
    for sort in ("relevance", "key", "rank"):
        full = keys(backend, "item", sort=sort, limit=100)
        assert len(full) == 23
        pages = []
        for offset in range(0, 23, 5):
            results = find(backend, "it", sort=sort, offset=offset, limit=5)
            assert results.total == 23
            pages.extend(results.keys)
        assert pages == full
    assert find(backend, offset=30, limit=5).keys == []
    assert find(backend, offset=30, limit=5).total == 23
    assert find(backend, limit=0).keys == []
    assert find(backend, terms=[Term("g", "1")], limit=2).total == 11


def test_facets_count_every_match_not_just_the_page(clothes):
    results = find(clothes, facets=("attr.color", "family", "nothing"), limit=1)
    assert results.keys == ["product:1"]
    assert results.total == 5
    assert results.facets == {
        "attr.color": [("red", 2), ("Red", 1), ("blue", 1), ("green", 1)],
        "family": [("pants", 2), ("shirts", 2), ("Shirts", 1)],
        "nothing": [],
    }
    shirts = find(clothes, terms=[Term("family", "shirts")], facets=("attr.color",), limit=0)
    assert shirts.facets == {"attr.color": [("blue", 1), ("green", 1), ("red", 1)]}


def test_a_value_listed_twice_counts_once(backend):
    backend.update([doc(1, fields={"c": ["x", "x", "y"]}), doc(2, fields={"c": ["y"]})])
    assert find(backend, facets=("c",)).facets == {"c": [("y", 2), ("x", 1)]}


# --- writes --------------------------------------------------------------------------------


def test_update_replaces_the_whole_document(backend):
    old = doc(1, "old words", fields={"f": ["a"]}, numbers={"n": 1}, sortable={"s": "z"})
    backend.update([old, doc(2, "other")])
    backend.update([doc(1, "new", fields={"f": ["b"]})])
    assert keys(backend, "old") == []
    assert keys(backend, "new") == ["product:1"]
    assert keys(backend, terms=[Term("f", "a")]) == []
    assert keys(backend, ranges=[Range("n", ">", 0)]) == []
    assert keys(backend, sort="s") == ["product:1", "product:2"]
    assert find(backend, facets=("f",)).facets == {"f": [("b", 1)]}
    assert find(backend).total == 2


def test_the_last_copy_of_a_key_in_a_batch_wins(backend):
    backend.update([doc(1, "first"), doc(1, "second")])
    assert keys(backend, "second") == ["product:1"]
    assert find(backend).total == 1


def test_delete_removes_keys_and_ignores_unknown_ones(backend):
    backend.update([doc(1, "a"), doc(2, "a", fields={"f": ["x"]}), doc(3, "a")])
    backend.delete(["product:2", "product:99", "asset:1"])
    backend.delete([])
    assert keys(backend, "a") == ["product:1", "product:3"]
    assert find(backend, facets=("f",)).facets == {"f": []}
    assert set(backend.stamps("product")) == {"product:1", "product:3"}


def test_stamps_are_listed_per_kind(backend):
    backend.update([doc(1), doc(2, kind="model"), doc(3), doc(4, kind="asset")])
    backend.update([Document(kind="product", id=3, stamp="changed")])
    assert backend.stamps("product") == {"product:1": "s1", "product:3": "changed"}
    assert backend.stamps("model") == {"model:2": "s2"}
    assert backend.stamps("nothing") == {}


def test_clear_removes_everything(backend):
    backend.update([doc(1, "a", fields={"f": ["x"]}), doc(2, "b", kind="asset")])
    backend.clear()
    assert find(backend, facets=("f",)).facets == {"f": []}
    assert find(backend).total == 0
    assert backend.stamps("product") == {}
    backend.update([doc(3, "a")])
    assert keys(backend, "a") == ["product:3"]


def test_writes_are_visible_to_other_instances(open_store):
    writer, reader = open_store(), open_store()
    assert find(reader).total == 0
    parts = {"fields": {"f": ["x"]}, "numbers": {"n": 2}, "sortable": {"s": "b"}}
    writer.update([doc(1, "shirt", **parts), doc(2, "shirt", numbers={"n": 1})])
    assert keys(reader, "shirt") == ["product:1", "product:2"]
    assert keys(reader, ranges=[Range("n", ">", 1)], terms=[Term("f", "x")]) == ["product:1"]
    assert keys(reader, sort="n") == ["product:2", "product:1"]
    writer.delete(["product:1"])
    assert find(reader).total == 1
    writer.close()
    assert keys(open_store(), sort="s") == ["product:2"]


def test_concurrent_openers_and_writers_all_land(open_store):
    """Processes starting together on a new store, then writing at once (lock retries)."""
    opened = []

    def write(number: int) -> None:
        backend = open_store()
        opened.append(backend)
        for batch in range(5):
            backend.update([doc(number * 100 + batch * 10 + n, "x") for n in range(10)])

    threads = [threading.Thread(target=write, args=(number,)) for number in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 3
    assert find(opened[0], "x").total == 150


# --- awkward names and values -------------------------------------------------------------


def test_any_field_name_works(backend):
    names = ["completeness.ecommerce.fr_FR", "attr/size", "a b", "ünï", "x'y\"z", "", "t_"]
    backend.update(
        [
            doc(
                n,
                fields={name: [f"v{n}"] for name in names},
                numbers=dict.fromkeys(names, n),
                sortable=dict.fromkeys(names, f"s{9 - n}"),
            )
            for n in (1, 2)
        ]
    )
    for name in names:
        assert keys(backend, terms=[Term(name, "v2")]) == ["product:2"]
        assert keys(backend, ranges=[Range(name, ">", 1)]) == ["product:2"]
        assert keys(backend, sort=name, descending=True) == ["product:2", "product:1"]
        assert find(backend, facets=(name,)).facets == {name: [("v1", 1), ("v2", 1)]}


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_only_text(backend, hostile):
    backend.update(
        [
            doc(1, hostile, fields={hostile: [hostile]}, sortable={hostile: hostile}),
            doc(2, "plain", fields={"f": [hostile, "x"]}),
        ]
    )
    words = tokens(hostile)
    assert keys(backend, hostile) == ["product:1"] if words else ["product:1", "product:2"]
    assert backend.search(Query(words=[hostile])).keys == keys(backend, hostile)
    assert keys(backend, terms=[Term(hostile, hostile)]) == ["product:1"]
    assert keys(backend, terms=[Term("f", hostile)]) == ["product:2"]
    assert keys(backend, terms=[Term("f", hostile, negate=True)]) == ["product:1"]
    assert keys(backend, sort=hostile, descending=True) == ["product:1", "product:2"]
    assert find(backend, facets=("f", hostile)).facets == {
        "f": sorted([(hostile, 1), ("x", 1)]),
        hostile: [(hostile, 1)],
    }
    assert find(backend).total == 2


def test_very_long_strings(backend):
    long_word = "a" * 5000 + "b"
    long_value = "v" * 20000
    backend.update([doc(1, f"{long_word} short", fields={"f": [long_value]}), doc(2, "aaa")])
    assert keys(backend, "aa") == ["product:1", "product:2"]
    assert keys(backend, "a" * 50) == ["product:1"]
    assert keys(backend, "a" * MAX_TOKEN) == ["product:1"]
    assert keys(backend, "short " + "a" * 4000) == ["product:1"]
    assert keys(backend, terms=[Term("f", long_value)]) == ["product:1"]
    assert keys(backend, terms=[Term("f", long_value[:-1])]) == []
    assert keys(backend, " ".join(["aa"] * 500)) == ["product:1", "product:2"]


# --- every backend agrees with the reference ---------------------------------------------


def _random_document(rng: random.Random, number: int) -> Document:
    words = ["red", "re", "redo", "blue", "bl", "crew", "neck", "a", "b", "ab", "zz9"]
    return Document(
        kind=rng.choice(["product", "product", "model"]),
        id=number,
        tokens=rng.sample(words, rng.randint(0, 4)),
        fields={
            name: rng.sample(["x", "y", "z", "X"], rng.randint(0, 2))
            for name in ("f", "g.h")
            if rng.random() < 0.8
        },
        numbers={name: rng.choice([0, 0.5, 1, 2]) for name in ("n", "m") if rng.random() < 0.7},
        sortable={"s": rng.choice(["ab", "Ab", "b", "É", ""])} if rng.random() < 0.7 else {},
        stamp=str(number),
    )


def _random_query(rng: random.Random) -> Query:
    terms = [
        Term(rng.choice(["f", "g.h"]), rng.choice(["x", "y", "X"]), rng.random() < 0.3)
        for _ in range(rng.randint(0, 3))
    ]
    ranges = [
        Range(rng.choice(["n", "m"]), rng.choice(["<", "<=", ">", ">=", "="]), rng.choice([0.5, 1]))
        for _ in range(rng.randint(0, 2))
    ]
    return Query(
        words=rng.sample(["re", "red", "bl", "a", "crew", "z", "neck"], rng.randint(0, 3)),
        terms=terms,
        ranges=ranges,
        kinds=tuple(rng.sample(["product", "model"], rng.randint(0, 1))),
        sort=rng.choice(["relevance", "key", "n", "s", "m"]),
        descending=rng.random() < 0.5,
        facets=("f", "g.h"),
        offset=rng.choice([0, 0, 3, 10]),
        limit=rng.choice([5, 20, 100]),
    )


def test_every_backend_agrees_with_the_reference(backend):
    """Rounds of random writes (new segments, merges, deletions), each followed by queries."""
    rng = random.Random(20240611)
    reference = MemoryBackend()
    for round_number in range(30):
        numbers = rng.sample(range(300), rng.choice([1, 5, 60]))
        documents = [_random_document(rng, number) for number in numbers]
        removed = [
            f"{kind}:{n}" for kind in ("product", "model") for n in rng.sample(range(300), 4)
        ]
        for store in (reference, backend):
            store.update(documents)
            store.delete(removed)
        for _ in range(12):
            query = _random_query(rng)
            assert backend.search(query) == reference.search(query), (round_number, query)
    assert backend.stamps("model") == reference.stamps("model")
    assert backend.stamps("product") == reference.stamps("product")


# --- URLs ----------------------------------------------------------------------------------


def test_open_backend_understands_the_documented_urls(
    tmp_path, search_postgres_url, postgres_table
):
    assert isinstance(open_backend("memory://"), MemoryBackend)
    whoosh = open_backend(f"whoosh://{tmp_path / 'index'}")
    assert isinstance(whoosh, WhooshBackend)
    whoosh.close()
    assert (tmp_path / "index").is_dir()
    table = postgres_table()
    postgres = open_backend(f"{search_postgres_url}?connect_timeout=5&table={table}")
    assert isinstance(postgres, PostgresBackend)
    assert postgres.table == table
    postgres.update([doc(1, "x")])
    assert keys(postgres, "x") == ["product:1"]
    postgres.close()


@pytest.mark.parametrize(
    "url",
    [
        "",
        "memory://x",
        "whoosh://relative/path",
        "whoosh:relative",
        "sqlite:///search.db",
        "elasticsearch://localhost:9200",
        "postgresql:///",
    ],
)
def test_open_backend_names_an_unsupported_url(url):
    with pytest.raises(ValueError, match="search URL"):
        open_backend(url)


def test_a_bad_table_name_is_refused(search_postgres_url):
    with pytest.raises(ValueError, match="table name"):
        open_backend(f"{search_postgres_url}?table=x;drop")
