"""A bank of student answers per exercise: correct ones in several forms, and typical wrong ones.

Each entry is ``(label, source of the answer cell, correct)``, all of an exercise's in one list.
The first entry of each exercise is correct and self-contained (it calls no other exercise's
function): a student of the pipeline test takes it where an exercise has fewer entries. The
pipeline test puts them into release notebooks, grades them with nbgrader and checks each
exercise's points.
"""

BANK = {
    "matmul_shape": [
        (
            "tuple",
            "def matmul_shape(shape_a, shape_b):\n"
            "    if shape_a[1] != shape_b[0]:\n"
            "        raise ValueError('inner sizes differ')\n"
            "    return (shape_a[0], shape_b[1])",
            True,
        ),
        (
            "list",
            "def matmul_shape(shape_a, shape_b):\n"
            "    (m, n), (k, p) = shape_a, shape_b\n"
            "    if n != k:\n"
            "        raise ValueError(f'{n} != {k}')\n"
            "    return [m, p]",
            True,
        ),
        (
            "swapped",
            "def matmul_shape(shape_a, shape_b):\n"
            "    if shape_a[1] != shape_b[0]:\n"
            "        raise ValueError('x')\n"
            "    return (shape_b[1], shape_a[0])",
            False,
        ),
        (
            "no error",
            "def matmul_shape(shape_a, shape_b):\n    return (shape_a[0], shape_b[1])",
            False,
        ),
        (
            "rows of B",
            "def matmul_shape(shape_a, shape_b):\n"
            "    if shape_a[1] != shape_b[0]:\n"
            "        raise ValueError('inner sizes differ')\n"
            "    return (shape_a[0], shape_b[0])",
            False,
        ),
        (
            "no message",
            "def matmul_shape(shape_a, shape_b):\n"
            "    if shape_a[1] != shape_b[0]:\n"
            "        raise ValueError()\n"
            "    return (shape_a[0], shape_b[1])",
            False,
        ),
    ],
    "dot": [
        (
            "loop",
            "def dot(a, b):\n"
            "    if len(a) != len(b):\n"
            "        raise ValueError('lengths')\n"
            "    total = 0\n"
            "    for k in range(len(a)):\n"
            "        total += a[k] * b[k]\n"
            "    return total",
            True,
        ),
        (
            "zip",
            "def dot(a, b):\n"
            "    if len(a) != len(b):\n"
            "        raise ValueError('lengths')\n"
            "    return sum(x * y for x, y in zip(a, b))",
            True,
        ),
        (
            "off by one",
            "def dot(a, b):\n"
            "    if len(a) != len(b):\n"
            "        raise ValueError('lengths')\n"
            "    total = 0\n"
            "    for k in range(len(a) - 1):\n"
            "        total += a[k] * b[k]\n"
            "    return total",
            False,
        ),
        (
            "hard-coded",
            "def dot(a, b):\n"
            "    if len(a) != len(b):\n"
            "        raise ValueError('lengths')\n"
            "    return 32",
            False,
        ),
        (
            "no sum",
            "def dot(a, b):\n"
            "    if len(a) != len(b):\n"
            "        raise ValueError('lengths')\n"
            "    return [a[k] * b[k] for k in range(len(a))]",
            False,
        ),
        (
            "no length check",
            "def dot(a, b):\n    return sum(x * y for x, y in zip(a, b))",
            False,
        ),
        (
            "sum of sums",
            "def dot(a, b):\n"
            "    if len(a) != len(b):\n"
            "        raise ValueError('lengths')\n"
            "    return sum(a) + sum(b)",
            False,
        ),
        (
            "np.dot",
            "def dot(a, b):\n"
            "    if len(a) != len(b):\n"
            "        raise ValueError('lengths differ')\n"
            "    return float(np.dot(a, b))",
            False,
        ),
    ],
    "matmul": [
        (
            "loops",
            "def matmul(A, B):\n"
            "    A = np.asarray(A, dtype=float)\n"
            "    B = np.asarray(B, dtype=float)\n"
            "    if A.shape[1] != B.shape[0]:\n"
            "        raise ValueError('inner')\n"
            "    C = np.zeros((A.shape[0], B.shape[1]))\n"
            "    for i in range(A.shape[0]):\n"
            "        for j in range(B.shape[1]):\n"
            "            for k in range(A.shape[1]):\n"
            "                C[i, j] += A[i, k] * B[k, j]\n"
            "    return C",
            True,
        ),
        (
            "lists",
            "def matmul(A, B):\n"
            "    if len(A[0]) != len(B):\n"
            "        raise ValueError('inner')\n"
            "    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))] for i in range(len(A))]",
            True,
        ),
        (
            "term missing",
            "def matmul(A, B):\n"
            "    A = np.asarray(A, dtype=float)\n"
            "    B = np.asarray(B, dtype=float)\n"
            "    if A.shape[1] != B.shape[0]:\n"
            "        raise ValueError('inner')\n"
            "    C = np.zeros((A.shape[0], B.shape[1]))\n"
            "    for i in range(A.shape[0]):\n"
            "        for j in range(B.shape[1]):\n"
            "            for k in range(A.shape[1] - 1):\n"
            "                C[i, j] += A[i, k] * B[k, j]\n"
            "    return C",
            False,
        ),
        (
            "elementwise",
            "def matmul(A, B):\n"
            "    A = np.asarray(A, dtype=float)\n"
            "    B = np.asarray(B, dtype=float)\n"
            "    if A.shape[1] != B.shape[0]:\n"
            "        raise ValueError('inner')\n"
            "    return A[:, :B.shape[1]] * B[:A.shape[0], :]",
            False,
        ),
        (
            "transposed",
            "def matmul(A, B):\n"
            "    A = np.asarray(A, dtype=float)\n"
            "    B = np.asarray(B, dtype=float)\n"
            "    if A.shape[1] != B.shape[0]:\n"
            "        raise ValueError('inner')\n"
            "    return (A @ B).T",
            False,
        ),
        (
            "arrays only",
            "def matmul(A, B):\n"
            "    if A.shape[1] != B.shape[0]:\n"
            "        raise ValueError('inner')\n"
            "    C = np.zeros((A.shape[0], B.shape[1]))\n"
            "    for i in range(A.shape[0]):\n"
            "        for j in range(B.shape[1]):\n"
            "            for k in range(A.shape[1]):\n"
            "                C[i, j] += A[i, k] * B[k, j]\n"
            "    return C",
            False,
        ),
        (
            "loop from 1",
            "def matmul(A, B):\n"
            "    A = np.asarray(A, dtype=float)\n"
            "    B = np.asarray(B, dtype=float)\n"
            "    if A.shape[1] != B.shape[0]:\n"
            "        raise ValueError('inner')\n"
            "    C = np.zeros((A.shape[0], B.shape[1]))\n"
            "    for i in range(A.shape[0]):\n"
            "        for j in range(B.shape[1]):\n"
            "            for k in range(1, A.shape[1]):\n"
            "                C[i, j] += A[i, k] * B[k, j]\n"
            "    return C",
            False,
        ),
        (
            "@",
            "def matmul(A, B):\n"
            "    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)\n"
            "    if A.shape[1] != B.shape[0]:\n"
            "        raise ValueError('inner sizes differ')\n"
            "    return A @ B",
            False,
        ),
    ],
    "outer": [
        (
            "numpy",
            "def outer(x, w):\n"
            "    return np.multiply.outer(np.asarray(x, float), np.asarray(w, float))",
            True,
        ),
        (
            "lists",
            "def outer(x, w):\n    return [[xi * wj for wj in w] for xi in x]",
            True,
        ),
        (
            "transposed",
            "def outer(x, w):\n    return [[xi * wj for xi in x] for wj in w]",
            False,
        ),
        (
            "elementwise",
            "def outer(x, w):\n    return np.asarray(x, dtype=float) * np.asarray(w, dtype=float)",
            False,
        ),
    ],
    "y_hat_by_hand": [
        (
            "list",
            "y_hat_by_hand = [2.9, 5.3, 7.7]",
            True,
        ),
        (
            "column",
            "y_hat_by_hand = np.array([[2.9], [5.3], [7.7]])",
            True,
        ),
        (
            "weights swapped",
            "y_hat_by_hand = [2.2, 3.2, 4.2]",
            False,
        ),
        (
            "first only",
            "y_hat_by_hand = [2.9, 5.0, 8.0]",
            False,
        ),
    ],
    "add_intercept": [
        (
            "hstack",
            "def add_intercept(x):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    if x.ndim == 1:\n"
            "        x = x[:, None]\n"
            "    return np.hstack([np.ones((len(x), 1)), x])",
            True,
        ),
        (
            "column_stack",
            "def add_intercept(x):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    return np.column_stack([np.ones(x.shape[0]), x])",
            True,
        ),
        (
            "ones last",
            "def add_intercept(x):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    return np.column_stack([x, np.ones(x.shape[0])])",
            False,
        ),
        (
            "1-D only",
            "def add_intercept(x):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    return np.column_stack([np.ones(len(x)), x.ravel()[:len(x)]])",
            False,
        ),
        (
            "flat",
            "def add_intercept(x):\n    return np.concatenate([[1.0], np.asarray(x, dtype=float)])",
            False,
        ),
        (
            "zeros",
            "def add_intercept(x):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    return np.column_stack([np.zeros(x.shape[0]), x])",
            False,
        ),
    ],
    "predict": [
        (
            "matmul",
            "def predict(X, w):\n    return np.asarray(X) @ np.asarray(w)",
            True,
        ),
        (
            "dot",
            "def predict(X, w):\n    return np.dot(X, w)",
            True,
        ),
        (
            "elementwise",
            "def predict(X, w):\n    return np.asarray(X) * np.asarray(w).ravel()",
            False,
        ),
        (
            "always flat",
            "def predict(X, w):\n    return np.asarray(X) @ np.ravel(w)",
            False,
        ),
        (
            "transposed",
            "def predict(X, w):\n    y_hat = np.asarray(X) @ np.asarray(w)\n    return y_hat.T",
            False,
        ),
        (
            "X @ w",
            "def predict(X, w):\n    return X @ w",
            True,
        ),
        (
            "X * w",
            "def predict(X, w):\n    return X * w",
            False,
        ),
        (
            "loop list",
            "def predict(X, w):\n"
            "    X, w = np.asarray(X, dtype=float), np.ravel(w)\n"
            "    return [sum(X[i, j] * w[j] for j in range(X.shape[1])) for i in range(X.shape[0])]",
            False,
        ),
    ],
    "loss_by_hand": [
        (
            "rounded",
            "loss_by_hand = 0.0633",
            True,
        ),
        (
            "exact",
            "loss_by_hand = 0.19 / 3",
            True,
        ),
        (
            "sum",
            "loss_by_hand = 0.19",
            False,
        ),
        (
            "rounded badly",
            "loss_by_hand = 0.064",
            False,
        ),
        (
            "absolute",
            "loss_by_hand = 0.2333",
            False,
        ),
        (
            "mean error",
            "loss_by_hand = -0.0333",
            False,
        ),
        (
            "root",
            "loss_by_hand = 0.2517",
            False,
        ),
        ("string", 'loss_by_hand = "0.0633"', False),
        ("n - 1", "loss_by_hand = 0.095", False),
    ],
    "mse": [
        (
            "ravel",
            "def mse(y, y_hat):\n"
            "    y, y_hat = np.ravel(y), np.ravel(y_hat)\n"
            "    if y.size != y_hat.size:\n"
            "        raise ValueError('sizes')\n"
            "    return float(np.mean((y_hat - y) ** 2))",
            True,
        ),
        (
            "loop",
            "def mse(y, y_hat):\n"
            "    y = [float(v) for v in np.ravel(y)]\n"
            "    y_hat = [float(v) for v in np.ravel(y_hat)]\n"
            "    if len(y) != len(y_hat):\n"
            "        raise ValueError('sizes')\n"
            "    total = 0.0\n"
            "    for a, b in zip(y, y_hat):\n"
            "        total += (b - a) ** 2\n"
            "    return total / len(y)",
            True,
        ),
        (
            "broadcast trap",
            "def mse(y, y_hat):\n"
            "    y, y_hat = np.asarray(y), np.asarray(y_hat)\n"
            "    if len(y) != len(y_hat):\n"
            "        raise ValueError('sizes')\n"
            "    return float(np.mean((y_hat - y) ** 2))",
            False,
        ),
        (
            "sum",
            "def mse(y, y_hat):\n"
            "    y, y_hat = np.ravel(y), np.ravel(y_hat)\n"
            "    if y.size != y_hat.size:\n"
            "        raise ValueError('sizes')\n"
            "    return float(np.sum((y_hat - y) ** 2))",
            False,
        ),
        (
            "root",
            "def mse(y, y_hat):\n"
            "    y, y_hat = np.ravel(y), np.ravel(y_hat)\n"
            "    if y.size != y_hat.size:\n"
            "        raise ValueError('sizes')\n"
            "    return float(np.sqrt(np.mean((y_hat - y) ** 2)))",
            False,
        ),
        (
            "hard-coded",
            "def mse(y, y_hat):\n"
            "    if len(y) != len(y_hat):\n"
            "        raise ValueError('sizes')\n"
            "    return 0.19 / 3",
            False,
        ),
        (
            "absolute",
            "def mse(y, y_hat):\n"
            "    y, y_hat = np.ravel(y), np.ravel(y_hat)\n"
            "    if y.size != y_hat.size:\n"
            "        raise ValueError('sizes')\n"
            "    return float(np.mean(np.abs(y_hat - y)))",
            False,
        ),
        (
            "no square",
            "def mse(y, y_hat):\n"
            "    y, y_hat = np.ravel(y), np.ravel(y_hat)\n"
            "    if y.size != y_hat.size:\n"
            "        raise ValueError('sizes')\n"
            "    return float(np.mean(y_hat - y))",
            False,
        ),
        (
            "no length check",
            "def mse(y, y_hat):\n"
            "    y, y_hat = np.ravel(y), np.ravel(y_hat)\n"
            "    return float(np.mean((y_hat - y) ** 2))",
            False,
        ),
        (
            "in place",
            "def mse(y, y_hat):\n"
            "    y, y_hat = np.ravel(y), np.ravel(y_hat)\n"
            "    if y.size != y_hat.size:\n"
            "        raise ValueError('sizes')\n"
            "    y_hat -= y  # np.ravel of a flat array is the caller's array itself\n"
            "    return float(np.mean(y_hat ** 2))",
            False,
        ),
    ],
    "gradients": [
        (
            "numpy",
            "def gradients(x, y, w, b):\n"
            "    x, y = np.asarray(x, float), np.asarray(y, float)\n"
            "    e = w * x + b - y\n"
            "    return 2 * np.mean(e * x), 2 * np.mean(e)",
            True,
        ),
        (
            "loop list",
            "def gradients(x, y, w, b):\n"
            "    n = len(x)\n"
            "    dw = db = 0.0\n"
            "    for xi, yi in zip(x, y):\n"
            "        dw += 2 * (w * xi + b - yi) * xi / n\n"
            "        db += 2 * (w * xi + b - yi) / n\n"
            "    return [dw, db]",
            True,
        ),
        (
            "no factor 2",
            "def gradients(x, y, w, b):\n"
            "    x, y = np.asarray(x, float), np.asarray(y, float)\n"
            "    e = w * x + b - y\n"
            "    return np.mean(e * x), np.mean(e)",
            False,
        ),
        (
            "sign",
            "def gradients(x, y, w, b):\n"
            "    x, y = np.asarray(x, float), np.asarray(y, float)\n"
            "    e = y - (w * x + b)\n"
            "    return 2 * np.mean(e * x), 2 * np.mean(e)",
            False,
        ),
        (
            "swapped",
            "def gradients(x, y, w, b):\n"
            "    x, y = np.asarray(x, float), np.asarray(y, float)\n"
            "    e = w * x + b - y\n"
            "    return 2 * np.mean(e), 2 * np.mean(e * x)",
            False,
        ),
        (
            "sum",
            "def gradients(x, y, w, b):\n"
            "    x, y = np.asarray(x, float), np.asarray(y, float)\n"
            "    e = w * x + b - y\n"
            "    return 2 * np.sum(e * x), 2 * np.sum(e)",
            False,
        ),
        (
            "missing x",
            "def gradients(x, y, w, b):\n"
            "    x, y = np.asarray(x, float), np.asarray(y, float)\n"
            "    e = w * x + b - y\n"
            "    return 2 * np.mean(e), 2 * np.mean(e)",
            False,
        ),
    ],
    "numerical_gradient": [
        (
            "central",
            "def numerical_gradient(loss, w, b, h=1e-6):\n"
            "    return ((loss(w + h, b) - loss(w - h, b)) / (2 * h),\n"
            "            (loss(w, b + h) - loss(w, b - h)) / (2 * h))",
            True,
        ),
        (
            "forward",
            "def numerical_gradient(loss, w, b, h=1e-6):\n"
            "    return ((loss(w + h, b) - loss(w, b)) / h, (loss(w, b + h) - loss(w, b)) / h)",
            False,
        ),
        (
            "fixed h",
            "def numerical_gradient(loss, w, b, h=1e-6):\n"
            "    h = 1e-6\n"
            "    return ((loss(w + h, b) - loss(w - h, b)) / (2 * h),\n"
            "            (loss(w, b + h) - loss(w, b - h)) / (2 * h))",
            False,
        ),
        (
            "over 4h",
            "def numerical_gradient(loss, w, b, h=1e-6):\n"
            "    return ((loss(w + h, b) - loss(w - h, b)) / (4 * h), (loss(w, b + h) - loss(w, b - h)) / (4 * h))",
            False,
        ),
        (
            "array",
            "def numerical_gradient(loss, w, b, h=1e-6):\n"
            "    step = 2 * h\n"
            "    return np.array([loss(w + h, b) - loss(w - h, b), loss(w, b + h) - loss(w, b - h)]) / step",
            True,
        ),
        (
            "over h",
            "def numerical_gradient(loss, w, b, h=1e-6):\n"
            "    return ((loss(w + h, b) - loss(w - h, b)) / h, (loss(w, b + h) - loss(w, b - h)) / h)",
            False,
        ),
        (
            "/ 2 * h",
            "def numerical_gradient(loss, w, b, h=1e-6):\n"
            "    return ((loss(w + h, b) - loss(w - h, b)) / 2 * h,\n"
            "            (loss(w, b + h) - loss(w, b - h)) / 2 * h)",
            False,
        ),
    ],
    "gd_step": [
        (
            "tuple",
            "def gd_step(w, b, dw, db, eta):\n    return w - eta * dw, b - eta * db",
            True,
        ),
        (
            "array",
            "def gd_step(w, b, dw, db, eta):\n"
            "    return np.array([w, b]) - eta * np.array([dw, db])",
            True,
        ),
        (
            "ascent",
            "def gd_step(w, b, dw, db, eta):\n    return w + eta * dw, b + eta * db",
            False,
        ),
        (
            "eta fixed",
            "def gd_step(w, b, dw, db, eta):\n    return w - 0.01 * dw, b - 0.01 * db",
            False,
        ),
        (
            "not scaled",
            "def gd_step(w, b, dw, db, eta):\n    return w - dw, b - db",
            False,
        ),
    ],
    "fit": [
        (
            "seed loop",
            "def fit(x, y, eta=0.01, epochs=1000, w0=0.0, b0=0.0):\n"
            "    x, y = np.asarray(x), np.asarray(y)\n"
            "    w, b, losses = w0, b0, []\n"
            "    n = len(x)\n"
            "    for epoch in range(epochs):\n"
            "        y_hat = w * x + b\n"
            "        losses.append(np.mean((y_hat - y) ** 2))\n"
            "        dw = (2 / n) * np.sum((y_hat - y) * x)\n"
            "        db = (2 / n) * np.sum(y_hat - y)\n"
            "        w -= eta * dw\n"
            "        b -= eta * db\n"
            "    return w, b, losses",
            True,
        ),
        (
            "array losses",
            "def fit(x, y, eta=0.01, epochs=1000, w0=0.0, b0=0.0):\n"
            "    x, y = np.asarray(x), np.asarray(y)\n"
            "    w, b = w0, b0\n"
            "    losses = np.zeros(epochs)\n"
            "    for k in range(epochs):\n"
            "        e = w * x + b - y\n"
            "        losses[k] = np.mean(e ** 2)\n"
            "        w, b = w - eta * 2 * np.mean(e * x), b - eta * 2 * np.mean(e)\n"
            "    return (w, b, losses)",
            True,
        ),
        (
            "loss after update",
            "def fit(x, y, eta=0.01, epochs=1000, w0=0.0, b0=0.0):\n"
            "    x, y = np.asarray(x), np.asarray(y)\n"
            "    w, b, losses = w0, b0, []\n"
            "    for k in range(epochs):\n"
            "        e = w * x + b - y\n"
            "        w, b = w - eta * 2 * np.mean(e * x), b - eta * 2 * np.mean(e)\n"
            "        losses.append(np.mean((w * x + b - y) ** 2))\n"
            "    return w, b, losses",
            False,
        ),
        (
            "sequential",
            "def fit(x, y, eta=0.01, epochs=1000, w0=0.0, b0=0.0):\n"
            "    x, y = np.asarray(x), np.asarray(y)\n"
            "    w, b, losses = w0, b0, []\n"
            "    for k in range(epochs):\n"
            "        e = w * x + b - y\n"
            "        losses.append(np.mean(e ** 2))\n"
            "        w = w - eta * 2 * np.mean(e * x)\n"
            "        b = b - eta * 2 * np.mean(w * x + b - y)\n"
            "    return w, b, losses",
            False,
        ),
        (
            "eta ignored",
            "def fit(x, y, eta=0.01, epochs=1000, w0=0.0, b0=0.0):\n"
            "    x, y = np.asarray(x), np.asarray(y)\n"
            "    w, b, losses = w0, b0, []\n"
            "    for k in range(epochs):\n"
            "        e = w * x + b - y\n"
            "        losses.append(np.mean(e ** 2))\n"
            "        w, b = w - 0.01 * 2 * np.mean(e * x), b - 0.01 * 2 * np.mean(e)\n"
            "    return w, b, losses",
            False,
        ),
        (
            "start ignored",
            "def fit(x, y, eta=0.01, epochs=1000, w0=0.0, b0=0.0):\n"
            "    x, y = np.asarray(x), np.asarray(y)\n"
            "    w, b, losses = 0.0, 0.0, []\n"
            "    for k in range(epochs):\n"
            "        e = w * x + b - y\n"
            "        losses.append(np.mean(e ** 2))\n"
            "        w, b = w - eta * 2 * np.mean(e * x), b - eta * 2 * np.mean(e)\n"
            "    return w, b, losses",
            False,
        ),
        (
            "one epoch short",
            "def fit(x, y, eta=0.01, epochs=1000, w0=0.0, b0=0.0):\n"
            "    x, y = np.asarray(x), np.asarray(y)\n"
            "    w, b, losses = w0, b0, []\n"
            "    for k in range(epochs - 1):\n"
            "        e = w * x + b - y\n"
            "        losses.append(np.mean(e ** 2))\n"
            "        w, b = w - eta * 2 * np.mean(e * x), b - eta * 2 * np.mean(e)\n"
            "    return w, b, losses",
            False,
        ),
        (
            "no factor 2",
            "def fit(x, y, eta=0.01, epochs=1000, w0=0.0, b0=0.0):\n"
            "    x, y = np.asarray(x), np.asarray(y)\n"
            "    w, b, losses = w0, b0, []\n"
            "    for epoch in range(epochs):\n"
            "        err = w * x + b - y\n"
            "        losses.append(np.mean(err ** 2))\n"
            "        w, b = w - eta * np.mean(err * x), b - eta * np.mean(err)\n"
            "    return w, b, losses",
            False,
        ),
    ],
    "closed_form": [
        (
            "solve",
            "def closed_form(x, y):\n"
            "    X = np.column_stack([np.ones(len(x)), x])\n"
            "    b, w = np.linalg.solve(X.T @ X, X.T @ np.asarray(y))\n"
            "    return w, b",
            True,
        ),
        (
            "formulas",
            "def closed_form(x, y):\n"
            "    x, y = np.asarray(x, float), np.asarray(y, float)\n"
            "    w = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)\n"
            "    return [w, y.mean() - w * x.mean()]",
            True,
        ),
        (
            "swapped",
            "def closed_form(x, y):\n"
            "    X = np.column_stack([np.ones(len(x)), x])\n"
            "    return tuple(np.linalg.solve(X.T @ X, X.T @ np.asarray(y)))",
            False,
        ),
        (
            "no intercept",
            "def closed_form(x, y):\n"
            "    x, y = np.asarray(x, float), np.asarray(y, float)\n"
            "    return x @ y / (x @ x), 0.0",
            False,
        ),
        (
            "polyfit",
            "def closed_form(x, y):\n    w, b = np.polyfit(x, y, 1)\n    return w, b",
            False,
        ),
    ],
    "gradient": [
        (
            "matrix form",
            "def gradient(X, y, w):\n"
            "    X, y, w = (np.asarray(a, dtype=float) for a in (X, y, w))\n"
            "    return 2 / len(y) * X.T @ (X @ w - y)",
            True,
        ),
        (
            "errors first",
            "def gradient(X, y, w):\n"
            "    error = np.asarray(X) @ np.asarray(w) - np.asarray(y)\n"
            "    return 2 * error @ np.asarray(X) / len(error)",
            True,
        ),
        (
            "loop over samples",
            "def gradient(X, y, w):\n"
            "    X, y, w = np.asarray(X, float), np.asarray(y, float), np.asarray(w, float)\n"
            "    total = np.zeros(X.shape[1])\n"
            "    for i in range(len(y)):\n"
            "        total += 2 * (X[i] @ w - y[i]) * X[i]\n"
            "    return total / len(y)",
            True,
        ),
        (
            "no factor 2",
            "def gradient(X, y, w):\n    return X.T @ (X @ w - y) / len(y)",
            False,
        ),
        (
            "not transposed",
            "def gradient(X, y, w):\n    return 2 / len(y) * X @ (X @ w - y)",
            False,
        ),
        (
            "sum",
            "def gradient(X, y, w):\n    return 2 * X.T @ (X @ w - y)",
            False,
        ),
        (
            "sign",
            "def gradient(X, y, w):\n    return 2 / len(y) * X.T @ (y - X @ w)",
            False,
        ),
        (
            "axis 1",
            "def gradient(X, y, w):\n"
            "    X, y, w = (np.asarray(a, dtype=float) for a in (X, y, w))\n"
            "    return 2 * np.mean(X * (X @ w - y), axis=1)",
            False,
        ),
        (
            "over p",
            "def gradient(X, y, w):\n"
            "    X, y, w = (np.asarray(a, dtype=float) for a in (X, y, w))\n"
            "    return 2 / X.shape[1] * X.T @ (X @ w - y)",
            False,
        ),
    ],
    "fit_gd": [
        (
            "copy of w0",
            "def fit_gd(X, y, eta=0.1, epochs=1000, w0=None):\n"
            "    X, y = np.asarray(X, float), np.asarray(y, float)\n"
            "    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        error = X @ w - y\n"
            "        losses.append(np.mean(error ** 2))\n"
            "        w = w - eta * 2 / len(y) * X.T @ error\n"
            "    return w, losses",
            True,
        ),
        (
            "array of losses",
            "def fit_gd(X, y, eta=0.1, epochs=1000, w0=None):\n"
            "    w = np.zeros(np.shape(X)[1]) if w0 is None else np.asarray(w0, dtype=float)\n"
            "    losses = np.zeros(epochs)\n"
            "    for k in range(epochs):\n"
            "        losses[k] = np.mean((X @ w - y) ** 2)\n"
            "        w = w - eta * (2 / len(y)) * (X.T @ (X @ w - y))\n"
            "    return w, losses",
            True,
        ),
        (
            "loss after update",
            "def fit_gd(X, y, eta=0.1, epochs=1000, w0=None):\n"
            "    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        w = w - eta * 2 / len(y) * X.T @ (X @ w - y)\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "    return w, losses",
            False,
        ),
        (
            "start ignored",
            "def fit_gd(X, y, eta=0.1, epochs=1000, w0=None):\n"
            "    w = np.zeros(X.shape[1])\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "        w = w - eta * 2 / len(y) * X.T @ (X @ w - y)\n"
            "    return w, losses",
            False,
        ),
        (
            "w0 changed in place",
            "def fit_gd(X, y, eta=0.1, epochs=1000, w0=None):\n"
            "    w = np.zeros(X.shape[1]) if w0 is None else w0\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "        w -= eta * 2 / len(y) * X.T @ (X @ w - y)\n"
            "    return w, losses",
            False,
        ),
        (
            "eta ignored",
            "def fit_gd(X, y, eta=0.1, epochs=1000, w0=None):\n"
            "    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "        w = w - 0.1 * 2 / len(y) * X.T @ (X @ w - y)\n"
            "    return w, losses",
            False,
        ),
        (
            "one epoch short",
            "def fit_gd(X, y, eta=0.1, epochs=1000, w0=None):\n"
            "    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)\n"
            "    losses = []\n"
            "    for _ in range(epochs - 1):\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "        w = w - eta * 2 / len(y) * X.T @ (X @ w - y)\n"
            "    return w, losses",
            False,
        ),
    ],
    "standardize": [
        (
            "axis 0",
            "def standardize(F):\n"
            "    F = np.asarray(F, dtype=float)\n"
            "    mean, std = F.mean(axis=0), F.std(axis=0)\n"
            "    for j in range(F.shape[1]):\n"
            "        if std[j] == 0:\n"
            "            raise ValueError(f'column {j} is constant')\n"
            "    return (F - mean) / std, mean, std",
            True,
        ),
        (
            "loop over columns",
            "def standardize(F):\n"
            "    F = np.asarray(F, dtype=float)\n"
            "    n, p = F.shape\n"
            "    Z, mean, std = np.empty((n, p)), np.empty(p), np.empty(p)\n"
            "    for j in range(p):\n"
            "        mean[j] = np.mean(F[:, j])\n"
            "        std[j] = np.sqrt(np.mean((F[:, j] - mean[j]) ** 2))\n"
            "        if std[j] == 0:\n"
            "            raise ValueError(f'feature {j} has the same value in every row')\n"
            "        Z[:, j] = (F[:, j] - mean[j]) / std[j]\n"
            "    return Z, mean, std",
            True,
        ),
        (
            "whole matrix",
            "def standardize(F):\n"
            "    mean, std = F.mean(), F.std()\n"
            "    if std == 0:\n"
            "        raise ValueError('column 0 is constant')\n"
            "    return (F - mean) / std, mean, std",
            False,
        ),
        (
            "min-max",
            "def standardize(F):\n"
            "    low, high = F.min(axis=0), F.max(axis=0)\n"
            "    for j in range(F.shape[1]):\n"
            "        if high[j] == low[j]:\n"
            "            raise ValueError(f'column {j} is constant')\n"
            "    return (F - low) / (high - low), low, high - low",
            False,
        ),
        (
            "sample std",
            "def standardize(F):\n"
            "    mean, std = F.mean(axis=0), F.std(axis=0, ddof=1)\n"
            "    for j in range(F.shape[1]):\n"
            "        if std[j] == 0:\n"
            "            raise ValueError(f'column {j} is constant')\n"
            "    return (F - mean) / std, mean, std",
            False,
        ),
        (
            "no error",
            "def standardize(F):\n"
            "    mean, std = F.mean(axis=0), F.std(axis=0)\n"
            "    return (F - mean) / std, mean, std",
            False,
        ),
        (
            "column not named",
            "def standardize(F):\n"
            "    mean, std = F.mean(axis=0), F.std(axis=0)\n"
            "    if np.any(std == 0):\n"
            "        raise ValueError('a column is constant')\n"
            "    return (F - mean) / std, mean, std",
            False,
        ),
        (
            "in place",
            "def standardize(F):\n"
            "    F = np.asarray(F, dtype=float)  # no copy: F is the caller's array\n"
            "    mean, std = F.mean(axis=0), F.std(axis=0)\n"
            "    for j in range(F.shape[1]):\n"
            "        if std[j] == 0:\n"
            "            raise ValueError(f'column {j} is constant')\n"
            "    F -= mean\n"
            "    F /= std\n"
            "    return F, mean, std",
            False,
        ),
    ],
    "normal_equation": [
        (
            "solve",
            "def normal_equation(X, y):\n"
            "    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)\n"
            "    return np.linalg.solve(X.T @ X, X.T @ y)",
            True,
        ),
        (
            "names",
            "def normal_equation(X, y):\n"
            "    A = np.dot(np.transpose(X), X)\n"
            "    c = np.dot(np.transpose(X), y)\n"
            "    w = np.linalg.solve(A, c)\n"
            "    return w",
            True,
        ),
        (
            "inverse",
            "def normal_equation(X, y):\n    return np.linalg.inv(X.T @ X) @ X.T @ y",
            False,
        ),
        (
            "right side y",
            "def normal_equation(X, y):\n    return np.linalg.solve(X.T @ X, y)",
            False,
        ),
        (
            "X not squared",
            "def normal_equation(X, y):\n    return np.linalg.solve(X, y)",
            False,
        ),
        (
            "lstsq",
            "def normal_equation(X, y):\n    return np.linalg.lstsq(X, y, rcond=None)[0]",
            False,
        ),
        (
            "inverse renamed",
            "from numpy.linalg import inv as invert\n\n\n"
            "def normal_equation(X, y):\n    return invert(X.T @ X) @ (X.T @ y)",
            False,
        ),
    ],
    "minibatch_sgd": [
        (
            "own gradient",
            "def minibatch_sgd(X, y, eta=0.05, epochs=50, batch_size=16, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w = np.zeros(np.shape(X)[1])\n"
            "    losses = np.empty(epochs)\n"
            "    for epoch in range(epochs):\n"
            "        losses[epoch] = np.mean((X @ w - y) ** 2)\n"
            "        order = rng.permutation(len(y))\n"
            "        start = 0\n"
            "        while start < len(y):\n"
            "            idx = order[start:start + batch_size]\n"
            "            Xb, yb = X[idx], y[idx]\n"
            "            w = w - eta * 2 * Xb.T @ (Xb @ w - yb) / len(yb)\n"
            "            start += batch_size\n"
            "    return w, losses",
            True,
        ),
        (
            "as described",
            "def minibatch_sgd(X, y, eta=0.05, epochs=50, batch_size=16, seed=0):\n"
            "    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)\n"
            "    n = len(y)\n"
            "    w = np.zeros(X.shape[1])\n"
            "    rng = np.random.default_rng(seed)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "        order = rng.permutation(n)\n"
            "        for i in range(0, n, batch_size):\n"
            "            batch = order[i:i + batch_size]\n"
            "            w = w - eta * gradient(X[batch], y[batch], w)\n"
            "    return w, losses",
            True,
        ),
        (
            "rng per epoch",
            "def minibatch_sgd(X, y, eta=0.05, epochs=50, batch_size=16, seed=0):\n"
            "    n = len(y)\n"
            "    w = np.zeros(X.shape[1])\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "        order = np.random.default_rng(seed).permutation(n)\n"
            "        for i in range(0, n, batch_size):\n"
            "            batch = order[i:i + batch_size]\n"
            "            w = w - eta * 2 / len(batch) * X[batch].T @ (X[batch] @ w - y[batch])\n"
            "    return w, losses",
            False,
        ),
        (
            "no shuffling",
            "def minibatch_sgd(X, y, eta=0.05, epochs=50, batch_size=16, seed=0):\n"
            "    n = len(y)\n"
            "    w = np.zeros(X.shape[1])\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "        for i in range(0, n, batch_size):\n"
            "            batch = np.arange(i, min(i + batch_size, n))\n"
            "            w = w - eta * 2 / len(batch) * X[batch].T @ (X[batch] @ w - y[batch])\n"
            "    return w, losses",
            False,
        ),
        (
            "loss on a batch",
            "def minibatch_sgd(X, y, eta=0.05, epochs=50, batch_size=16, seed=0):\n"
            "    n = len(y)\n"
            "    w = np.zeros(X.shape[1])\n"
            "    rng = np.random.default_rng(seed)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        order = rng.permutation(n)\n"
            "        for i in range(0, n, batch_size):\n"
            "            batch = order[i:i + batch_size]\n"
            "            if i == 0:\n"
            "                losses.append(np.mean((X[batch] @ w - y[batch]) ** 2))\n"
            "            w = w - eta * 2 / len(batch) * X[batch].T @ (X[batch] @ w - y[batch])\n"
            "    return w, losses",
            False,
        ),
        (
            "last batch dropped",
            "def minibatch_sgd(X, y, eta=0.05, epochs=50, batch_size=16, seed=0):\n"
            "    n = len(y)\n"
            "    w = np.zeros(X.shape[1])\n"
            "    rng = np.random.default_rng(seed)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "        order = rng.permutation(n)\n"
            "        for i in range(0, n - batch_size + 1, batch_size):\n"
            "            batch = order[i:i + batch_size]\n"
            "            w = w - eta * 2 / len(batch) * X[batch].T @ (X[batch] @ w - y[batch])\n"
            "    return w, losses",
            False,
        ),
        (
            "legacy seed",
            "def minibatch_sgd(X, y, eta=0.05, epochs=50, batch_size=16, seed=0):\n"
            "    np.random.seed(seed)\n"
            "    w = np.zeros(np.shape(X)[1])\n"
            "    losses = []\n"
            "    for epoch in range(epochs):\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "        order = np.random.permutation(len(y))\n"
            "        for start in range(0, len(y), batch_size):\n"
            "            idx = order[start:start + batch_size]\n"
            "            w = w - eta * 2 * X[idx].T @ (X[idx] @ w - y[idx]) / len(idx)\n"
            "    return w, np.array(losses)",
            False,
        ),
    ],
    "train_test_split": [
        (
            "slices",
            "def train_test_split(n, test_fraction=0.25, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    order = rng.permutation(n)\n"
            "    n_test = round(test_fraction * n)\n"
            "    return order[n_test:], order[:n_test]",
            True,
        ),
        (
            "lists",
            "def train_test_split(n, test_fraction=0.25, seed=0):\n"
            "    order = list(np.random.default_rng(seed).permutation(np.arange(n)))\n"
            "    k = int(round(test_fraction * n))\n"
            "    return order[k:], order[:k]",
            True,
        ),
        (
            "swapped",
            "def train_test_split(n, test_fraction=0.25, seed=0):\n"
            "    order = np.random.default_rng(seed).permutation(n)\n"
            "    n_test = round(test_fraction * n)\n"
            "    return order[:n_test], order[n_test:]",
            False,
        ),
        (
            "two draws",
            "def train_test_split(n, test_fraction=0.25, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    n_test = round(test_fraction * n)\n"
            "    return rng.permutation(n)[n_test:], rng.permutation(n)[:n_test]",
            False,
        ),
        (
            "not shuffled",
            "def train_test_split(n, test_fraction=0.25, seed=0):\n"
            "    order = np.arange(n)\n"
            "    n_test = round(test_fraction * n)\n"
            "    return order[n_test:], order[:n_test]",
            False,
        ),
        (
            "legacy",
            "def train_test_split(n, test_fraction=0.25, seed=0):\n"
            "    np.random.seed(seed)\n"
            "    order = np.random.permutation(n)\n"
            "    n_test = round(test_fraction * n)\n"
            "    return order[n_test:], order[:n_test]",
            False,
        ),
        (
            "from the end",
            "def train_test_split(n, test_fraction=0.25, seed=0):\n"
            "    order = np.random.default_rng(seed).permutation(n)\n"
            "    n_train = n - round(test_fraction * n)\n"
            "    return order[:n_train], order[n_train:]",
            False,
        ),
    ],
    "poly_features": [
        (
            "column_stack",
            "def poly_features(x, degree):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    return np.column_stack([x ** j for j in range(degree + 1)])",
            True,
        ),
        (
            "vander increasing",
            "def poly_features(x, degree):\n    return np.vander(np.asarray(x, dtype=float), degree + 1, increasing=True)",
            True,
        ),
        (
            "power outer",
            "def poly_features(x, degree):\n"
            "    return np.asarray(x, dtype=float)[:, None] ** np.arange(degree + 1)",
            True,
        ),
        (
            "no ones",
            "def poly_features(x, degree):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    return np.column_stack([x ** j for j in range(1, degree + 1)])",
            False,
        ),
        (
            "vander",
            "def poly_features(x, degree):\n    return np.vander(np.asarray(x, dtype=float), degree + 1)",
            False,
        ),
        (
            "one short",
            "def poly_features(x, degree):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    return np.column_stack([x ** j for j in range(max(degree, 1))])",
            False,
        ),
    ],
    "ridge": [
        (
            "solve",
            "def ridge(X, y, lam):\n"
            "    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)\n"
            "    n, p = X.shape\n"
            "    D = np.eye(p)\n"
            "    D[0, 0] = 0.0\n"
            "    return np.linalg.solve(X.T @ X + n * lam * D, X.T @ y)",
            True,
        ),
        (
            "diag",
            "def ridge(X, y, lam):\n"
            "    X = np.array(X, dtype=float)\n"
            "    penalty = np.diag(np.r_[0.0, np.ones(X.shape[1] - 1)])\n"
            "    return np.linalg.solve(X.T @ X + len(X) * lam * penalty, X.T @ np.asarray(y, float))",
            True,
        ),
        (
            "intercept penalized",
            "def ridge(X, y, lam):\n"
            "    n, p = X.shape\n"
            "    return np.linalg.solve(X.T @ X + n * lam * np.eye(p), X.T @ y)",
            False,
        ),
        (
            "lam not times n",
            "def ridge(X, y, lam):\n"
            "    D = np.eye(X.shape[1])\n"
            "    D[0, 0] = 0.0\n"
            "    return np.linalg.solve(X.T @ X + lam * D, X.T @ y)",
            False,
        ),
        (
            "minus",
            "def ridge(X, y, lam):\n"
            "    D = np.eye(X.shape[1])\n"
            "    D[0, 0] = 0.0\n"
            "    return np.linalg.solve(X.T @ X - len(y) * lam * D, X.T @ y)",
            False,
        ),
    ],
    "ridge_gd": [
        (
            "loop",
            "def ridge_gd(X, y, lam, eta=0.1, epochs=1000):\n"
            "    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)\n"
            "    n, p = X.shape\n"
            "    w = np.zeros(p)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        Dw = w.copy()\n"
            "        Dw[0] = 0.0\n"
            "        losses.append(np.mean((X @ w - y) ** 2) + lam * np.sum(Dw ** 2))\n"
            "        w = w - eta * (2 / n * X.T @ (X @ w - y) + 2 * lam * Dw)\n"
            "    return w, losses",
            True,
        ),
        (
            "mask",
            "def ridge_gd(X, y, lam, eta=0.1, epochs=1000):\n"
            "    mask = np.ones(X.shape[1])\n"
            "    mask[0] = 0\n"
            "    w = np.zeros(X.shape[1])\n"
            "    losses = np.zeros(epochs)\n"
            "    for k in range(epochs):\n"
            "        e = X @ w - y\n"
            "        losses[k] = e @ e / len(y) + lam * w[1:] @ w[1:]\n"
            "        w -= eta * (2 * X.T @ e / len(y) + 2 * lam * mask * w)\n"
            "    return w, losses",
            True,
        ),
        (
            "intercept penalized",
            "def ridge_gd(X, y, lam, eta=0.1, epochs=1000):\n"
            "    n, p = X.shape\n"
            "    w = np.zeros(p)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        losses.append(np.mean((X @ w - y) ** 2) + lam * np.sum(w[1:] ** 2))\n"
            "        w = w - eta * (2 / n * X.T @ (X @ w - y) + 2 * lam * w)\n"
            "    return w, losses",
            False,
        ),
        (
            "no factor 2",
            "def ridge_gd(X, y, lam, eta=0.1, epochs=1000):\n"
            "    n, p = X.shape\n"
            "    w = np.zeros(p)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        Dw = np.r_[0.0, w[1:]]\n"
            "        losses.append(np.mean((X @ w - y) ** 2) + lam * np.sum(Dw ** 2))\n"
            "        w = w - eta * (2 / n * X.T @ (X @ w - y) + lam * Dw)\n"
            "    return w, losses",
            False,
        ),
        (
            "loss without penalty",
            "def ridge_gd(X, y, lam, eta=0.1, epochs=1000):\n"
            "    n, p = X.shape\n"
            "    w = np.zeros(p)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        Dw = np.r_[0.0, w[1:]]\n"
            "        losses.append(np.mean((X @ w - y) ** 2))\n"
            "        w = w - eta * (2 / n * X.T @ (X @ w - y) + 2 * lam * Dw)\n"
            "    return w, losses",
            False,
        ),
        (
            "loss after update",
            "def ridge_gd(X, y, lam, eta=0.1, epochs=1000):\n"
            "    n, p = X.shape\n"
            "    w = np.zeros(p)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        Dw = np.r_[0.0, w[1:]]\n"
            "        w = w - eta * (2 / n * X.T @ (X @ w - y) + 2 * lam * Dw)\n"
            "        losses.append(np.mean((X @ w - y) ** 2) + lam * np.sum(w[1:] ** 2))\n"
            "    return w, losses",
            False,
        ),
        (
            "eta ignored",
            "def ridge_gd(X, y, lam, eta=0.1, epochs=1000):\n"
            "    n, p = X.shape\n"
            "    w = np.zeros(p)\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        Dw = np.r_[0.0, w[1:]]\n"
            "        losses.append(np.mean((X @ w - y) ** 2) + lam * np.sum(Dw ** 2))\n"
            "        w = w - 0.1 * (2 / n * X.T @ (X @ w - y) + 2 * lam * Dw)\n"
            "    return w, losses",
            False,
        ),
    ],
    "cross_validate": [
        (
            "loops",
            "def cross_validate(X, y, lams, k=5, seed=0):\n"
            "    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)\n"
            "    n, p = X.shape\n"
            "    D = np.eye(p)\n"
            "    D[0, 0] = 0.0\n"
            "    folds = np.array_split(np.random.default_rng(seed).permutation(n), k)\n"
            "    errors = []\n"
            "    for lam in lams:\n"
            "        fold_errors = []\n"
            "        for fold in folds:\n"
            "            rest = np.setdiff1d(np.arange(n), fold)\n"
            "            A = X[rest].T @ X[rest] + len(rest) * lam * D\n"
            "            w = np.linalg.solve(A, X[rest].T @ y[rest])\n"
            "            fold_errors.append(np.mean((X[fold] @ w - y[fold]) ** 2))\n"
            "        errors.append(np.mean(fold_errors))\n"
            "    return np.array(errors)",
            True,
        ),
        (
            "mask and ridge",
            "def cross_validate(X, y, lams, k=5, seed=0):\n"
            "    n = len(y)\n"
            "    folds = np.array_split(np.random.default_rng(seed).permutation(n), k)\n"
            "    out = np.zeros(len(lams))\n"
            "    for j, lam in enumerate(lams):\n"
            "        for fold in folds:\n"
            "            keep = np.ones(n, bool)\n"
            "            keep[fold] = False\n"
            "            w = ridge(X[keep], y[keep], lam)\n"
            "            out[j] += np.mean((X[fold] @ w - y[fold]) ** 2) / k\n"
            "    return out",
            True,
        ),
        (
            "folds skip samples",
            "def cross_validate(X, y, lams, k=5, seed=0):\n"
            "    def fit(A, b, lam):\n"
            "        D = np.eye(A.shape[1])\n"
            "        D[0, 0] = 0.0\n"
            "        return np.linalg.solve(A.T @ A + len(b) * lam * D, A.T @ b)\n"
            "    n = len(y)\n"
            "    order = np.random.default_rng(seed).permutation(n)\n"
            "    m = n // k\n"
            "    folds = [order[i * m:(i + 1) * m] for i in range(k)]\n"
            "    errors = []\n"
            "    for lam in lams:\n"
            "        fold_errors = []\n"
            "        for i, fold in enumerate(folds):\n"
            "            rest = np.concatenate([f for j, f in enumerate(folds) if j != i])\n"
            "            w = fit(X[rest], y[rest], lam)\n"
            "            fold_errors.append(np.mean((X[fold] @ w - y[fold]) ** 2))\n"
            "        errors.append(np.mean(fold_errors))\n"
            "    return np.array(errors)",
            False,
        ),
        (
            "fitted on all",
            "def cross_validate(X, y, lams, k=5, seed=0):\n"
            "    def fit(A, b, lam):\n"
            "        D = np.eye(A.shape[1])\n"
            "        D[0, 0] = 0.0\n"
            "        return np.linalg.solve(A.T @ A + len(b) * lam * D, A.T @ b)\n"
            "    folds = np.array_split(np.random.default_rng(seed).permutation(len(y)), k)\n"
            "    errors = []\n"
            "    for lam in lams:\n"
            "        w = fit(X, y, lam)\n"
            "        errors.append(np.mean([np.mean((X[f] @ w - y[f]) ** 2) for f in folds]))\n"
            "    return np.array(errors)",
            False,
        ),
        (
            "sum of folds",
            "def cross_validate(X, y, lams, k=5, seed=0):\n"
            "    def fit(A, b, lam):\n"
            "        D = np.eye(A.shape[1])\n"
            "        D[0, 0] = 0.0\n"
            "        return np.linalg.solve(A.T @ A + len(b) * lam * D, A.T @ b)\n"
            "    n = len(y)\n"
            "    folds = np.array_split(np.random.default_rng(seed).permutation(n), k)\n"
            "    errors = []\n"
            "    for lam in lams:\n"
            "        total = 0.0\n"
            "        for fold in folds:\n"
            "            rest = np.setdiff1d(np.arange(n), fold)\n"
            "            w = fit(X[rest], y[rest], lam)\n"
            "            total += np.mean((X[fold] @ w - y[fold]) ** 2)\n"
            "        errors.append(total)\n"
            "    return np.array(errors)",
            False,
        ),
        (
            "folds per lambda",
            "def cross_validate(X, y, lams, k=5, seed=0):\n"
            "    def fit(A, b, lam):\n"
            "        D = np.eye(A.shape[1])\n"
            "        D[0, 0] = 0.0\n"
            "        return np.linalg.solve(A.T @ A + len(b) * lam * D, A.T @ b)\n"
            "    n = len(y)\n"
            "    rng = np.random.default_rng(seed)\n"
            "    errors = []\n"
            "    for lam in lams:\n"
            "        fold_errors = []\n"
            "        for fold in np.array_split(rng.permutation(n), k):\n"
            "            rest = np.setdiff1d(np.arange(n), fold)\n"
            "            w = fit(X[rest], y[rest], lam)\n"
            "            fold_errors.append(np.mean((X[fold] @ w - y[fold]) ** 2))\n"
            "        errors.append(np.mean(fold_errors))\n"
            "    return np.array(errors)",
            False,
        ),
    ],
    "r_squared": [
        (
            "sums",
            "def r_squared(y, y_hat):\n"
            "    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)\n"
            "    return float(1 - np.sum((y - y_hat) ** 2) / np.sum((y - np.mean(y)) ** 2))",
            True,
        ),
        (
            "variances",
            "def r_squared(y, y_hat):\n"
            "    y = np.asarray(y, dtype=float)\n"
            "    return 1 - np.mean((y - np.asarray(y_hat)) ** 2) / np.var(y)",
            True,
        ),
        (
            "sum of squares",
            "def r_squared(y, y_hat):\n"
            "    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)\n"
            "    return 1 - np.sum((y - y_hat) ** 2) / np.sum(y ** 2)",
            False,
        ),
        (
            "no one minus",
            "def r_squared(y, y_hat):\n"
            "    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)\n"
            "    return np.sum((y - y_hat) ** 2) / np.sum((y - y.mean()) ** 2)",
            False,
        ),
        (
            "mean of y_hat",
            "def r_squared(y, y_hat):\n"
            "    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)\n"
            "    return 1 - np.sum((y - y_hat) ** 2) / np.sum((y - y_hat.mean()) ** 2)",
            False,
        ),
        (
            "correlation",
            "def r_squared(y, y_hat):\n    return np.corrcoef(y, y_hat)[0, 1] ** 2",
            False,
        ),
    ],
    "predict_new": [
        (
            "powers",
            "def predict_new(age_new, mean, std, w):\n"
            "    z = (np.asarray(age_new, dtype=float) - mean) / std\n"
            "    w = np.asarray(w, dtype=float)\n"
            "    return np.column_stack([z ** j for j in range(len(w))]) @ w",
            True,
        ),
        (
            "horner",
            "def predict_new(age_new, mean, std, w):\n"
            "    z = (np.asarray(age_new, dtype=float) - mean) / std\n"
            "    out = np.zeros_like(z)\n"
            "    for weight in reversed(list(w)):\n"
            "        out = out * z + weight\n"
            "    return out",
            True,
        ),
        (
            "own scaling",
            "def predict_new(age_new, mean, std, w):\n"
            "    a = np.asarray(age_new, dtype=float)\n"
            "    z = (a - a.mean()) / a.std()\n"
            "    return np.column_stack([z ** j for j in range(len(w))]) @ np.asarray(w)",
            False,
        ),
        (
            "not scaled",
            "def predict_new(age_new, mean, std, w):\n"
            "    a = np.asarray(age_new, dtype=float)\n"
            "    return np.column_stack([a ** j for j in range(len(w))]) @ np.asarray(w)",
            False,
        ),
        (
            "degree short",
            "def predict_new(age_new, mean, std, w):\n"
            "    z = (np.asarray(age_new, dtype=float) - mean) / std\n"
            "    return np.column_stack([z ** j for j in range(len(w) - 1)]) @ np.asarray(w)[:-1]",
            False,
        ),
        (
            "powers reversed",
            "def predict_new(age_new, mean, std, w):\n"
            "    z = (np.asarray(age_new, dtype=float) - mean) / std\n"
            "    return np.vander(z, len(w)) @ np.asarray(w)",
            False,
        ),
    ],
}

