"""course_lib: the small library behind the deep-learning-for-genomics lessons.

Modules, one per topic:

- :mod:`course_lib.sequences`      one-hot / integer encoding, decoding, reverse complement, k-mers
- :mod:`course_lib.simulation`     planted-motif data sets with their ground truth
- :mod:`course_lib.data`           the checksummed data registry and loaders for your own files
- :mod:`course_lib.models`         Keras 3 builders of the published models; safe-mode loading
- :mod:`course_lib.architectures`  lesson 09: embedding, 1D Wide ResNet, Transformer/BiLSTM heads
- :mod:`course_lib.recurrent`      lessons 01 and 03: the toy tasks, recurrent models, gradient by lag
- :mod:`course_lib.training`       seeds, splits, checkpointed and resumable training
- :mod:`course_lib.train_command`  the ``course train`` command (DeepSEA-layout folders, Slurm)
- :mod:`course_lib.tricks`         prevalence bias, warm-up, gradient accumulation, focal loss
- :mod:`course_lib.selection`      stratified k-fold cross-validation over a small grid
- :mod:`course_lib.metrics`        evaluation
- :mod:`course_lib.gradients`      input gradients on TensorFlow, JAX and PyTorch
- :mod:`course_lib.interpretation` attributions scored against the planted truth
- :mod:`course_lib.motifs`         JASPAR, filters to PWMs, logos, Tomtom matching
- :mod:`course_lib.plots`          figures used by the lessons
- :mod:`course_lib.deepsea`        the DeepSEA data layout, its targets and the offline stand-in
- :mod:`course_lib.resistance`     resistance genes and mutations (PointFinder), lesson 07
- :mod:`course_lib.language`       genome language models and their baselines, lesson 08
- :mod:`course_lib.slurm`          sweeps, gathering, multi-worker training, preemption
- :mod:`course_lib.notebooks`      running lessons with papermill (behind ``course run``)
- :mod:`course_lib.site`           the executed lessons as a website (``course site``)
- :mod:`course_lib.cli`            the ``course`` command

Import the submodule you need (``from course_lib import sequences``); importing the
package itself is cheap and does not import TensorFlow.
"""

__version__ = "0.2.0"
