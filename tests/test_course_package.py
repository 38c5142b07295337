"""Unit tests of the helper package: seeded data, plots that return Axes, and the checks'
verdicts and messages, both ways."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from course import checks, data, plots, widgets  # noqa: E402
from course.checks import CheckError  # noqa: E402


def test_thickness_data_is_reproducible_and_follows_the_lecture():
    age, thickness = data.thickness_data()
    again_age, again_thickness = data.thickness_data()
    assert np.array_equal(thickness, again_thickness) and np.array_equal(age, again_age)
    assert age.shape == thickness.shape == (100,)
    assert age[0] == 0 and age[-1] == 1
    assert not np.array_equal(thickness, data.thickness_data(seed=1)[1])
    residual = thickness - (2.8 - 0.008 * age)
    assert abs(residual.mean()) < 0.02 and 0.04 < residual.std() < 0.06
    # the lecture's anchor: one step from w = b = 0 with eta = 0.01 gives w = 0.028, b = 0.056
    error = -thickness
    assert round(-0.01 * 2 * np.mean(error * age), 3) == 0.028
    assert round(-0.01 * 2 * np.mean(error), 3) == 0.056


def test_lecture_examples_and_participants():
    X, w = data.lecture_design()
    assert X.shape == (3, 2) and w.shape == (2, 1)
    assert data.lecture_targets().tolist() == [3.0, 5.0, 8.0]
    age, sex = data.participants(n=7)
    assert age.shape == sex.shape == (7,) and set(sex) <= {0.0, 1.0}
    assert np.all((20 <= age) & (age <= 80))
    with pytest.raises(ValueError):
        data.line_data(0, 1.0, 0.0, 0.1)


def test_plots_return_axes_with_labels():
    x, y = data.thickness_data(n=20)
    drawn = [
        plots.plot_fit(x, y, 0.1, 2.7),
        plots.plot_fit(x, y),
        plots.plot_residuals(x, y, 0.1 * x + 2.7),
        plots.plot_loss_curve(np.linspace(1, 0.1, 10)),
        plots.plot_loss_vs_w(np.linspace(-1, 1, 5), np.linspace(1, 2, 5), best_w=0.0),
        plots.plot_matrix_product(np.ones((2, 3)), np.ones((3, 2)), 3 * np.ones((2, 2)), 0, 1),
        plots.plot_learning_rates({0.1: np.ones(5), 0.5: np.ones(5)}),
    ]
    for ax in drawn:
        assert isinstance(ax, Axes)
        assert ax.get_title()
    for ax in drawn[:5]:
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    assert drawn[3].get_yscale() == "log"
    ax = plots.plot_loss_vs_w(np.linspace(-1, 1, 5), np.linspace(1, 2, 5))
    assert plots.plot_tangent(ax, 0.0, 1.5, 2.0) is ax
    matplotlib.pyplot.close("all")


def test_the_learning_rate_plot_clips_a_diverging_curve_and_says_so():
    ax = plots.plot_learning_rates(
        {0.1: np.geomspace(8, 0.01, 20), 0.85: np.geomspace(8, 1e26, 20)}
    )
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "eta = 0.1" and "diverges" in labels[1] and "1e+26" in labels[1]
    low, high = ax.get_ylim()
    assert high == 80 and low < 0.01  # the converging curve fills the axis
    matplotlib.pyplot.close("all")


def test_the_loss_surface_shows_the_contours_the_paths_and_the_minimum():
    seen = []

    def loss(W, B):
        seen.append(W.shape)
        return (W - 1.0) ** 2 + 4 * (B - 2.0) ** 2

    paths = {"eta = 0.5": np.array([[0.0, 0.0], [1.0, 1.5], [0.5, 2.5]]), "eta = 0.01": [[0, 0]]}
    ax = plots.plot_loss_surface(loss, paths, minimum=(1.0, 2.0))
    assert isinstance(ax, Axes) and ax.get_title() and ax.get_xlabel().startswith("w")
    assert ax.get_ylabel().startswith("b")
    assert seen and len(seen[0]) == 2, "the loss is evaluated on a grid in one call"
    assert ax.collections, "contours are drawn"
    drawn = {line.get_label(): line.get_xydata() for line in ax.get_lines()}
    assert np.array_equal(drawn["eta = 0.5"], paths["eta = 0.5"])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["eta = 0.5", "eta = 0.01", "minimum (least squares)"]
    star = next(c for c in ax.collections if c.get_label() == "minimum (least squares)")
    assert tuple(star.get_offsets()[0]) == (1.0, 2.0)
    unmarked = plots.plot_loss_surface(loss, paths, equal_axes=True)
    labels = [t.get_text() for t in unmarked.get_legend().get_texts()]
    assert "minimum (least squares)" not in labels
    assert unmarked.get_aspect() == 1.0
    matplotlib.pyplot.close("all")


def test_the_cohort_is_seeded_and_made_with_its_true_weights():
    age, sex, thickness = data.cohort()
    assert age.shape == sex.shape == thickness.shape == (200,)
    assert np.array_equal(thickness, data.cohort()[2])
    assert 20 <= age.min() and age.max() <= 80 and set(np.unique(sex)) == {0.0, 1.0}
    intercept, per_year, per_sex = data.COHORT_WEIGHTS
    noise = thickness - (intercept + per_year * age + per_sex * sex)
    assert abs(noise.std() - data.COHORT_NOISE_SD) < 0.02 and abs(noise.mean()) < 0.03


def test_the_lifespan_set_is_seeded_curved_and_made_with_its_noise():
    age, thickness = data.lifespan()
    assert age.shape == thickness.shape == (40,)
    assert np.array_equal(thickness, data.lifespan()[1])
    assert 8 <= age.min() and age.max() <= 85
    noise = thickness - data.lifespan_curve(age)
    assert abs(noise.std() - data.LIFESPAN_NOISE_SD) < 0.03 and abs(noise.mean()) < 0.04
    middle, ends = data.lifespan_curve(30.0), data.lifespan_curve(np.array([8.0, 85.0]))
    assert middle > ends.max()  # curved: no line through the ends passes the middle


def test_the_generalization_plots_mark_what_they_say():
    x, y = data.lifespan(n=10)
    ax = plots.plot_split(x[:6], y[:6], x[6:], y[6:], curve=(x, y, "fit"), title="split")
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert labels == {"fit", "training set", "test set (held out)"}
    ax = plots.plot_errors_by(
        [1e-3, 1e-2, 1e-1],
        [0.1, 0.2, 0.3],
        [0.3, 0.2, 0.4],
        "λ",
        log_x=True,
        chosen=1e-2,
        floor=0.01,
    )
    assert ax.get_xscale() == ax.get_yscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "chosen: 0.01" in labels and "noise variance 0.01 mm²" in labels
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "0.01" in ticks and not any("$" in t for t in ticks)  # plain numbers, no mathtext
    matplotlib.pyplot.close("all")


def test_the_loss_explorer_frames_the_data_not_every_line():
    x, y = data.thickness_data()
    mse = lambda a, b: float(np.mean((np.ravel(a) - np.ravel(b)) ** 2))  # noqa: E731
    view = widgets.loss_explorer(x, y, mse)
    low, high = view.axes.get_ylim()
    assert low < y.min() and y.max() < high
    assert np.ptp(y) / (high - low) > 0.3  # the data fill a third of the height, or more


def test_the_fit_explorer_redraws_with_both_errors():
    x, y = data.lifespan(n=20)
    calls = []

    def fit_predict(degree, lam, ages):
        calls.append((degree, lam))
        coefficients = np.polyfit(x[:10], y[:10], degree)
        return np.polyval(coefficients, ages)

    def loss(y, y_hat):
        return float(np.mean((y - y_hat) ** 2))

    view = widgets.fit_explorer((x[:10], y[:10]), (x[10:], y[10:]), fit_predict, loss, degree=1)
    degree, lam, readout, picture = view.children
    first, text = picture.value, readout.value
    assert "training error" in text and "test error" in text and "degree 1" in text
    degree.value = 3
    assert picture.value != first and "degree 3" in readout.value
    assert calls[-1][0] == 3


@pytest.mark.parametrize(
    "answer", [[2.9, 5.3], (2.9, 5.3), np.array([2.9, 5.3]), [np.float64(2.9), 5.3]]
)
def test_check_array_passes_every_correct_form(answer):
    checks.check_array(answer, [2.9, 5.3], "y_hat")


def test_check_array_names_shape_mistakes():
    with pytest.raises(CheckError, match=r"(?s)shape \(3, 3\).*broadcasts"):
        checks.check_array(np.ones((3, 3)), np.ones(3), "mse's errors")
    with pytest.raises(CheckError, match="transposed"):
        checks.check_array(np.ones((2, 3)), np.ones((3, 2)), "matmul(A, B)")
    with pytest.raises(CheckError, match=r"shape \(3, 1\) but should have shape\s+\(3,\)"):
        checks.check_array(np.ones((3, 1)), np.ones(3), "predict(X, w)")


def test_check_array_fails_wrong_values_without_giving_the_answer():
    with pytest.raises(CheckError) as failure:
        checks.check_array([1.0, 2.0], [1.0, 2.5], "predict(X, w)")
    assert "2.5" not in str(failure.value) and "not the right value" in str(failure.value)
    with pytest.raises(CheckError, match="Expected"):
        checks.check_array([1.0, 2.0], [1.0, 2.5], "predict(X, w)", reveal=True)
    with pytest.raises(CheckError, match="You summed"):
        checks.check_scalar(0.19, 0.19 / 3, "mse", mistakes=[(0.19, "You summed.")])
    with pytest.raises(CheckError, match="nan or inf"):
        checks.check_array([np.nan, 1.0], [1.0, 1.0], "fit")


@pytest.mark.parametrize("answer", [None, "abc", [[1, 2], [3]]])
def test_as_array_explains_unreadable_answers(answer):
    with pytest.raises(CheckError, match="mse"):
        checks.as_array(answer, "mse")


def test_check_scalar_accepts_numbers_and_rejects_arrays():
    for answer in (2, 2.0, np.float64(2.0), np.int64(2), np.array(2.0)):
        checks.check_scalar(answer, 2.0, "mse")
    with pytest.raises(CheckError, match="single number"):
        checks.check_scalar(np.array([2.0]), 2.0, "mse")
    checks.check_scalar(0.0633, 0.19 / 3, "loss_by_hand", atol=6e-5)
    with pytest.raises(CheckError):
        checks.check_scalar(0.064, 0.19 / 3, "loss_by_hand", atol=6e-5)


@pytest.mark.parametrize(
    "what, said",
    [
        ("mse(y, y_hat)", "mse(y, y_hat) returned 0.19."),
        ("loss_by_hand", "loss_by_hand is 0.19."),
        ("mse on 5 random samples", "mse on 5 random samples is 0.19."),
    ],
)
def test_a_message_says_a_call_returned_and_a_value_is(what, said):
    with pytest.raises(CheckError) as failure:
        checks.check_scalar(0.19, 0.19 / 3, what)
    assert str(failure.value).startswith(said), str(failure.value)


def test_check_pair_forms_and_mistakes():
    for answer in ((1.0, 2.0), [1, 2], np.array([1.0, 2.0])):
        checks.check_pair(answer, (1.0, 2.0), "gradients", names=("dL/dw", "dL/db"))
    with pytest.raises(CheckError, match="swapped"):
        checks.check_pair((2.0, 1.0), (1.0, 2.0), "gradients", names=("dL/dw", "dL/db"))
    with pytest.raises(CheckError, match=r"The value of dL/db is not right; the other\s+one is"):
        checks.check_pair((1.0, 3.0), (1.0, 2.0), "gradients", names=("dL/dw", "dL/db"))
    with pytest.raises(CheckError, match="pair"):
        checks.check_pair((1.0, 2.0, 3.0), (1.0, 2.0), "gradients")


def test_rigged_answers_are_read_as_plain_numbers():
    class Rigged(float):
        def __eq__(self, other):
            return True

        def __sub__(self, other):
            return 0.0

        def __abs__(self):
            return 0.0

        __lt__ = __le__ = __eq__
        __hash__ = float.__hash__

    class RiggedArray(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)

        def __sub__(self, other):
            return np.zeros(self.shape)

    with pytest.raises(CheckError):
        checks.check_scalar(Rigged(5.0), 1.0, "mse")
    with pytest.raises(CheckError):
        checks.check_array(np.array([5.0, 5.0]).view(RiggedArray), [1.0, 2.0], "predict")


def test_call_and_check_raises_report_in_words():
    def stub(*args):
        raise NotImplementedError()

    def crash(a):
        return a / 0

    with pytest.raises(CheckError, match="still raises NotImplementedError"):
        checks.call(stub, 1)
    with pytest.raises(CheckError, match="raised ZeroDivisionError"):
        checks.call(crash, 1)
    assert checks.call(lambda a, b: a + b, 1, b=2) == 3
    with pytest.raises(CheckError, match="instead of raising ValueError"):
        checks.check_raises(lambda a: a, (1,), ValueError, "f(1)", "why")
    with pytest.raises(CheckError, match="raised TypeError, but it should raise ValueError"):
        checks.check_raises(lambda a: a + "x", (1,), ValueError, "f(1)", "why")
    checks.check_raises(lambda a: int("x"), (1,), ValueError, "f(1)", "why")
    with pytest.raises(CheckError, match="not defined yet"):
        checks.value_of({}, "y_hat_by_hand")
    assert checks.value_of({"a": 1}, "a") == 1
    checks.check_true(np.bool_(True), "fine")
    with pytest.raises(CheckError, match="message"):
        checks.check_true(np.array([True, True]), "message")


def test_a_crash_is_explained_in_the_students_names_and_shapes():
    def outer(x, w):
        return np.asarray(x) * np.asarray(w)

    def shaped(x, w):
        return x.shape

    def fit(x, y, eta=0.01, epochs=1000):
        raise ZeroDivisionError("division by zero")

    with pytest.raises(CheckError) as broadcast:
        checks.call(outer, [1, 2, 3], [10, 20])
    said = " ".join(str(broadcast.value).split())
    assert "met shapes it cannot pair, (3,) and (2,)" in said and "v[:, None]" in said, said
    with pytest.raises(CheckError) as listed:
        checks.call(shaped, [1, 2, 3], np.ones(2))
    said = " ".join(str(listed.value).split())
    assert "np.asarray(x, dtype=float)" in said and "np.asarray(A" not in said, said
    with pytest.raises(CheckError) as echoed:  # an int is shown as the test wrote it
        checks.call(fit, [0.0, 1.0], [1.0, 3.0], eta=0.5, epochs=1)
    assert str(echoed.value).startswith("fit([0.0, 1.0], [1.0, 3.0], eta=0.5, epochs=1) raised")


def test_a_checks_message_comes_in_lines_that_validate_shows_whole():
    message = "predict(X, w) returned [1.0, 2.0]. " + "That is a long explanation. " * 8
    shown = str(CheckError(message.strip()))
    assert max(len(line) for line in shown.splitlines()) <= checks.WIDTH
    assert " ".join(shown.split()) == " ".join(message.split())


def test_a_students_function_never_changes_a_tests_inputs():
    def scribble(a, w0=None):
        a[0] = 99.0
        if w0 is not None:
            w0 -= 1.0
        return 1.0

    data_, start = np.array([1.0, 2.0]), np.array([0.5])
    assert checks.call(scribble, data_, w0=start) == 1.0
    assert data_.tolist() == [1.0, 2.0] and start.tolist() == [0.5]
    changed = r"(?s)changed its w0 in place, from \[0.5\] to\s+\[-0.5\].*copy"
    with pytest.raises(CheckError, match=changed):
        checks.check_inputs_kept(lambda a, w0: scribble(list(a), w0), data_, w0=start, why="copy")
    with pytest.raises(CheckError, match="changed its argument 1 in place"):
        checks.check_inputs_kept(scribble, data_)
    assert start.tolist() == [0.5] and data_.tolist() == [1.0, 2.0]


def test_check_inputs_kept_passes_a_function_that_copies():
    def careful(a, w0=None):
        w = np.array(w0, dtype=float)
        w -= 1.0
        return np.asarray(a) + w

    result = checks.check_inputs_kept(careful, [1.0, 2.0], w0=np.array([0.5]))
    assert result.tolist() == [0.5, 1.5]


def test_called_names_reads_the_calls_of_a_function():
    def through_solve(X, y):
        # np.linalg.inv( in a comment is not a call
        return np.linalg.solve(X.T @ X, X.T @ y)

    def through_inverse(X, y):
        return np.linalg.inv(X.T @ X) @ (X.T @ y)

    assert "solve" in checks.called_names(through_solve)
    assert "inv" not in checks.called_names(through_solve)
    assert "inv" in checks.called_names(through_inverse)
    assert checks.called_names(len) == set()  # no source: nothing to read


def test_uses_library_product_tells_loops_from_ready_made_products():
    def loops(a, b):
        total = 0.0
        for k in range(len(a)):  # np.dot( in a comment is no call, a @ b in one no product
            total += a[k] * b[k]
        return total

    def operator(a, b):
        return a @ b

    def in_place(A, B):
        C = np.eye(2)
        C @= B
        return C

    def library(a, b):
        return np.matmul(a, b)

    assert not checks.uses_library_product(loops)
    assert all(checks.uses_library_product(f) for f in (operator, in_place, library))
    assert not checks.uses_library_product(len)  # no source: nothing to say
