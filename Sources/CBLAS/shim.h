#include <stddef.h>
#include <cblas.h>

// LAPACK's symmetric eigensolver, exported by OpenBLAS (Fortran calling convention, with the
// hidden lengths of the two character arguments that gfortran appends).
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda, float *w,
             float *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
