/* dist_local.c - dist.h in a build without MPI: one process (rank 0 of 1), or with
 * experiment.workers = N > 1 that process and N - 1 forked workers (workers.h), each a rank as
 * under MPI, whose fused all-reduce goes through shared memory.
 *
 * The shared buffer (a memfd every process maps once sized, at gl_dist_start) holds N + 1 slots of
 * the largest fused vector: slot 0 the sum, slot 1 + r rank r's vector. A reduce: each rank packs
 * into its slot; a barrier; each sums its 1/N of the elements over the slots in rank order (so
 * every float sum has one order: the same bytes every time) into slot 0; a barrier; each unpacks
 * slot 0. A rank packs the next reduce only after that reduce's first barrier, when every rank
 * has unpacked the previous sum: slot 0 is never written while read. */
#include "train/dist.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "train/dist_fused.h"
#include "train/workers.h"

static struct {
    float *shared; /* the mapped buffer, (ranks + 1) * cap floats; unmapped by gl_dist_finish */
    size_t cap, bytes;
    int (*stop_poll)(void);
    int stop; /* the stop signal agreed by the last reduce */
    uint64_t reduces;
    double reduce_s;
} L;

/* The sizes MPI launchers put in a rank's environment (Open MPI, PMIx, PMI/Slurm). */
static const char *const size_vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"};

int gl_dist_init(gl_error *err)
{
    for (size_t i = 0; i < sizeof size_vars / sizeof *size_vars; i++) {
        const char *v = getenv(size_vars[i]);
        if (v && atoi(v) > 1)
            return gl_error_add(err, GL_ERR_INPUT,
                                "started as one of %d MPI ranks (%s), but this ganlab was built "
                                "without MPI, so each rank would train a run of its own: build "
                                "with ./configure --with-mpi, or set experiment.workers "
                                "(docs/scaling.md)",
                                atoi(v), size_vars[i]);
    }
    return GL_OK;
}

int gl_dist_spawn(int workers, gl_error *err) { return gl_workers_fork(workers, err); }

int gl_dist_rank(void) { return gl_workers_rank(); }
int gl_dist_ranks(void) { return gl_workers_count(); }

/* Rank 0's bytes at block to every rank through the shared buffer (gl_dist_each_state's send). */
static int bcast(void *block, size_t bytes, void *err)
{
    for (size_t at = 0; at < bytes;) {
        size_t part = bytes - at < L.bytes ? bytes - at : L.bytes;
        if (gl_workers_rank() == 0)
            memcpy(L.shared, (char *)block + at, part);
        if (gl_workers_barrier(err) != GL_OK)
            return 0;
        if (gl_workers_rank() > 0)
            memcpy((char *)block + at, L.shared, part);
        if (gl_workers_barrier(err) != GL_OK)
            return 0;
        at += part;
    }
    return 1;
}

/* Every rank maps the same memfd at the same size (sizes follow from the same config). */
static int map_shared(gl_session *s, int ranks, gl_error *err)
{
    L.cap = gl_dist_fused_size(s, -1, ranks);
    long page = sysconf(_SC_PAGESIZE);
    size_t bytes = (size_t)(ranks + 1) * L.cap * sizeof *L.shared;
    bytes = (bytes + (size_t)page - 1) / (size_t)page * (size_t)page;
    if (ftruncate(gl_workers_fd(), (off_t)bytes) != 0)
        return gl_error_add(err, GL_ERR_RUN,
                            "experiment.workers: cannot size %zu bytes of "
                            "shared memory: %m",
                            bytes);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, gl_workers_fd(), 0);
    if (p == MAP_FAILED)
        return gl_error_add(err, GL_ERR_RUN,
                            "experiment.workers: cannot map %zu bytes of "
                            "shared memory: %m",
                            bytes);
    L.shared = p;
    L.bytes = bytes;
    return GL_OK;
}

int gl_dist_start(gl_session *s, int status, int (*stop_poll)(void), gl_error *err)
{
    int ranks = gl_workers_count(), rank = gl_workers_rank(), worst;
    if (ranks < 2)
        return status;
    if (gl_workers_agree(status, &worst, err) != GL_OK)
        return GL_ERR_RUN;
    if (worst != GL_OK)
        return status != GL_OK ? status
                               : gl_error_add(err, worst,
                                              "worker %d of %d: another worker could not set the "
                                              "run up (its messages say why)",
                                              rank, ranks);
    if (map_shared(s, ranks, err) != GL_OK)
        return GL_ERR_RUN;
    /* After a resume only rank 0 read the checkpoint. */
    if (!gl_dist_each_state(s, bcast, err))
        return GL_ERR_RUN;
    if (rank > 0)
        gl_session_resume_order(s);
    gl_rng *streams[3] = {&s->st.noise, &s->st.penalty, &s->st.dropout};
    for (int i = 0; i < 3; i++)
        gl_rng_set_slice(streams[i], rank, ranks);
    L.stop_poll = stop_poll;
    return GL_OK;
}

int gl_dist_reduce(gl_session *s, int which, gl_loss_result *res, double *loss, gl_error *err)
{
    int ranks = gl_workers_count(), rank = gl_workers_rank();
    size_t n = gl_dist_fused_size(s, which, ranks);
    gl_dist_fused_pack(s, which, res, *loss, rank, ranks, L.stop_poll ? L.stop_poll() : 0,
                       L.shared + (size_t)(rank + 1) * L.cap);
    double t0 = gl_clock_seconds();
    if (gl_workers_barrier(err) != GL_OK)
        return GL_ERR_RUN;
    size_t lo = n * (size_t)rank / (size_t)ranks, hi = n * (size_t)(rank + 1) / (size_t)ranks;
    float *sum = L.shared;
    memcpy(sum + lo, L.shared + L.cap + lo, (hi - lo) * sizeof *sum);
    for (int r = 1; r < ranks; r++) {
        const float *v = L.shared + (size_t)(r + 1) * L.cap;
        for (size_t i = lo; i < hi; i++)
            sum[i] += v[i];
    }
    if (gl_workers_barrier(err) != GL_OK)
        return GL_ERR_RUN;
    L.reduce_s += gl_clock_seconds() - t0;
    L.reduces++;
    L.stop = gl_dist_fused_unpack(s, which, res, loss, ranks, sum);
    return GL_OK;
}

int gl_dist_stop(void) { return L.stop; }

void gl_dist_reduce_time(uint64_t *count, double *seconds)
{
    *count = L.reduces;
    *seconds = L.reduce_s;
}

int gl_dist_finish(int status, gl_error *err)
{
    if (L.shared)
        munmap(L.shared, L.bytes);
    L.shared = NULL;
    return gl_workers_end(status, err);
}
