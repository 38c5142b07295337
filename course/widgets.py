"""Interactive views for the notebooks (ipywidgets).

A view draws its figure into a PNG in the kernel and shows it in an ``Image`` widget: no
``Output`` widget captures the kernel's display messages, since that capture could leave a
headless run (nbclient, nbconvert, grading) waiting forever for a message that never came.
Without a frontend to render widgets (a static page, a feedback report), the view shows its
current picture as a plain PNG.
"""

import base64
import io

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course.plots import (
    AGE_LABEL,
    DATA_STYLE,
    LINE_STYLE,
    TEST_STYLE,
    THICKNESS_LABEL,
    TRAIN_STYLE,
    YEARS_LABEL,
)


class PictureBox(widgets.VBox):
    """A VBox whose ``picture`` (an ``Image`` widget) doubles as its static view: where no
    widget can render, its PNG is shown instead."""

    def __init__(self, children, picture):
        super().__init__(children)
        self.picture = picture

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        return {**bundle, "image/png": base64.b64encode(self.picture.value).decode("ascii")}


def loss_explorer(
    x,
    y,
    loss,
    w_range=(-1.0, 1.0),
    b_range=(2.0, 3.5),
    start=(0.5, 2.5),
    xlabel=AGE_LABEL,
    ylabel=THICKNESS_LABEL,
):
    """Return a view with sliders for the slope ``w`` and intercept ``b`` of ``y_hat = w x + b``.

    Each move redraws the data ``(x, y)`` (shape (n,)), the line and its errors on fixed axes
    around the data, and shows ``loss(y, y_hat)``, the student's own loss function. The ranges
    bound the sliders, and ``start`` is the line (w, b) they start from.
    """
    x, y = np.ravel(np.asarray(x, dtype=float)), np.ravel(np.asarray(y, dtype=float))
    w_slider = _slider("w", start[0], w_range)
    b_slider = _slider("b", start[1], b_range)
    readout = widgets.HTML()
    picture, figure, ax = _canvas()
    grid = np.array([x.min(), x.max()])
    # axes around the data (a frame for every line the sliders reach would leave the data a thin
    # band): a line far off leaves the frame, and the loss still says how far
    low, high = np.min(y), np.max(y)
    pad_x, pad_y = 0.03 * np.ptp(grid), max(high - low, 1e-3)

    def redraw(_change=None):
        w, b = w_slider.value, b_slider.value
        y_hat = w * x + b
        value = float(loss(y, y_hat))
        readout.value = f"<b>loss = {value:.5f}</b> at w = {w:.2f}, b = {b:.2f}"
        ax.clear()
        ax.vlines(x, y, y_hat, color="tab:orange", linewidth=0.8, alpha=0.7, label="errors")
        ax.scatter(x, y, label="data", zorder=3, **DATA_STYLE)
        ax.plot(grid, w * grid + b, label=f"line y = {w:.2f} x + {b:.2f}", **LINE_STYLE)
        ax.set(xlim=(grid[0] - pad_x, grid[1] + pad_x), ylim=(low - pad_y, high + pad_y))
        ax.set(xlabel=xlabel, ylabel=ylabel, title=f"loss = {value:.5f}")
        _show(figure, ax, picture)

    w_slider.observe(redraw, names="value")
    b_slider.observe(redraw, names="value")
    redraw()
    view = PictureBox([w_slider, b_slider, readout, picture], picture)
    view.axes = ax  # what it draws on, for a test to read
    return view


def _slider(name, value, bounds):
    """A slider for the parameter ``name`` within ``bounds``, in steps of 0.01, that reports
    its value when released (each report redraws the plot)."""
    return widgets.FloatSlider(
        value=value,
        min=bounds[0],
        max=bounds[1],
        step=0.01,
        description=name,
        continuous_update=False,
    )


def fit_explorer(train, test, fit_predict, loss, degree=3, log_lam=-8.0, max_degree=12):
    """Return a view with sliders for a polynomial's ``degree`` and its ridge penalty ``λ``
    (as log10 λ), for notebook 07.

    ``train`` and ``test`` are ``(x, y)`` pairs (ages in years, thickness in mm; each of shape
    (n,)); ``fit_predict(degree, lam, x)`` fits the model on the training set and returns its
    predictions at ``x`` (the notebook builds it from the student's functions); ``loss(y,
    y_hat)`` is the MSE. Each move redraws both sets and the fit on fixed axes, with the
    training and the test error side by side.
    """
    (x_train, y_train), (x_test, y_test) = (
        tuple(np.ravel(np.asarray(v, dtype=float)) for v in pair) for pair in (train, test)
    )
    degree_slider = widgets.IntSlider(
        value=degree, min=0, max=max_degree, description="degree", continuous_update=False
    )
    lam_slider = _slider("log10 λ", log_lam, (-8.0, 1.0))
    readout = widgets.HTML()
    picture, figure, ax = _canvas()
    everything = np.concatenate([x_train, x_test])
    grid = np.linspace(everything.min(), everything.max(), 200)
    values = np.concatenate([y_train, y_test])
    pad = 0.25 * np.ptp(values)
    limits = (values.min() - pad, values.max() + pad)

    def redraw(_change=None):
        d, lam = degree_slider.value, 10.0**lam_slider.value
        train_error = float(loss(y_train, fit_predict(d, lam, x_train)))
        test_error = float(loss(y_test, fit_predict(d, lam, x_test)))
        readout.value = (
            f"<b>training error {train_error:.4f} mm², test error {test_error:.4f} mm²</b> "
            f"(degree {d}, λ = {lam:.1e})"
        )
        ax.clear()
        ax.scatter(x_train, y_train, zorder=3, **TRAIN_STYLE)
        ax.scatter(x_test, y_test, zorder=3, **TEST_STYLE)
        ax.plot(grid, fit_predict(d, lam, grid), label=f"degree {d} fit", **LINE_STYLE)
        ax.set(ylim=limits, xlabel=YEARS_LABEL, ylabel=THICKNESS_LABEL)
        ax.set_title(f"train {train_error:.4f} mm²   ·   test {test_error:.4f} mm²")
        _show(figure, ax, picture)

    degree_slider.observe(redraw, names="value")
    lam_slider.observe(redraw, names="value")
    redraw()
    return PictureBox([degree_slider, lam_slider, readout, picture], picture)


def _canvas():
    """The picture widget of a view, and the figure and Axes it shows (drawn off screen)."""
    figure = Figure(figsize=(6.4, 4.4), layout="constrained")
    FigureCanvasAgg(figure)
    return widgets.Image(format="png"), figure, figure.subplots()


def _show(figure, ax, picture):
    """Finish a view's drawing (grid, legend below the plot) and show it as ``picture``'s PNG."""
    ax.grid(True, linestyle="--", alpha=0.5)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    picture.value = buffer.getvalue()
