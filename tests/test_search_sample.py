"""Search on the bundled sample: the CLI, narrowing while typing, and index paths agreeing."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import run_cli
from paper_tui.corpus import Corpus
from paper_tui.model import Paper
from paper_tui.search import SearchEngine, SearchResult, build_index, search_corpus
from paper_tui.text import _fold_char, fold

# Computed by reading tests/fixtures/hf_papers_search_target_language.txt (title line,
# abstract line): the papers whose text contains "low-resource" and not "speech",
# ignoring case.
LOW_RESOURCE_NOT_SPEECH = sorted(
    [
        "Adapting Monolingual Models: Data can be Scarce when Language Similarity is High",
        "Adapting Pre-trained Language Models to African Languages via Multilingual Adaptive Fine-Tuning",
        "Agnostics: Learning to Code in Any Programming Language via Reinforcement with a Universal "
        "Learning Environment",
        "An Open Recipe: Adapting Language-Specific LLMs to a Reasoning Model in One Day via Model Merging",
        "Breaking the Script Barrier in Multilingual Pre-Trained Language Models with "
        "Transliteration-Based Post-Training Alignment",
        "Building Efficient and Effective OpenQA Systems for Low-Resource Languages",
        "Cross-Lingual Optimization for Language Transfer in Large Language Models",
        "Cross-Lingual Transfer from Related Languages: Treating Low-Resource Maltese as Multilingual "
        "Code-Switching",
        "Cross-lingual Transfer for Automatic Question Generation by Learning Interrogative Structures "
        "in Target Languages",
        "Democratizing LLMs for Low-Resource Languages by Leveraging their English Dominant Abilities "
        "with Linguistically-Diverse Prompts",
        "Efficiently Adapting Pretrained Language Models To New Languages",
        "GeMQuAD : Generating Multilingual Question Answering Datasets from Large Language Models using "
        "Few Shot Learning",
        "HYPEROFA: Expanding LLM Vocabulary to New Languages via Hypernetwork-Based Embedding Initialization",
        "Instructing Large Language Models for Low-Resource Languages: A Systematic Study for Basque",
        "LLMic: Romanian Foundation Language Model",
        "Language Model Prior for Low-Resource Neural Machine Translation",
        "Languages You Know Influence Those You Learn: Impact of Language Characteristics on "
        "Multi-Lingual Text-to-Text Transfer",
        "MIND Your Language: A Multilingual Dataset for Cross-lingual News Recommendation",
        "MUG-Eval: A Proxy Evaluation Framework for Multilingual Generation Capabilities in Any Language",
        "Prompt, Translate, Fine-Tune, Re-Initialize, or Instruction-Tune? Adapting LLMs for In-Context "
        "Learning in Low-Resource Languages",
        "Sabiá: Portuguese Large Language Models",
        "Scaling Test-time Compute for Low-resource Languages: Multilingual Reasoning in LLMs",
        "Small Languages, Big Models: A Study of Continual Training on Languages of Norway",
        "Sparse Subnetwork Enhancement for Underrepresented Languages in Large Language Models",
        "SynDARin: Synthesising Datasets for Automated Reasoning in Low-Resource Languages",
        "The Translation Barrier Hypothesis: Multilingual Generation with Large Language Models Suffers "
        "from Implicit Translation Failure",
        "Tik-to-Tok: Translating Language Models One Token at a Time: An Embedding Initialization "
        "Strategy for Efficient Language Adaptation",
        "Trans-Tokenization and Cross-lingual Vocabulary Transfers: Language Adaptation of LLMs for "
        "Low-Resource NLP",
        "Transfer to a Low-Resource Language via Close Relatives: The Case Study on Faroese",
        "Transferring BERT Capabilities from High-Resource to Low-Resource Languages Using Vocabulary "
        "Matching",
        "Transferring Monolingual Model to Low-Resource Language: The Case of Tigrinya",
        "Translation Errors Significantly Impact Low-Resource Languages in Cross-Lingual Learning",
        "UNKs Everywhere: Adapting Multilingual Language Models to New Scripts",
        "Unlocking the Potential of Model Merging for Low-Resource Languages",
        "WECHSEL: Effective initialization of subword embeddings for cross-lingual transfer of "
        "monolingual language models",
    ]
)

TYPED = (
    "low-resource",
    "'low-resource !speech",
    "multilingual translation",
    "Cross lingual transfer",
    "t:^transfer",
    "llm | transformer",
    '"target language" model',
)


def sample() -> Corpus:
    from paper_tui.cli import load_corpus

    corpus, _ = load_corpus([], None, io.StringIO())
    return corpus  # type: ignore[no-any-return]


def test_cli_low_resource_not_speech() -> None:
    status, out, _ = run_cli("list", "--query", "'low-resource !speech", "--format", "jsonl")
    assert status == 0
    papers = [json.loads(line) for line in out.splitlines()]
    assert sorted(p["title"] for p in papers) == LOW_RESOURCE_NOT_SPEECH
    for p in papers:
        text = (p["title"] + " " + p["abstract"]).lower()
        assert "low-resource" in text and "speech" not in text
    # Ranked: papers saying it in the title come before those saying it in the abstract.
    in_title = ["low-resource" in p["title"].lower() for p in papers]
    assert in_title == sorted(in_title, reverse=True)


def test_cli_and_engine_agree() -> None:
    corpus = sample()
    status, out, _ = run_cli("list", "--query", "multilingual translation")
    assert status == 0
    ids = [line.split()[0] for line in out.splitlines()]
    engine = SearchEngine(corpus, background=False)
    result = engine.search("multilingual translation")
    assert result is not None
    assert ids == [corpus[p].id for p in result.positions]


def fresh(corpus: Corpus, query: str) -> list[int]:
    return search_corpus(corpus, query)


def typed(engine: SearchEngine, query: str) -> list[tuple[str, SearchResult]]:
    results = []
    previous: SearchResult | None = None
    for end in range(1, len(query) + 1):
        result = engine.search(query[:end], previous=previous)
        assert result is not None
        results.append((query[:end], result))
        previous = result
    return results


@pytest.mark.parametrize("query", TYPED)
def test_narrowing_while_typing_equals_a_fresh_search(query: str) -> None:
    corpus = sample()
    engine = SearchEngine(corpus, background=False)
    for text, result in typed(engine, query):
        assert list(result.positions) == fresh(corpus, text), text
        assert result.total == len(result.positions)


def synthetic(count: int, seed: int = 3) -> Corpus:
    """Titles, authors and abstracts from the sample's words: enough papers for the
    bulk scans, the word index and the bounded ranking pool to come into play."""
    words = " ".join(p.title + " " + p.abstract for p in sample()).split()
    rng = random.Random(seed)
    papers = []
    for number in range(count):
        papers.append(
            Paper(
                id=f"arxiv:2401.{number:05d}",
                title=" ".join(rng.choice(words) for _ in range(rng.randint(3, 9))),
                authors=tuple(f"{rng.choice(words)} {rng.choice(words)}" for _ in range(2)),
                abstract=" ".join(rng.choice(words) for _ in range(rng.randint(0, 60))),
                date=f"{2015 + number % 10}-01-01",
            )
        )
    return Corpus(papers)


@pytest.mark.slow
def test_bulk_paths_agree_with_paper_by_paper_checks() -> None:
    corpus = synthetic(1200)
    plain = SearchEngine(corpus, background=False)
    indexed = SearchEngine(corpus, background=False)
    indexed.build_word_index()
    queries = (
        "lang",
        "tr",
        "'ing mod",
        "cross-lin",
        "!model tran",
        "^the",
        "year:2019..2021 data",
        "llm | mt",
    )
    for query in queries:
        for (text, a), (_, b) in zip(typed(plain, query), typed(indexed, query), strict=True):
            assert list(a.positions) == list(b.positions), text
            matcher = plain.matcher()
            expected = [
                p
                for p in range(len(corpus))
                if all(any(matcher.doc_matches(t, p) for t in group) for group in a.query.groups)
            ]
            assert sorted(a.positions) == expected, text
            first = plain.first_results(text, limit=20)
            assert list(first.positions) == expected[:20] or set(first.positions) <= set(expected)


def test_build_index_covers_the_corpus() -> None:
    corpus = sample()
    index = build_index(corpus)
    assert len(index.title) == len(corpus) == len(index.authors)
    assert index.words is not None and index.words.size == len(corpus)
    assert index.title.value(0) == fold(corpus.title(0))
    engine = SearchEngine(corpus, index=index)
    assert engine.matcher().words is index.words  # reused, no second build
    for query in ("'low-resource !speech", "multilingual translation", "abs:tok"):
        result = engine.search(query)
        assert result is not None and list(result.positions) == search_corpus(corpus, query)
    corpus.add(Paper(id="arxiv:2501.00001", title="Tokenizers for low-resource languages"))
    grown = engine.search("'tokenizers for low")
    assert grown is not None and list(grown.positions) == [len(corpus) - 1]


@given(st.text(max_size=40))
def test_fold_by_translate_equals_fold_by_character(text: str) -> None:
    for keep_case in (False, True):
        assert fold(text, keep_case) == "".join(_fold_char(c, keep_case) for c in text)


def test_cli_searches_the_library_like_the_app() -> None:
    from paper_tui.library import Library

    corpus = sample()
    library = Library.open()
    library.set_state([corpus[3]], "read")
    library.set_note(corpus[5], "Reread the ablation on tokenizers.")
    library.close()
    status, out, _ = run_cli("list", "--query", "is:read", "--format", "jsonl")
    assert status == 0 and [json.loads(line)["id"] for line in out.splitlines()] == [corpus[3].id]
    status, out, _ = run_cli("list", "--query", "ablation", "--format", "jsonl")
    assert corpus[5].id in [json.loads(line)["id"] for line in out.splitlines()]


def test_a_word_in_the_abstract_ranks_above_letters_scattered_in_titles() -> None:
    snapshot = Path(__file__).parent / "fixtures" / "arxiv_snapshot" / "arxiv_metadata_snapshot_200.jsonl"
    status, out, _ = run_cli("list", str(snapshot), "--query", "pebble")
    ids = [line.split()[0] for line in out.splitlines()]
    # 0704.0002 is about pebble games (in its abstract); the others only hold
    # p..e..b..b..l..e scattered through their titles.
    assert status == 0 and len(ids) > 5 and ids[0] == "arxiv:0704.0002"


def test_id_and_category_terms_keep_file_order() -> None:
    snapshot = Path(__file__).parent / "fixtures" / "arxiv_snapshot" / "arxiv_metadata_snapshot_200.jsonl"

    def listed(*query: str) -> list[str]:
        return [line.split()[0] for line in run_cli("list", str(snapshot), *query)[1].splitlines()]

    assert listed("--query", "id:0704.000") == [f"arxiv:0704.000{n}" for n in range(1, 10)]
    everything, in_cat = listed(), listed("--query", "cat:hep-ph")
    assert len(in_cat) > 3 and in_cat == [pid for pid in everything if pid in set(in_cat)]