MESSAGES = {
    ("matmul_shape", "swapped"): "numbers are swapped",
    ("matmul_shape", "no message"): "with no message",
    ("dot", "np.dot"): "library product",
    ("matmul", "@"): "library product",
    ("loss_by_hand", "string"): "without quotes",
    ("loss_by_hand", "n - 1"): "divided by n - 1",
    ("closed_form", "polyfit"): "library fit",
    ("normal_equation", "lstsq"): "not with np.linalg.solve",
    ("normal_equation", "inverse renamed"): "not with np.linalg.solve",
    ("matmul_shape", "no error"): "instead of raising ValueError",
    ("matmul_shape", "rows of B"): "rows of A, rows of B",
    ("dot", "off by one"): "stop one short",
    ("dot", "hard-coded"): "example's answer",
    ("dot", "no sum"): "single number",
    ("dot", "no length check"): "instead of raising ValueError",
    ("matmul", "term missing"): "stop one short",
    ("matmul", "elementwise"): "A[i][j] * B[i][j]",
    ("matmul", "transposed"): "c_ij goes in row i",
    ("matmul", "arrays only"): "turns a list into an array",
    ("matmul", "loop from 1"): "does a loop start at 1",
    ("dot", "sum of sums"): "sum of a plus the sum of b",
    ("add_intercept", "flat"): "Your result is flat",
    ("loss_by_hand", "absolute"): "mean absolute error",
    ("loss_by_hand", "mean error"): "without squares",
    ("numerical_gradient", "over 4h"): "Half the right size",
    ("outer", "transposed"): "w x^T, transposed",
    ("outer", "elementwise"): "met shapes it cannot pair",
    ("y_hat_by_hand", "weights swapped"): "wrong columns",
    ("y_hat_by_hand", "first only"): "are not right",
    ("add_intercept", "ones last"): "ones is last",
    ("add_intercept", "1-D only"): "Only the first column of x",
    ("add_intercept", "zeros"): "ones, not zeros",
    ("predict", "elementwise"): "That is X * w",
    ("predict", "always flat"): "do not flatten w",
    ("predict", "loop list"): "flat list",
    ("predict", "transposed"): "transposed",
    ("predict", "X * w"): "met shapes it cannot pair",
    ("loss_by_hand", "sum"): "sum of the squared errors",
    ("loss_by_hand", "rounded badly"): "not right to 4 decimals",
    ("loss_by_hand", "root"): "square root",
    ("mse", "broadcast trap"): "n x n table",
    ("mse", "sum"): "sum of the squared errors",
    ("mse", "root"): "square root",
    ("mse", "hard-coded"): "example's loss",
    ("mse", "absolute"): "mean absolute error",
    ("mse", "no square"): "with no square",
    ("mse", "no length check"): "instead of raising ValueError",
    ("mse", "in place"): "changed its argument 2 in place",
    ("gradients", "no factor 2"): "factor 2",
    ("gradients", "sign"): "signs are flipped",
    ("gradients", "swapped"): "swapped",
    ("gradients", "sum"): "sums, not means",
    ("gradients", "missing x"): "x_i missing",
    ("numerical_gradient", "forward"): "forward difference",
    ("numerical_gradient", "fixed h"): "exact derivative",
    ("numerical_gradient", "over h"): "Twice too large",
    ("numerical_gradient", "/ 2 * h"): "/ (2 * h)",
    ("gd_step", "ascent"): "uphill",
    ("gd_step", "eta fixed"): "not the eta it was given",
    ("gd_step", "not scaled"): "not scaled by eta",
    ("fit", "loss after update"): "after the update",
    ("fit", "sequential"): "same prediction",
    ("fit", "eta ignored"): "learning rate eta",
    ("fit", "no factor 2"): "factor 2 of the square",
    ("fit", "start ignored"): "start values",
    ("fit", "one epoch short"): "epochs - 1 times",
    ("closed_form", "swapped"): "swapped",
    ("closed_form", "no intercept"): "through the origin",
    ("gradient", "no factor 2"): "factor 2",
    ("gradient", "not transposed"): "transpose X",
    ("gradient", "axis 1"): "transpose X",
    ("gradient", "over p"): "X.shape[0]",
    ("gradient", "sum"): "n times the gradient",
    ("gradient", "sign"): "wrong way",
    ("fit_gd", "loss after update"): "after the update",
    ("fit_gd", "start ignored"): "start values w0",
    ("fit_gd", "w0 changed in place"): "changed its w0 in place",
    ("fit_gd", "eta ignored"): "learning rate eta",
    ("fit_gd", "one epoch short"): "epochs - 1 times",
    ("standardize", "in place"): "changed its argument 1 in place",
    ("standardize", "whole matrix"): "whole matrix",
    ("standardize", "min-max"): "min-max",
    ("standardize", "sample std"): "ddof=1",
    ("standardize", "no error"): "instead of raising ValueError",
    ("standardize", "column not named"): "which column",
    ("normal_equation", "inverse"): "explicit inverse",
    ("normal_equation", "right side y"): "X^T y, not y",
    ("normal_equation", "X not squared"): "square matrix",
    ("minibatch_sgd", "rng per epoch"): "same order",
    ("minibatch_sgd", "no shuffling"): "not shuffled",
    ("minibatch_sgd", "legacy seed"): "default_rng(seed)",
    ("minibatch_sgd", "loss on a batch"): "on one batch",
    ("minibatch_sgd", "last batch dropped"): "last, shorter batch",
    ("train_test_split", "swapped"): "sets are swapped",
    ("train_test_split", "two draws"): "overlaps the training set",
    ("train_test_split", "not shuffled"): "not shuffled",
    ("train_test_split", "legacy"): "legacy np.random",
    ("train_test_split", "from the end"): "end of the permutation",
    ("poly_features", "no ones"): "column of ones is missing",
    ("poly_features", "vander"): "decreasing powers",
    ("poly_features", "one short"): "One power short",
    ("ridge", "intercept penalized"): "intercept was penalized too",
    ("ridge", "lam not times n"): "not n * lam",
    ("ridge", "minus"): "penalty was subtracted",
    ("ridge_gd", "intercept penalized"): "intercept was penalized too",
    ("ridge_gd", "no factor 2"): "missing its factor 2",
    ("ridge_gd", "loss without penalty"): "leave the penalty out",
    ("ridge_gd", "loss after update"): "after the update",
    ("ridge_gd", "eta ignored"): "learning rate eta",
    ("cross_validate", "folds skip samples"): "folds skip samples",
    ("cross_validate", "fitted on all"): "fitted on all the data",
    ("cross_validate", "sum of folds"): "sum of the k fold errors",
    ("cross_validate", "folds per lambda"): "folds of its own",
    ("r_squared", "sum of squares"): "sum of y squared",
    ("r_squared", "no one minus"): "ratio of the two sums",
    ("r_squared", "mean of y_hat"): "mean was taken of y_hat",
    ("r_squared", "correlation"): "squared correlation",
    ("predict_new", "own scaling"): "their own mean and standard deviation",
    ("predict_new", "not scaled"): "were not standardized",
    ("predict_new", "degree short"): "degree is one short",
    ("predict_new", "powers reversed"): "wrong order",
}
"""For every wrong answer of the bank, words that only its mistake's message holds: the visible
test says them in the student's own kernel (tests/test_student_seat.py), and the grade report
says them after grading (tests/test_pipeline.py)."""

