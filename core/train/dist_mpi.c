/* dist_mpi.c - dist.h over MPI (./configure --with-mpi).
 *
 * Only the main thread calls MPI (MPI_THREAD_FUNNELED): the engine's threads never do. One fused
 * MPI_Allreduce per update carries, as floats, [the updated net's gradients | G's buffers | D's
 * buffers | the loss | its terms | one stop slot per rank]: a single message, whatever the number
 * of parameter tensors, and the stop decision travels with it, so no rank can stop a step before
 * or after another. */
#include "train/dist.h"

#include "train/dist_fused.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    int active; /* MPI_Init was called (by an MPI launcher's process) */
    int rank, ranks;
    int started; /* gl_dist_start succeeded: the ranks train in lockstep from here on */
    float *buf;  /* the fused buffer (cap floats), allocated by gl_dist_start, freed at finish */
    size_t cap;
    int (*stop_poll)(void);
    int stop; /* the stop signal agreed by the last reduce */
    uint64_t reduces;
    double reduce_s; /* time in MPI_Allreduce: the transfer, and waiting for the slowest rank */
} D = {.ranks = 1};

/* Variables that Open MPI's mpirun, PMIx and PMI (srun) set in every rank's environment. */
static int launched_by_mpi(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

int gl_dist_init(gl_error *err)
{
    if (!launched_by_mpi())
        return GL_OK;
    int provided;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return gl_error_add(err, GL_ERR_RUN, "MPI_Init failed");
    D.active = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &D.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &D.ranks);
    if (D.ranks > 65535)
        return gl_error_add(err, GL_ERR_INPUT, "%d MPI ranks: at most 65535 are supported",
                            D.ranks);
    return GL_OK;
}

/* One backend per build: mpirun's ranks already are this build's data parallelism. */
int gl_dist_spawn(int workers, gl_error *err)
{
    if (workers < 2)
        return GL_OK;
    if (D.ranks > 1)
        return gl_error_add(err, GL_ERR_INPUT,
                            "experiment.workers %d under mpirun's %d ranks: each rank would fork "
                            "workers of its own; set experiment.workers to 1 (docs/scaling.md)",
                            workers, D.ranks);
    return gl_error_add(err, GL_ERR_INPUT,
                        "experiment.workers %d: this ganlab was built with MPI, whose data "
                        "parallelism is `mpirun -np %d ganlab train ...` with experiment.workers "
                        "1 (docs/scaling.md)",
                        workers, workers);
}

int gl_dist_rank(void) { return D.rank; }
int gl_dist_ranks(void) { return D.ranks; }

/* Rank 0's bytes at block to every rank (gl_dist_each_state's send). */
static int bcast(void *block, size_t bytes, void *ud)
{
    (void)ud;
    for (size_t at = 0; at < bytes;) {
        int part = bytes - at > (size_t)1 << 30 ? 1 << 30 : (int)(bytes - at);
        if (MPI_Bcast((char *)block + at, part, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
            return 0;
        at += (size_t)part;
    }
    return 1;
}

int gl_dist_start(gl_session *s, int status, int (*stop_poll)(void), gl_error *err)
{
    if (D.ranks < 2)
        return status;
    int worst = status;
    if (MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS)
        return gl_error_add(err, GL_ERR_RUN, "MPI: the ranks could not agree to start");
    if (worst != GL_OK)
        return status != GL_OK ? status
                               : gl_error_add(err, worst,
                                              "rank %d: another rank could not set the run up "
                                              "(its messages say why)",
                                              D.rank);
    /* After a resume only rank 0 read the checkpoint. */
    if (!gl_dist_each_state(s, bcast, NULL))
        return gl_error_add(err, GL_ERR_RUN, "MPI: rank 0's state did not reach rank %d", D.rank);
    if (D.rank > 0)
        gl_session_resume_order(s);
    gl_rng *streams[3] = {&s->st.noise, &s->st.penalty, &s->st.dropout};
    for (int i = 0; i < 3; i++)
        gl_rng_set_slice(streams[i], D.rank, D.ranks);
    D.cap = gl_dist_fused_size(s, -1, D.ranks);
    /* Freed in gl_dist_finish. */
    D.buf = malloc(D.cap * sizeof *D.buf);
    if (!D.buf)
        return gl_error_add(err, GL_ERR_RUN, "out of memory for the all-reduce buffer");
    D.stop_poll = stop_poll;
    D.started = 1;
    return GL_OK;
}

int gl_dist_reduce(gl_session *s, int which, gl_loss_result *res, double *loss, gl_error *err)
{
    gl_dist_fused_pack(s, which, res, *loss, D.rank, D.ranks, D.stop_poll ? D.stop_poll() : 0,
                       D.buf);
    double t0 = MPI_Wtime();
    size_t n = gl_dist_fused_size(s, which, D.ranks);
    for (size_t at = 0; at < n;) {
        int part = n - at > (size_t)1 << 30 ? 1 << 30 : (int)(n - at);
        if (MPI_Allreduce(MPI_IN_PLACE, D.buf + at, part, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD) !=
            MPI_SUCCESS)
            return gl_error_add(err, GL_ERR_RUN, "step %llu: MPI_Allreduce failed",
                                (unsigned long long)s->st.step + 1);
        at += (size_t)part;
    }
    D.reduce_s += MPI_Wtime() - t0;
    D.reduces++;
    D.stop = gl_dist_fused_unpack(s, which, res, loss, D.ranks, D.buf);
    return GL_OK;
}

int gl_dist_stop(void) { return D.stop; }

void gl_dist_reduce_time(uint64_t *count, double *seconds)
{
    *count = D.reduces;
    *seconds = D.reduce_s;
}

int gl_dist_finish(int status, gl_error *err)
{
    if (!D.active)
        return status;
    int failed = status != GL_OK && status < 128;
    if (D.started && D.ranks > 1 && failed) {
        /* The other ranks may wait in a collective for this one: end them all. */
        gl_error_print(err, stderr);
        fprintf(stderr, "ganlab: rank %d of %d failed: aborting the MPI job\n", D.rank, D.ranks);
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, status);
    }
    free(D.buf);
    D.buf = NULL;
    MPI_Finalize();
    return status;
}
