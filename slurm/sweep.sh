#!/usr/bin/env bash
# A job array: one task per row of a sweep table (a hyper-parameter grid, or the folds of a
# cross-validation), then one results table.
#
#   python3 -m course_lib.app.slurm array-range sweeps/lr.tsv            # prints e.g. 0-3
#   sbatch --array=0-3 slurm/sweep.sh sweeps/lr.tsv run 04_one_hot_cnn -p EPOCHS 10
#   sbatch --array=0-3 slurm/sweep.sh sweeps/grid.tsv train danq --data deepsea --epochs 5
#   course gather runs/sweep-<array job id>                          # afterwards: one row per task
#
# The table's header names the parameters: lesson parameters for `run` (EPOCHS, SEED, FOLD,
# ...: passed as -p NAME VALUE) or `course train` options for `train` (lr, batch_size: passed
# as --lr, --batch-size). Task i uses row i (the first row after the header is row 0).
# Outputs: runs/sweep-<array job id>/task-<i>/ (that task's outputs and setting.json), a copy
# of the table, and with `course gather` results.csv. Logs: slurm-sweep-<array id>_<i>.out.
#
#SBATCH --job-name=sweep              # name shown by squeue; also %x in the log name
#SBATCH --time=4:00:00                # wall-clock limit per task; override: sbatch --time=...
#SBATCH --nodes=1                     # each task on one node
#SBATCH --ntasks=1                    # ... as one process
#SBATCH --cpus-per-task=4             # cores per task
#SBATCH --mem=16G                     # host memory per task
#SBATCH --output=slurm-%x-%A_%a.out   # one log per task: array job id (%A) and task index (%a)
# No GPU by default (laptop-scale lessons); add one with sbatch --gres=gpu:1 (or SBATCH_GRES).
# Limit how many tasks run at once with sbatch --array=0-99%10.
set -euo pipefail

if [[ $# -lt 3 || ( "$2" != run && "$2" != train ) ]]; then
    echo "usage: sbatch --array=0-N slurm/sweep.sh SWEEP_TABLE run|train NOTEBOOK_OR_MODEL [options]..." >&2
    exit 2
fi
if [[ -z "${SLURM_ARRAY_TASK_ID:-}" ]]; then
    echo "sweep.sh runs as a job array: sbatch --array=\$(python3 -m course_lib.app.slurm array-range $1) ..." >&2
    exit 2
fi

site_env="${COURSE_SITE_ENV:-${SLURM_SUBMIT_DIR:-.}/slurm/site.env}"
if [[ -f "$site_env" ]]; then
    # shellcheck source=/dev/null
    source "$site_env"
fi

table="$1"
command="$2"
shift 2
sweep_dir="${COURSE_SWEEP_DIR:-${COURSE_RUNS_DIR:-runs}/sweep-${SLURM_ARRAY_JOB_ID}}"
task_dir="${sweep_dir}/task-${SLURM_ARRAY_TASK_ID}"
mkdir -p "$task_dir"
export TF_NUM_INTRAOP_THREADS="${TF_NUM_INTRAOP_THREADS:-${SLURM_CPUS_PER_TASK:-4}}"
export TF_NUM_INTEROP_THREADS="${TF_NUM_INTEROP_THREADS:-2}"

# A copy of the table tells `course gather` how many tasks to expect (copy, then rename:
# tasks starting together never leave a half-written file).
suffix="${table##*.}"
cp "$table" "${task_dir}/.sweep.${suffix}" && mv -f "${task_dir}/.sweep.${suffix}" "${sweep_dir}/sweep.${suffix}"

# This task's row as course options (-p NAME VALUE, or --name VALUE), one per line.
mapfile -t setting < <(python3 -m course_lib.app.slurm task-args "$table" "$SLURM_ARRAY_TASK_ID" \
    --style "$command" --write "${task_dir}/setting.json")
if [[ ${#setting[@]} -eq 0 ]]; then
    echo "no setting for task ${SLURM_ARRAY_TASK_ID} in ${table}" >&2
    exit 2
fi
if [[ "$command" == run ]]; then
    where=(-o "$task_dir")
else
    where=(--out "$task_dir")
fi
echo "task ${SLURM_ARRAY_TASK_ID} of array ${SLURM_ARRAY_JOB_ID} on $(hostname): ${setting[*]}"
course "$command" "$@" "${setting[@]}" "${where[@]}"
