"""Seeds, data splits and training helpers shared by the lessons."""

from __future__ import annotations

import os
import random

import numpy as np


def set_seed(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and Keras/TensorFlow so a run can be repeated exactly.

    Parameters
    ----------
    seed : int
        The seed. The same seed gives the same weights, batches and numbers.
    deterministic : bool
        Also ask TensorFlow for deterministic kernels (``enable_op_determinism``),
        which makes two runs on the same machine bit-identical at a small speed cost.

    Introduced in: 04_one_hot_cnn
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {seed!r}; pass e.g. -p SEED 42")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(int(seed))
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def split_dataset(
    labels: np.ndarray,
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stratified train / validation / test indices.

    Parameters
    ----------
    labels : np.ndarray, shape (n,)
        Class labels (any hashable values); each split keeps their proportions.
    fractions : tuple of 3 floats
        Train, validation and test fractions; they must sum to 1.
    seed : int
        Seed for the shuffle.

    Returns
    -------
    train, valid, test : np.ndarray of int, shapes (n_train,), (n_valid,), (n_test,)
        Disjoint, sorted indices into ``labels``.

    Introduced in: 04_one_hot_cnn
    """
    from sklearn.model_selection import train_test_split

    labels = np.asarray(labels)
    if len(fractions) != 3 or not np.isclose(sum(fractions), 1.0) or min(fractions) <= 0:
        raise ValueError(
            f"fractions must be three positive numbers summing to 1 (train, valid, test), got {fractions}"
        )
    _, counts = np.unique(labels, return_counts=True)
    if counts.min() < 3:
        raise ValueError(
            "every class needs at least 3 examples to appear in train, validation and test; "
            f"the smallest class has {counts.min()}"
        )
    idx = np.arange(len(labels))
    train, rest = train_test_split(
        idx, train_size=fractions[0], stratify=labels, random_state=seed
    )
    valid_share = fractions[1] / (fractions[1] + fractions[2])
    valid, test = train_test_split(
        rest, train_size=valid_share, stratify=labels[rest], random_state=seed
    )
    return np.sort(train), np.sort(valid), np.sort(test)