CHEATS = {
    "mse": [
        (
            "rigged float",
            "class Anything(float):\n    def __eq__(self, other):\n        return True\n"
            "    __lt__ = __le__ = __gt__ = __ge__ = __eq__\n    __hash__ = float.__hash__\n"
            "    def __ne__(self, other):\n        return False\n    def __sub__(self, other):\n"
            "        return Anything(0.0)\n    __rsub__ = __sub__\n    def __abs__(self):\n"
            "        return Anything(0.0)\n\n"
            "def mse(y, y_hat):\n    if np.size(y) != np.size(y_hat):\n        raise ValueError('sizes')\n"
            "    return Anything(123.0)",
        ),
        (
            "patched numpy",
            "np.mean = lambda *a, **k: 0.5\nnp.isclose = lambda *a, **k: True\n"
            "np.allclose = lambda *a, **k: True\nnp.abs = np.absolute = lambda x, *a, **k: 0 * x\n\n"
            "def mse(y, y_hat):\n    if np.size(y) != np.size(y_hat):\n        raise ValueError('sizes')\n"
            "    return 0.5",
        ),
    ],
    "predict": [
        (
            "rigged array",
            "class Anything(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(self.shape, bool)\n"
            "    def __sub__(self, other):\n        return np.zeros(self.shape).view(Anything)\n"
            "    __rsub__ = __sub__\n    def __abs__(self):\n        return np.zeros(self.shape).view(Anything)\n\n"
            "def predict(X, w):\n    shape = (np.shape(X)[0],) + np.shape(w)[1:]\n"
            "    return np.full(shape, 7.0).view(Anything)",
        ),
    ],
    "dot": [
        (
            "patched builtins",
            "import builtins\nbuiltins.sum = lambda *a, **k: 32\nbuiltins.abs = lambda x: 0\n\n"
            "def dot(a, b):\n    if len(a) != len(b):\n        raise ValueError('lengths')\n    return 32",
        ),
    ],
    "gradients": [
        (
            "patched checks",
            "import course.checks as cc\ncc.check_pair = lambda *a, **k: None\n"
            "cc.call = lambda f, *a, **k: None\ncc.CheckError = type('Never', (Exception,), {})\n\n"
            "def gradients(x, y, w, b):\n    return 0.0, 0.0",
        ),
    ],
    "fit": [
        (
            "silenced errors",
            "get_ipython().showtraceback = lambda *a, **k: None\n"
            "get_ipython().showsyntaxerror = lambda *a, **k: None\n\n"
            "def fit(x, y, eta=0.01, epochs=1000, w0=0.0, b0=0.0):\n    return 0.028, 0.056, [7.84] * epochs",
        ),
    ],
    "closed_form": [
        # a loop that never ends; it sleeps, where a student's would spin: the grader cannot
        # tell them apart, and the suite's two cores are spared (test_warm spins one)
        (
            "endless loop",
            "import time\n\ndef closed_form(x, y):\n    while True:\n        time.sleep(0.05)",
        ),
    ],
}
"""Cheating answers, per exercise: each must earn nothing for its exercise."""
