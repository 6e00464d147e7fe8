"""course_lib: the small library behind the deep-learning-for-genomics lessons.

Three layers; imports go app -> domains -> toolkit only, and no domain imports another.

The toolkit, which knows no data set:

- :mod:`course_lib.sequences`      one-hot / integer encoding, decoding, reverse complement, k-mers
- :mod:`course_lib.data`           the checksummed data registry, loaders for your own files, FASTA
- :mod:`course_lib.simulation`     planted motifs and the toy tasks of lessons 01-03
- :mod:`course_lib.models`         the builders several lessons and ``course train`` share, one
                                   size table, the k-mer baseline, strand averaging
- :mod:`course_lib.layers`         the course's Keras layers (imported when a model needs them)
- :mod:`course_lib.training`       seeds, splits, checkpointed training, saving, safe-mode loading
- :mod:`course_lib.tricks`         prevalence bias, warm-up, gradient accumulation, focal loss
- :mod:`course_lib.metrics`        per-target AUCs, calibration, F1, perplexity, by position
- :mod:`course_lib.gradients`      input gradients on TensorFlow, JAX and PyTorch
- :mod:`course_lib.interpretation` attributions scored against the planted truth, Grad-CAM
- :mod:`course_lib.motifs`         JASPAR, filters to PWMs, Tomtom matching
- :mod:`course_lib.plots`          the lessons' figures
- :mod:`course_lib.notebooks`      what a lesson's cells call: ``show_metrics``, ``run_directory``
- :mod:`course_lib.genome`         peak files, an indexed FASTA, windows, matched background,
                                   chromosome splits, batches read from the genome (lesson 10)
- :mod:`course_lib.variants`       a VCF checked against the genome, effects scored (lesson 11)

The domains (:mod:`course_lib.domains`), one per data set or paper:

- :mod:`~course_lib.domains.recurrent`   lessons 01-03: weights by formula, gradient by lag
- :mod:`~course_lib.domains.deepsea`     DeepSEA's files, targets, stand-in simulator (05, 08, 09)
- :mod:`~course_lib.domains.resistance`  resistance genes, PointFinder, fragments, BiLSTM (07)
- :mod:`~course_lib.domains.language`    genomes as segments, Markov baselines, RNNs (08)
- :mod:`~course_lib.domains.capstone`    parameters per part, attention cost, reported numbers (09)

The app (:mod:`course_lib.app`): ``cli`` (the ``course`` command), ``runner`` (papermill),
``train`` (``course train``), ``score`` (``course score-variants``), ``slurm`` (sweeps,
multi-worker training), ``site``.

Import the submodule you need (``from course_lib import sequences``); importing the
package itself is cheap and does not import TensorFlow.
"""

__version__ = "0.2.0"
