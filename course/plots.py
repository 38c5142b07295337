"""Plots of the course. Each function draws on ``ax`` (a new figure when it is None) and
returns the matplotlib Axes, so a notebook can add to it or place it in a grid."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

AGE_LABEL = "age (rescaled to 0-1)"
THICKNESS_LABEL = "cortical thickness (mm)"
DATA_STYLE = {"color": "black", "alpha": 0.6, "s": 18}
LINE_STYLE = {"color": "tab:red", "linewidth": 2}


def _axes(ax, figsize=(6, 4)):
    """Return ``ax``, or the Axes of a new figure of ``figsize`` inches."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_fit(
    x,
    y,
    w=None,
    b=None,
    ax=None,
    xlabel=AGE_LABEL,
    ylabel=THICKNESS_LABEL,
    title="Data and fitted line",
    label="fitted line",
):
    """Scatter the data ``(x, y)``, both shape (n,), and draw the line ``y = w x + b``.

    ``w`` (units of y per unit of x) and ``b`` (units of y) are scalars; leave them None to draw
    the data only. Returns the Axes.
    """
    ax = _axes(ax)
    ax.scatter(x, y, label="data (observed)", **DATA_STYLE)
    if w is not None and b is not None:
        grid = np.linspace(np.min(x), np.max(x), 50)
        ax.plot(grid, w * grid + b, label=f"{label}: y = {w:.3f} x + {b:.3f}", **LINE_STYLE)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, linestyle="--", alpha=0.5)
    _legend_below(ax)
    return ax


