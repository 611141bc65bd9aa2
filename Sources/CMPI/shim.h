#include <mpi.h>

// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE, …) are macros over
// addresses of library globals, which Swift cannot import; these wrappers expose the few
// operations the Distributed target needs. `kind`: 0 float, 1 double, 2 byte, 3 int64.

static inline MPI_Datatype unigrad_mpi_type(int kind) {
    switch (kind) {
    case 0: return MPI_FLOAT;
    case 1: return MPI_DOUBLE;
    case 3: return MPI_INT64_T;
    default: return MPI_BYTE;
    }
}

static inline int unigrad_mpi_is_initialized(void) { int flag = 0; MPI_Initialized(&flag); return flag; }
static inline int unigrad_mpi_is_finalized(void) { int flag = 0; MPI_Finalized(&flag); return flag; }
static inline int unigrad_mpi_init(void) { return MPI_Init(NULL, NULL); }
static inline int unigrad_mpi_finalize(void) { return MPI_Finalize(); }
static inline int unigrad_mpi_rank(void) { int r = -1; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
static inline int unigrad_mpi_size(void) { int s = 0; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
static inline int unigrad_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static inline int unigrad_mpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }

// In-place sum on `root` (the other ranks' buffers are only read).
static inline int unigrad_mpi_reduce_sum(void *buffer, int count, int kind, int root) {
    int rank = unigrad_mpi_rank();
    if (rank == root)
        return MPI_Reduce(MPI_IN_PLACE, buffer, count, unigrad_mpi_type(kind), MPI_SUM, root, MPI_COMM_WORLD);
    return MPI_Reduce(buffer, NULL, count, unigrad_mpi_type(kind), MPI_SUM, root, MPI_COMM_WORLD);
}

static inline int unigrad_mpi_bcast(void *buffer, int count, int kind, int root) {
    return MPI_Bcast(buffer, count, unigrad_mpi_type(kind), root, MPI_COMM_WORLD);
}

// `count` elements from every rank into `receive` (size · count elements), in rank order.
static inline int unigrad_mpi_allgather(const void *send, void *receive, int count, int kind) {
    return MPI_Allgather(send, count, unigrad_mpi_type(kind), receive, count, unigrad_mpi_type(kind), MPI_COMM_WORLD);
}
