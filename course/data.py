"""Seeded data of the course: the lecture's worked examples and the age / cortical-thickness set.

Every generator takes a ``seed`` and draws from its own ``numpy.random.Generator``, so each run,
each student and each test sees the same numbers. Nothing here is an answer to an exercise.
"""

import numpy as np

SEED = 2024
"""Seed of the course's data sets (the lecture drew unseeded noise; the course does not)."""

THICKNESS_INTERCEPT = 2.8
"""Intercept of the true age / thickness line, in mm."""

THICKNESS_SLOPE = -0.008
"""Slope of the true age / thickness line, in mm per unit of rescaled age (age mapped to [0, 1])."""

THICKNESS_NOISE_SD = 0.05
"""Standard deviation of the measurement noise on thickness, in mm."""


def lecture_design():
    """Return the lecture's prediction example ``(X, w)``.

    ``X`` has shape (3, 2): an intercept column of ones and one feature (2, 4, 6).
    ``w`` has shape (2, 1): intercept 0.5 and slope 1.2.
    """
    X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 6.0]])
    w = np.array([[0.5], [1.2]])
    return X, w


def lecture_targets():
    """Return the lecture's observed targets ``y`` = [3, 5, 8], shape (3,)."""
    return np.array([3.0, 5.0, 8.0])


def line_data(n, w, b, noise_sd, seed=SEED):
    """Draw ``n`` points of ``y = w x + b + noise`` with ``x`` evenly spaced on [0, 1].

    Returns ``(x, y)``, both of shape (n,). ``noise_sd`` is the standard deviation of the
    Gaussian noise, in the units of ``y``.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 1.0, n)
    y = w * x + b + rng.normal(0.0, noise_sd, n)
    return x, y


def thickness_data(n=100, seed=SEED):
    """Return the lecture's training set ``(age, thickness)``, both of shape (n,).

    ``age`` is rescaled to [0, 1] (it is not in years); ``thickness`` is cortical
    thickness in mm, drawn as ``2.8 - 0.008 * age`` plus N(0, 0.05) noise.
    """
    return line_data(n, THICKNESS_SLOPE, THICKNESS_INTERCEPT, THICKNESS_NOISE_SD, seed)


def participants(n=5, seed=SEED):
    """Return a small table of participants ``(age, sex)`` for building a design matrix.

    ``age`` is in years (shape (n,), 20 to 80), ``sex`` is coded 0 or 1 (shape (n,)).
    """
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 81, n).astype(float)
    sex = rng.integers(0, 2, n).astype(float)
    return age, sex


COHORT_WEIGHTS = (3.2, -0.01, 0.05)
"""True weights of the cohort's thickness: intercept (mm), per year of age (mm / year), and for
sex coded 1 rather than 0 (mm)."""

COHORT_NOISE_SD = 0.1
"""Standard deviation of the noise on the cohort's thickness, in mm."""


def cohort(n=200, seed=SEED):
    """Return a cohort ``(age, sex, thickness)`` for a fit on two features, each of shape (n,).

    ``age`` is in whole years (20 to 80), ``sex`` is coded 0 or 1, ``thickness`` is cortical
    thickness in mm, drawn as ``3.2 - 0.01 * age + 0.05 * sex`` plus N(0, 0.1) noise.
    """
    rng = np.random.default_rng(seed)
    age = np.round(rng.uniform(20, 80, n))
    sex = rng.integers(0, 2, n).astype(float)
    intercept, per_year, per_sex = COHORT_WEIGHTS
    thickness = intercept + per_year * age + per_sex * sex + rng.normal(0, COHORT_NOISE_SD, n)
    return age, sex, thickness


LIFESPAN_NOISE_SD = 0.1
"""Standard deviation of the noise on the lifespan set's thickness, in mm."""


def lifespan_curve(age):
    """The true, curved course of cortical thickness (mm) over the lifespan at ``age`` (years,
    any shape): a cubic in ``t = (age - 45) / 35``, ``2.7 - 0.3 t - 0.25 t^2 + 0.2 t^3``."""
    t = (np.asarray(age, dtype=float) - 45) / 35
    return 2.7 - 0.3 * t - 0.25 * t**2 + 0.2 * t**3


def lifespan(n=40, seed=11):
    """Return ``(age, thickness)``, each of shape (n,), for notebook 07: ages drawn uniformly
    from 8 to 85 years, thickness in mm on :func:`lifespan_curve` plus N(0, 0.1) noise. A curved
    relation, so that a polynomial of the right degree fits it and a higher one overfits; the
    default seed gives a held-out error with a clear minimum."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(8, 85, n)
    return age, lifespan_curve(age) + rng.normal(0, LIFESPAN_NOISE_SD, n)
