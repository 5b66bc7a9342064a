/* allreduce_bench.c - the time of one MPI_Allreduce (sum, float) of a gradient block of the sizes
 * ganlab's nets have, for docs/scaling.md's cost model. Not part of the build (the default build
 * has no MPI); with Debian's libopenmpi-dev: mpicc -O2 tests/bench/allreduce_bench.c -o
 * /tmp/allreduce_bench mpirun -np 2 --oversubscribe --allow-run-as-root --mca btl self,vader
 * /tmp/allreduce_bench prints "floats bytes median_us" per size: the median over 50 timed calls
 * after 5 warm-up calls, each call timed on rank 0 between barriers. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    /* D and G of the tutorial MLP (533,505 and 1,486,352), both, and the DCGAN pair's larger net.
     */
    static const long sizes[] = {1024, 65536, 533505, 1486352, 2019857, 4000000};
    enum { WARM = 5, RUNS = 50 };
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        long n = sizes[s];
        float *buf = malloc((size_t)n * sizeof *buf); /* freed at the end of the size's loop */
        if (!buf)
            MPI_Abort(MPI_COMM_WORLD, 1);
        for (long i = 0; i < n; i++)
            buf[i] = (float)(i % 7);
        double t[RUNS];
        for (int r = 0; r < WARM + RUNS; r++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            double dt = MPI_Wtime() - t0;
            if (r >= WARM)
                t[r - WARM] = dt;
        }
        qsort(t, RUNS, sizeof *t, cmp_double);
        if (rank == 0)
            printf("%ld %ld %.1f\n", n, n * 4, t[RUNS / 2] * 1e6);
        free(buf);
    }
    MPI_Finalize();
    return 0;
}
