"""Every standard plot, as the gallery script draws it: human numbers, no exponent anywhere."""

import importlib.util
import io
import re
from pathlib import Path

import pytest
from matplotlib.text import Text

from results.plot_sets import PLOT_KINDS

ROOT = Path(__file__).resolve().parents[1]
EXPONENT = re.compile(r"\d[eE][+-]?\d")


def _gallery():
    spec = importlib.util.spec_from_file_location("gallery", ROOT / "docs" / "gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results():
    return _gallery().make_results(quick=True)


@pytest.fixture(scope="module")
def drawn(results):
    return _gallery().figures(results)


def _texts(ax) -> list[str]:
    figure = ax.figure
    figure.savefig(io.BytesIO(), format="png", dpi=60)  # lays out ticks and offsets
    return [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


def test_the_gallery_covers_every_plot_kind(drawn):
    shown = {caption.split("`")[1] for _, caption, _ in drawn}
    assert shown == set(PLOT_KINDS)


def test_no_tick_label_legend_entry_or_annotation_has_an_exponent(drawn):
    for stem, _, ax in drawn:
        texts = _texts(ax)
        assert texts, stem
        bad = [t for t in texts if EXPONENT.search(t)]
        assert not bad, (stem, bad)
        # Legends are checked by name too (the regex above covers their texts).
        for axes in ax.figure.axes:
            legend = axes.get_legend()
            if legend is not None:
                assert not any(EXPONENT.search(t.get_text()) for t in legend.get_texts())


def test_the_check_would_catch_matplotlibs_default_labels():
    # The same figure with matplotlib's own formatter shows an offset such as 1e8.
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    ax.plot([0.0, 1.0], [7.1e7, 7.2e7])
    assert any(EXPONENT.search(t) for t in _texts(ax))


def test_money_and_shares_read_as_money_and_shares(drawn):
    by_stem = {stem: ax for stem, _, ax in drawn}
    texts = _texts(by_stem["compare-comparison"])
    assert any(t.startswith("$") for t in texts)
    assert any("P(B cheaper) = " in t for t in texts)
    distribution = _texts(by_stem["run-distribution"])
    assert any(t.endswith("%") for t in distribution)
    assert any(t.startswith("P50\n$") for t in distribution)


def test_the_script_writes_the_gallery_and_its_index(results, tmp_path, monkeypatch):
    gallery = _gallery()
    monkeypatch.setattr(gallery, "make_results", lambda quick: results)
    written = gallery.write_gallery(tmp_path / "gallery", quick=True)
    index = tmp_path / "gallery.md"
    assert written[-1] == index and index.exists()
    text = index.read_text()
    for path in written[:-1]:
        assert path.stat().st_size > 1000
        assert f"(gallery/{path.name})" in text
