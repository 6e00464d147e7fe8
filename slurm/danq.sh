#!/usr/bin/env bash
# Train DanQ on one GPU (or all GPUs of one node) with `course train danq`.
#
#   sbatch slurm/danq.sh                                  # DanQ on the DeepSEA data
#   sbatch slurm/danq.sh --epochs 60 --batch-size 100     # any `course train` option
#   sbatch --gres=gpu:4 slurm/danq.sh                     # 4 GPUs: MirroredStrategy, automatic
#   sbatch -p gpu -A my_lab --time=48:00:00 slurm/danq.sh # site options on the command line
#
# Outputs: runs/danq-<jobid>/ (model.keras, metrics.json, log.csv, checkpoints/, targets.csv)
# and the log slurm-danq-<jobid>.out in the folder you submitted from. Site settings: see
# slurm/site.env.example. Near the time limit (or on preemption) the job finishes its epoch,
# requeues itself and resumes from its backup. See slurm/README.md.
#
#SBATCH --job-name=danq               # name shown by squeue; also %x in the log name
#SBATCH --time=24:00:00               # wall-clock limit; override: sbatch --time=... or SBATCH_TIMELIMIT
#SBATCH --nodes=1                     # one node: MirroredStrategy over its GPUs if several
#SBATCH --ntasks=1                    # one Python process drives all of the node's GPUs
#SBATCH --cpus-per-task=4             # tf.data reading and one-hot conversion run on these cores
#SBATCH --mem=32G                     # host memory; the data streams from disk, 32G is ample
#SBATCH --gres=gpu:1                  # one GPU; override: sbatch --gres=gpu:4 or SBATCH_GRES
#SBATCH --output=slurm-%x-%j.out      # stdout and stderr together, named by job name and id
#SBATCH --open-mode=append            # a requeued run appends to the same log instead of erasing it
#SBATCH --signal=B:USR1@900           # 15 min before the limit, SIGUSR1 to this script: finish the epoch, requeue
#SBATCH --requeue                     # allow requeueing (by the script itself, or on preemption)
set -euo pipefail

# Site settings (modules, environment, data folders): slurm/site.env if present.
site_env="${COURSE_SITE_ENV:-${SLURM_SUBMIT_DIR:-.}/slurm/site.env}"
if [[ -f "$site_env" ]]; then
    # shellcheck source=/dev/null
    source "$site_env"
fi

job="${SLURM_JOB_ID:-local}"
out="${COURSE_RUNS_DIR:-runs}/danq-${job}"
# TensorFlow's thread pools sized to the cores Slurm gave us, not to the whole node.
export TF_NUM_INTRAOP_THREADS="${TF_NUM_INTRAOP_THREADS:-${SLURM_CPUS_PER_TASK:-4}}"
export TF_NUM_INTEROP_THREADS="${TF_NUM_INTEROP_THREADS:-2}"

echo "job ${job} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}, GPUs: ${CUDA_VISIBLE_DEVICES:-none}"
echo "data cache: ${COURSE_DATA_DIR:-~/.cache/course-lib}; outputs: ${out}"
# Defaults first: options given to sbatch after the script name come later and win.
# exec: Python replaces this shell, so the SIGUSR1 of --signal=B:USR1 reaches `course train`,
# which finishes the epoch, saves its backup and runs `scontrol requeue`; the requeued job
# (same id, same output folder) resumes from that backup.
exec course train danq --data deepsea --out "$out" --quiet "$@"
