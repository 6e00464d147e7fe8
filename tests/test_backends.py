"""What is TensorFlow by nature says so on the JAX and PyTorch backends of Keras.

The multi-worker strategy of ``course train`` on a cluster is TensorFlow's; on another backend
each srun task would train a model of its own, so it raises one clear error instead. One
subprocess per session runs the calls on another backend (JAX, or the one this run uses).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = """
import json, os, keras
from course_lib import training
from course_lib.app import slurm, train

def message(call):
    try:
        call()
    except RuntimeError as err:
        return str(err)
    return None

single = train.distribution_strategy()  # one task: the default strategy, its scope a no-op
with single.scope():
    pass
single = type(single).__name__
os.environ.update(SLURM_STEP_NUM_TASKS="2", SLURM_STEP_TASKS_PER_NODE="2", SLURM_PROCID="0")
print(json.dumps({"backend": keras.backend.backend(), "single": single,
                  "multiworker_strategy": message(slurm.multiworker_strategy),
                  "distribution_strategy": message(train.distribution_strategy)}))
"""


@pytest.fixture(scope="module")
def other_backend():
    """The calls' results on JAX (or on this run's backend when it is not TensorFlow)."""
    import keras

    backend = keras.backend.backend()
    backend = "jax" if backend == "tensorflow" else backend
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env={**env, "KERAS_BACKEND": backend},
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["backend"] == backend
    return result


@pytest.mark.parametrize("function", ["multiworker_strategy", "distribution_strategy"])
def test_multi_worker_training_on_another_backend_names_backend_and_fix(other_backend, function):
    message = other_backend[function]
    assert message is not None, f"{function} did not raise on {other_backend['backend']}"
    assert "needs the TensorFlow backend of Keras" in message
    assert repr(other_backend["backend"]) in message
    assert "set it to tensorflow" in message


def test_one_task_on_another_backend_gets_the_default_strategy(other_backend):
    assert other_backend["single"] == "_DefaultDistributionStrategy"
