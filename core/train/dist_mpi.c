/* dist_mpi.c - dist.h over MPI (./configure --with-mpi).
 *
 * Only the main thread calls MPI (MPI_THREAD_FUNNELED): the engine's threads never do. One fused
 * MPI_Allreduce per update carries, as floats, [the updated net's gradients | G's buffers | D's
 * buffers | the loss | its terms | one stop slot per rank]: a single message, whatever the number
 * of parameter tensors, and the stop decision travels with it, so no rank can stop a step before
 * or after another. */
#include "train/dist.h"

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

int gl_dist_rank(void) { return D.rank; }
int gl_dist_ranks(void) { return D.ranks; }

/* Rank 0's n floats (or bytes, as MPI_BYTE) at p to every rank. */
static int bcast(void *p, size_t n, MPI_Datatype type)
{
    for (size_t at = 0; at < n;) {
        int part = n - at > (size_t)1 << 30 ? 1 << 30 : (int)(n - at);
        size_t size = type == MPI_FLOAT ? sizeof(float) : 1;
        if (MPI_Bcast((char *)p + at * size, part, type, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
            return 0;
        at += (size_t)part;
    }
    return 1;
}

/* Everything a step reads that rank 0 set up: after a resume only rank 0 read the checkpoint. */
static int share_state(gl_session *s)
{
    int ok = 1;
    for (int i = 0; i < 2; i++) {
        size_t n = gl_net_numel(s->net[i]);
        ok = ok && bcast(gl_net_values(s->net[i]), n, MPI_FLOAT) &&
             bcast(gl_net_buffer_values(s->net[i]), gl_net_buffer_numel(s->net[i]), MPI_FLOAT) &&
             bcast(s->opt_state[i], n * (size_t)s->opt_state_per[i], MPI_FLOAT);
    }
    ok = ok && bcast(&s->st, sizeof s->st, MPI_BYTE) &&
         bcast(s->last_loss, sizeof s->last_loss, MPI_BYTE);
    if (ok && D.rank > 0)
        gl_session_resume_order(s);
    return ok;
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
    if (!share_state(s))
        return gl_error_add(err, GL_ERR_RUN, "MPI: rank 0's state did not reach rank %d", D.rank);
    gl_rng *streams[3] = {&s->st.noise, &s->st.penalty, &s->st.dropout};
    for (int i = 0; i < 3; i++)
        gl_rng_set_slice(streams[i], D.rank, D.ranks);
    size_t most = gl_net_numel(s->net[0]) > gl_net_numel(s->net[1]) ? gl_net_numel(s->net[0])
                                                                    : gl_net_numel(s->net[1]);
    D.cap = most + gl_net_buffer_numel(s->net[0]) + gl_net_buffer_numel(s->net[1]) + 1 +
            GL_LOSS_MAX_TERMS + (size_t)D.ranks;
    /* Freed in gl_dist_finish. */
    D.buf = malloc(D.cap * sizeof *D.buf);
    if (!D.buf)
        return gl_error_add(err, GL_ERR_RUN, "out of memory for the all-reduce buffer");
    D.stop_poll = stop_poll;
    D.started = 1;
    return GL_OK;
}

/* Copies n floats between a block and the buffer at *at (in: into the buffer; else back, times
 * scale), advancing *at. */
static void pack(gl_real *block, size_t n, size_t *at, int in, float scale)
{
    float *b = D.buf + *at;
    if (in)
        memcpy(b, block, n * sizeof *b);
    else
        for (size_t i = 0; i < n; i++)
            block[i] = b[i] * scale;
    *at += n;
}

static void exchange(gl_session *s, int which, gl_loss_result *res, double *loss, int in)
{
    float scale = 1.0f / (float)D.ranks;
    size_t at = 0;
    pack(gl_net_grads(s->net[which]), gl_net_numel(s->net[which]), &at, in, scale);
    for (int i = 0; i < 2; i++)
        pack(gl_net_buffer_values(s->net[i]), gl_net_buffer_numel(s->net[i]), &at, in, scale);
    float *tail = D.buf + at;
    if (in) {
        tail[0] = (float)*loss;
        for (int i = 0; i < res->n_terms; i++)
            tail[1 + i] = (float)res->term_values[i];
        memset(tail + 1 + GL_LOSS_MAX_TERMS, 0, (size_t)D.ranks * sizeof *tail);
        tail[1 + GL_LOSS_MAX_TERMS + D.rank] = (float)(D.stop_poll ? D.stop_poll() : 0);
        return;
    }
    *loss = (double)(tail[0] * scale);
    for (int i = 0; i < res->n_terms; i++)
        res->term_values[i] = (double)(tail[1 + i] * scale);
    D.stop = 0;
    for (int r = 0; r < D.ranks && !D.stop; r++)
        D.stop = (int)tail[1 + GL_LOSS_MAX_TERMS + r];
}

int gl_dist_reduce(gl_session *s, int which, gl_loss_result *res, double *loss, gl_error *err)
{
    exchange(s, which, res, loss, 1);
    double t0 = MPI_Wtime();
    size_t n = gl_net_numel(s->net[which]) + gl_net_buffer_numel(s->net[0]) +
               gl_net_buffer_numel(s->net[1]) + 1 + GL_LOSS_MAX_TERMS + (size_t)D.ranks;
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
    exchange(s, which, res, loss, 0);
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