def _legend_below(ax, columns=2):
    """Put the legend of ``ax`` under the plot, where it covers no data."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=columns, frameon=False)


def plot_residuals(
    x, y, y_hat, ax=None, xlabel="x", ylabel="y", title="Errors of a prediction", line=None
):
    """Draw observed ``y`` and predicted ``y_hat`` at ``x`` (all shape (n,)), joined by the
    error segments ``y_hat - y`` whose squares the mean squared error averages.

    ``line``, a pair (w, b), also draws the model's line ``y_hat = w x + b``. With ten points
    or fewer, each error is written beside its segment, so that small errors on a large axis
    are read at a glance. Returns the Axes.
    """
    ax = _axes(ax)
    x, y, y_hat = (np.ravel(v) for v in (x, y, y_hat))
    if line is not None:
        grid = np.linspace(np.min(x), np.max(x), 50)
        w, b = line
        ax.plot(
            grid, w * grid + b, color="tab:red", alpha=0.5, label=f"model: y_hat = {w:g} x + {b:g}"
        )
    ax.vlines(x, y, y_hat, color="tab:orange", linewidth=3, label="error  y_hat - y")
    ax.scatter(x, y, label="observed y", zorder=3, **DATA_STYLE)
    ax.scatter(x, y_hat, color="tab:red", marker="x", s=60, zorder=3, label="predicted y_hat")
    if len(x) <= 10:
        for xi, yi, hi in zip(x, y, y_hat, strict=True):
            ax.annotate(
                f"{hi - yi:+.2g}",
                xy=(xi, (yi + hi) / 2),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                color="tab:orange",
                fontweight="bold",
            )
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, linestyle="--", alpha=0.5)
    _legend_below(ax)
    return ax


def plot_loss_curve(
    losses,
    ax=None,
    label="training loss",
    log=True,
    ylabel="MSE loss (mm²)",
    title="Loss during training",
    floor=None,
):
    """Plot the loss per epoch, ``losses`` of shape (epochs,), on a log scale by default.

    ``floor``, when given, is the lowest loss possible (the exact least-squares fit's), drawn as
    a dashed line so that the gap that remains is in sight. Returns the Axes.
    """
    ax = _axes(ax)
    ax.plot(np.arange(len(losses)), losses, label=label)
    if floor is not None:
        ax.axhline(floor, color="tab:green", linestyle="--", label=f"lowest possible: {floor:.5f}")
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel=ylabel, title=title)
    ax.grid(True, which="both", linestyle="--", alpha=0.5)
    ax.legend()
    return ax


def plot_loss_vs_w(
    ws,
    losses,
    ax=None,
    best_w=None,
    xlabel="w (slope, mm per unit of rescaled age)",
    ylabel="MSE loss",
    title="Loss as a function of w",
):
    """Plot the loss ``losses`` (shape (k,)) at each slope in ``ws`` (shape (k,)).

    ``best_w``, when given, marks the slope with the lowest loss. Returns the Axes.
    """
    ax = _axes(ax)
    ax.plot(ws, losses, color="tab:blue", label="loss L(w)")
    if best_w is not None:
        ax.axvline(
            best_w, color="tab:green", linestyle="--", label=f"lowest loss at w = {best_w:.3f}"
        )
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, linestyle="--", alpha=0.5)
    _legend_below(ax)
    return ax


def plot_tangent(ax, w0, loss0, slope, half_width=1.0, label=None, color="tab:red", eta=None):
    """Draw on ``ax`` the tangent of slope ``slope`` (the gradient dL/dw) through the point
    ``(w0, loss0)`` of the loss curve, ``half_width`` units of w either side, in ``color``.

    With a learning rate ``eta``, also draw the gradient-descent step from ``w0``, an arrow of
    length ``-eta * slope`` along w: downhill, whichever side of the minimum ``w0`` is on.
    Returns ``ax``.
    """
    ws = np.array([w0 - half_width, w0 + half_width])
    ax.plot(
        ws,
        loss0 + slope * (ws - w0),
        color=color,
        linestyle="-",
        label=label or f"tangent at w = {w0:g}: slope dL/dw = {slope:.2f}",
    )
    ax.scatter([w0], [loss0], color=color, zorder=3)
    if eta is not None:
        step = -eta * slope
        ax.annotate(
            "",
            xy=(w0 + step, loss0),
            xytext=(w0, loss0),
            arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2.5},
        )
        ax.annotate(
            f"step -eta dL/dw = {step:+.2f}",
            xy=(w0 + step / 2, loss0),
            xytext=(0, 10),
            textcoords="offset points",
            ha="center",
            color=color,
        )
    _legend_below(ax, columns=1)
    return ax


def plot_matrix_product(A, B, C, i, j, ax=None):
    """Show ``A @ B = C`` as three grids of numbers, highlighting row ``i`` of A, column ``j``
    of B and the entry ``C[i, j]`` that their dot product gives. A is (m, n), B (n, p), C (m, p)."""
    A, B, C = (np.asarray(M, dtype=float) for M in (A, B, C))
    ax = _axes(ax, figsize=(8, 3))
    left = 0.0
    for name, M, rows, cols in (("A", A, [i], None), ("B", B, None, [j]), ("C", C, [i], [j])):
        m, n = M.shape
        for r in range(m):
            for c in range(n):
                lit = (rows is None or r in rows) and (cols is None or c in cols)
                ax.add_patch(
                    plt.Rectangle(
                        (left + c, -r - 1),
                        1,
                        1,
                        facecolor="gold" if lit else "white",
                        edgecolor="gray",
                    )
                )
                ax.text(left + c + 0.5, -r - 0.5, f"{M[r, c]:g}", ha="center", va="center")
        ax.text(left + n / 2, 0.4, f"{name}  ({m} x {n})", ha="center", fontweight="bold")
        left += n + 1.2
    ax.set_xlim(-0.2, left - 1.0)
    ax.set_ylim(-max(A.shape[0], B.shape[0]) - 0.3, 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"c[{i}][{j}] = row {i} of A  ·  column {j} of B")
    return ax


def plot_learning_rates(histories, ax=None, ylabel="MSE loss (mm²)"):
    """Plot one loss curve per learning rate on a log scale; ``histories`` maps each eta to
    its losses (shape (epochs,)). The axis stops at 10 times the first loss: a curve that
    diverges leaves the plot, and its label says how far it went. Returns the Axes."""
    ax = _axes(ax)
    top = 10 * max(float(np.asarray(losses)[0]) for losses in histories.values())
    for eta, losses in histories.items():
        losses = np.asarray(losses, dtype=float)
        label = f"eta = {eta:g}"
        if np.nanmax(losses) > top:
            label += f": diverges (loss {np.nanmax(losses):.0e}, off the chart)"
        ax.plot(np.arange(len(losses)), losses, label=label)
    low = min(float(np.nanmin(np.asarray(losses))) for losses in histories.values())
    ax.set_yscale("log")
    ax.set_ylim(low / 2, top)
    ax.set(xlabel="epoch", ylabel=ylabel, title="Effect of the learning rate eta")
    ax.grid(True, which="both", linestyle="--", alpha=0.5)
    _legend_below(ax)
    return ax


def plot_loss_surface(
    loss,
    paths,
    ax=None,
    w_range=(-1.5, 2.5),
    b_range=(-0.5, 4.0),
    minimum=None,
    xlabel="w (slope, mm per unit of rescaled age)",
    ylabel="b (intercept, mm)",
    title="The loss surface L(w, b) and gradient-descent paths",
    equal_axes=False,
):
    """Draw a loss over the (w, b) plane as contours, and on it the paths gradient descent took.

    ``loss(W, B)`` takes two arrays of one shape, slopes ``W`` and intercepts ``B``, and returns
    the loss at each of those points (the same shape). ``paths`` maps a label (e.g. the learning
    rate) to the visited points, an array of shape (steps + 1, 2) of (w, b), start first. Points
    outside the ranges leave the picture (a diverging path). ``minimum``, a pair (w, b), marks
    the lowest point. ``equal_axes`` draws one unit of w as long as one unit of b, so that the
    contours' true shape shows. Returns the Axes.
    """
    ax = _axes(ax, figsize=(6.5, 5))
    W, B = np.meshgrid(np.linspace(*w_range, 121), np.linspace(*b_range, 121))
    surface = np.asarray(loss(W, B), dtype=float)
    levels = np.geomspace(surface.min() * 1.05, surface.max(), 14)
    ax.contour(W, B, surface, levels=levels, cmap="viridis", linewidths=0.8)
    for (label, path), color in zip(
        paths.items(), ("tab:red", "tab:orange", "tab:pink", "tab:brown"), strict=False
    ):
        path = np.asarray(path, dtype=float)
        ax.plot(
            path[:, 0],
            path[:, 1],
            marker="o",
            markersize=2.5,
            linewidth=1,
            color=color,
            label=str(label),
        )
    if minimum is not None:
        ax.scatter(
            [minimum[0]],
            [minimum[1]],
            marker="*",
            s=200,
            color="black",
            zorder=5,
            label="minimum (least squares)",
        )
    ax.set(xlim=w_range, ylim=b_range, xlabel=xlabel, ylabel=ylabel, title=title)
    if equal_axes:
        ax.set_aspect("equal")
    _legend_below(ax)
    return ax


YEARS_LABEL = "age (years)"
TRAIN_STYLE = {"color": "tab:blue", "s": 24, "label": "training set"}
TEST_STYLE = {
    "facecolors": "none",
    "edgecolors": "tab:orange",
    "s": 30,
    "linewidths": 1.4,
    "label": "test set (held out)",
}


def plot_split(x_train, y_train, x_test, y_test, ax=None, curve=None, title=None):
    """Scatter a training set (filled) and a test set (open circles), each x and y of shape (n,).

    ``curve``, when given, is ``(grid, values, label)``, a line drawn over them (the true curve,
    a fit). Returns the Axes."""
    ax = _axes(ax)
    ax.scatter(x_train, y_train, **TRAIN_STYLE)
    ax.scatter(x_test, y_test, **TEST_STYLE)
    if curve is not None:
        grid, values, label = curve
        ax.plot(grid, values, color="tab:red", linewidth=2, label=label)
    ax.set(xlabel=YEARS_LABEL, ylabel=THICKNESS_LABEL, title=title)
    ax.grid(True, linestyle="--", alpha=0.5)
    ax.legend(fontsize="small", loc="upper right")
    return ax


def plot_errors_by(
    values,
    train,
    test,
    xlabel,
    ax=None,
    log_x=False,
    chosen=None,
    floor=None,
    title=None,
    labels=("training error", "test error"),
    colors=("tab:blue", "tab:orange"),
):
    """Plot two errors, ``train`` and ``test`` (MSE, mm²), against ``values`` (degrees, λ or
    sample sizes), all of shape (k,), on a log error axis.

    ``chosen`` marks one value with a vertical line; ``floor`` (mm²) draws the noise variance
    as a dashed line, the error no model can beat on new data; ``log_x`` puts ``values`` on a
    log axis (for λ); ``labels`` and ``colors`` name and colour the two lines (two models on one
    Axes: call it twice). Returns the Axes."""
    ax = _axes(ax)
    ax.plot(values, train, "o-", color=colors[0], label=labels[0])
    ax.plot(values, test, "s-", color=colors[1], label=labels[1])
    if floor is not None:
        ax.axhline(floor, color="gray", linestyle="--", label=f"noise variance {floor:g} mm²")
    if chosen is not None:
        ax.axvline(chosen, color="tab:green", linewidth=2, alpha=0.7, label=f"chosen: {chosen:.2g}")
    ax.set_yscale("log")
    _plain_ticks(ax.yaxis)
    if log_x:
        ax.set_xscale("log")
        _plain_ticks(ax.xaxis)
    ax.set(xlabel=xlabel, ylabel="MSE (mm²)", title=title)
    ax.grid(True, which="both", linestyle="--", alpha=0.4)
    ax.legend(fontsize="small")
    return ax


def _plain_ticks(axis):
    """Label a log axis's decades as plain numbers (0.01, 0.1, 1, 1e+02): read at a glance, and
    drawn without mathtext, which makes a log figure several times slower to render."""
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())
