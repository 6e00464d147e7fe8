"""The ``course`` command: the runner, ``course train``, Slurm and the site."""
