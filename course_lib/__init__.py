"""course_lib: the small library behind the deep-learning-for-genomics lessons.

Modules, one per topic:

- :mod:`course_lib.sequences`      one-hot / integer encoding, decoding, reverse complement, k-mers
- :mod:`course_lib.simulation`     every simulator: planted motifs, toy tasks, the DeepSEA stand-in,
                                   resistance fragments, toy genomes
- :mod:`course_lib.data`           the checksummed data registry, loaders for your own files, the FASTA reader
- :mod:`course_lib.models`         every model builder, one size table, the k-mer baseline, saving and
                                   safe-mode loading, strand averaging
- :mod:`course_lib.layers`         the course's Keras layers (imported when a model needs them)
- :mod:`course_lib.domains.capstone`  lesson 09: parameters per part, attention cost, the capstone's numbers
- :mod:`course_lib.domains.recurrent`      lessons 01-03: weights by formula, accuracy by position, gradient by lag
- :mod:`course_lib.training`       seeds, splits, checkpointed and resumable training
- :mod:`course_lib.app.train`  the ``course train`` command (DeepSEA-layout folders, Slurm)
- :mod:`course_lib.tricks`         prevalence bias, warm-up, gradient accumulation, focal loss
- :mod:`course_lib.metrics`        every score: per-target AUCs, calibration, F1, perplexity, by position
- :mod:`course_lib.gradients`      input gradients on TensorFlow, JAX and PyTorch
- :mod:`course_lib.interpretation` attributions scored against the planted truth
- :mod:`course_lib.motifs`         JASPAR, filters to PWMs, logos, Tomtom matching
- :mod:`course_lib.plots`          figures used by the lessons
- :mod:`course_lib.domains.deepsea`        the DeepSEA data layout, its targets and the DATA choice
- :mod:`course_lib.domains.resistance`     resistance genes, the catalogue (PointFinder) and its oracle, lesson 07
- :mod:`course_lib.domains.language`       genomes as segments, Markov baselines, training and scoring, lesson 08
- :mod:`course_lib.app.slurm`          sweeps, gathering, multi-worker training, preemption
- :mod:`course_lib.notebooks`      running lessons with papermill (behind ``course run``)
- :mod:`course_lib.app.site`           the executed lessons as a website (``course site``)
- :mod:`course_lib.app.cli`            the ``course`` command

Import the submodule you need (``from course_lib import sequences``); importing the
package itself is cheap and does not import TensorFlow.
"""

__version__ = "0.2.0"
