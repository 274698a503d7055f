#ifndef PIPE_COPENBLAS_SHIM_H
#define PIPE_COPENBLAS_SHIM_H

// OpenBLAS is not linked into pipe: NeuralNet loads it with dlopen on its
// first BLAS call (BLAS.swift), so a command that never multiplies a matrix
// (a no-op `pipe run`, `pipe plan`) does not pay its load-time binding of
// about 16,000 symbols nor its worker threads. These are the cblas.h values
// and the signatures of the entry points pipe calls (LP64 OpenBLAS: int sizes).

enum {
    PIPE_CBLAS_ROW_MAJOR = 101,
    PIPE_CBLAS_NO_TRANS = 111,
    PIPE_CBLAS_TRANS = 112,
};

typedef void (*pipe_cblas_sgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
typedef int (*pipe_openblas_get_int_fn)(void);
typedef void (*pipe_openblas_set_int_fn)(int value);
typedef char *(*pipe_openblas_get_text_fn)(void);

#endif
