"""course_lib.gradients on every installed Keras backend: the same gradient as by hand."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = """
import json, numpy as np, keras
from course_lib.gradients import input_gradients
model = keras.Sequential([keras.Input((3, 2)), keras.layers.Flatten(),
                          keras.layers.Dense(1, activation="tanh", use_bias=False)])
w = np.linspace(-1, 1, 6, dtype="float32").reshape(6, 1)
model.layers[-1].set_weights([w])
X = np.arange(12, dtype="float32").reshape(2, 3, 2) / 20
g = input_gradients(lambda x: model(x, training=False)[:, 0], X)
print(json.dumps({"backend": keras.backend.backend(), "g": g.tolist(), "shape": list(g.shape)}))
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_input_gradients_match_the_chain_rule(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed (pip install {backend})")
    env = dict(os.environ, KERAS_BACKEND=backend)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["backend"] == backend
    w = np.linspace(-1, 1, 6).reshape(3, 2)
    X = np.arange(12).reshape(2, 3, 2) / 20
    expected = (1 - np.tanh((X * w).sum(axis=(1, 2))) ** 2)[:, None, None] * w   # d tanh(w.x) / dx
    np.testing.assert_allclose(result["g"], expected, rtol=1e-5, atol=1e-6)


def test_require_tensorflow_names_the_backend_and_the_fix(monkeypatch):
    import keras

    from course_lib.gradients import require_tensorflow

    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(RuntimeError, match=r"multi-worker training needs the TensorFlow backend "
                                           r"of Keras, not 'jax'; unset KERAS_BACKEND or set it to tensorflow"):
        require_tensorflow("multi-worker training")

