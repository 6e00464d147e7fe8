#!/usr/bin/env bash
# Run any lesson as a batch job with `course run` (papermill), parameters passed through.
#
#   sbatch slurm/notebook.sh notebooks/05_danq_deepsea.ipynb -p DATA deepsea -p EPOCHS 60
#   sbatch slurm/notebook.sh 04 -p EPOCHS 20               # a lesson by number or stem
#   sbatch --gres=none --time=1:00:00 slurm/notebook.sh 04  # a CPU-only lesson
#
# Outputs: runs/notebook-<jobid>/<lesson>.ipynb (executed, with every figure and table) and
# runs/notebook-<jobid>/<lesson>.metrics.json; the log is slurm-notebook-<jobid>.out.
# A failing lesson fails the job (non-zero exit) and its log names the failing cell.
#
#SBATCH --job-name=notebook           # name shown by squeue; also %x in the log name
#SBATCH --time=12:00:00               # wall-clock limit; override: sbatch --time=... or SBATCH_TIMELIMIT
#SBATCH --nodes=1                     # a notebook runs in one process on one node
#SBATCH --ntasks=1                    # ... as one task
#SBATCH --cpus-per-task=4             # cores for TensorFlow and data preparation
#SBATCH --mem=32G                     # host memory; the full-scale lessons hold arrays in memory
#SBATCH --gres=gpu:1                  # one GPU for the full-scale runs; CPU lessons: sbatch --gres=none
#SBATCH --output=slurm-%x-%j.out      # stdout and stderr together, named by job name and id
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: sbatch slurm/notebook.sh NOTEBOOK [-p NAME VALUE]..." >&2
    exit 2
fi

site_env="${COURSE_SITE_ENV:-${SLURM_SUBMIT_DIR:-.}/slurm/site.env}"
if [[ -f "$site_env" ]]; then
    # shellcheck source=/dev/null
    source "$site_env"
fi

job="${SLURM_JOB_ID:-local}"
out="${COURSE_RUNS_DIR:-runs}/notebook-${job}"
export TF_NUM_INTRAOP_THREADS="${TF_NUM_INTRAOP_THREADS:-${SLURM_CPUS_PER_TASK:-4}}"
export TF_NUM_INTEROP_THREADS="${TF_NUM_INTEROP_THREADS:-2}"

notebook="$1"
shift
echo "job ${job} on $(hostname): ${notebook} $*; outputs: ${out}"
# A later -o/--output-dir among "$@" wins over this default.
course run "$notebook" -o "$out" --log-output "$@"   # the cells' output streams into the job log
