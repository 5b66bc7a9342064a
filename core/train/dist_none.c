/* dist_none.c - dist.h in a build without MPI: every process is rank 0 of 1. */
#include "train/dist.h"

#include <stdlib.h>

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
                                "with ./configure --with-mpi (docs/scaling.md)",
                                atoi(v), size_vars[i]);
    }
    return GL_OK;
}

int gl_dist_rank(void) { return 0; }
int gl_dist_ranks(void) { return 1; }

int gl_dist_start(gl_session *s, int status, int (*stop_poll)(void), gl_error *err)
{
    return status;
}

int gl_dist_reduce(gl_session *s, int which, gl_loss_result *res, double *loss, gl_error *err)
{
    return GL_OK;
}

int gl_dist_stop(void) { return 0; }

void gl_dist_reduce_time(uint64_t *count, double *seconds)
{
    *count = 0;
    *seconds = 0;
}

int gl_dist_finish(int status, gl_error *err) { return status; }
