"""course_lib: the small library behind the deep-learning-for-genomics lessons.

Modules, one per topic:

- :mod:`course_lib.sequences`   one-hot / integer encoding, reverse complement, padding, k-mers
- :mod:`course_lib.simulation`  planted-motif data sets with their ground truth
- :mod:`course_lib.data`        the checksummed data registry and loaders for your own files
- :mod:`course_lib.models`      Keras 3 model builders that reproduce the papers
- :mod:`course_lib.training`    seeds, splits and training helpers
- :mod:`course_lib.metrics`     evaluation
- :mod:`course_lib.plots`       figures used by the lessons
- :mod:`course_lib.notebooks`   running lessons with papermill (behind ``course run``)
- :mod:`course_lib.cli`         the ``course`` command

Import the submodule you need (``from course_lib import sequences``); importing the
package itself is cheap and does not import TensorFlow.
"""

__version__ = "0.2.0"
