#!/usr/bin/env bash
# Train DanQ on several nodes: one task per node, MultiWorkerMirroredStrategy.
#
#   sbatch slurm/danq_multinode.sh                         # 2 nodes x 1 GPU
#   sbatch --nodes=4 --gres=gpu:4 slurm/danq_multinode.sh  # 4 nodes x 4 GPUs = 16 replicas
#   sbatch slurm/danq_multinode.sh --epochs 60             # any `course train` option
#
# srun starts one `course train` per task; inside the srun step each task finds its peers
# with TensorFlow's SlurmClusterResolver (it reads SLURM_STEP_NUM_TASKS, SLURM_STEP_NODELIST
# and SLURM_STEP_TASKS_PER_NODE, which exist only inside a step, not in this batch shell)
# and gradients are all-reduced every step, so all workers hold the same weights.
# Outputs: runs/danq-<jobid>/ from the chief (task 0); worker k writes runs/danq-<jobid>/worker-k/.
# Resume after a failure or the time limit: resubmit with --out runs/danq-<jobid> (each worker
# restores its own backup). See slurm/README.md.
#
#SBATCH --job-name=danq-mw            # name shown by squeue; also %x in the log name
#SBATCH --time=24:00:00               # wall-clock limit; override: sbatch --time=... or SBATCH_TIMELIMIT
#SBATCH --nodes=2                     # number of workers' nodes; override: sbatch --nodes=4
#SBATCH --ntasks-per-node=1           # one worker per node; it drives all GPUs of its node
#SBATCH --cpus-per-task=4             # tf.data reading and one-hot conversion run on these cores
#SBATCH --mem=32G                     # host memory per node
#SBATCH --gres=gpu:1                  # GPUs per node; override: sbatch --gres=gpu:4 or SBATCH_GRES
#SBATCH --output=slurm-%x-%j.out      # stdout and stderr of all tasks, named by job name and id
set -euo pipefail

site_env="${COURSE_SITE_ENV:-${SLURM_SUBMIT_DIR:-.}/slurm/site.env}"
if [[ -f "$site_env" ]]; then
    # shellcheck source=/dev/null
    source "$site_env"
fi

job="${SLURM_JOB_ID:-local}"
out="${COURSE_RUNS_DIR:-runs}/danq-${job}"
export TF_NUM_INTRAOP_THREADS="${TF_NUM_INTRAOP_THREADS:-${SLURM_CPUS_PER_TASK:-4}}"
export TF_NUM_INTEROP_THREADS="${TF_NUM_INTEROP_THREADS:-2}"
# Workers talk gRPC on ports COURSE_PORT_BASE, +1, ... (one per task on a node); by default
# a block derived from the job id, so two jobs sharing a node do not collide.

echo "job ${job}: ${SLURM_NNODES:-?} nodes (${SLURM_JOB_NODELIST:-?}), ${SLURM_NTASKS:-?} workers; outputs: ${out}"
# --kill-on-bad-exit: if one worker dies the others would wait for it forever; stop them all.
# --label: prefix each output line with the task number.
srun --kill-on-bad-exit=1 --label course train danq --data deepsea --out "$out" --quiet "$@"
