#include <tiffio.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
/* TIFFGetField/TIFFSetField are C-variadic; Swift cannot call them. Typed helpers go here. */
static inline int ctiff_get_u16(TIFF *t, uint32_t tag, uint16_t *v) { return TIFFGetField(t, tag, v); }
static inline int ctiff_get_u32(TIFF *t, uint32_t tag, uint32_t *v) { return TIFFGetField(t, tag, v); }
static inline int ctiff_set_u16(TIFF *t, uint32_t tag, uint16_t v) { return TIFFSetField(t, tag, v); }
static inline int ctiff_set_u32(TIFF *t, uint32_t tag, uint32_t v) { return TIFFSetField(t, tag, v); }
static inline int ctiff_get_u16_defaulted(TIFF *t, uint32_t tag, uint16_t *v) { return TIFFGetFieldDefaulted(t, tag, v); }
static inline int ctiff_set_int(TIFF *t, uint32_t tag, int v) { return TIFFSetField(t, tag, v); }
static inline int ctiff_set_string(TIFF *t, uint32_t tag, const char *v) { return TIFFSetField(t, tag, v); }
/* Two uint16 values (TIFFTAG_YCBCRSUBSAMPLING). */
static inline int ctiff_get_u16_pair(TIFF *t, uint32_t tag, uint16_t *a, uint16_t *b) { return TIFFGetFieldDefaulted(t, tag, a, b); }
static inline int ctiff_set_u16_pair(TIFF *t, uint32_t tag, uint16_t a, uint16_t b) { return TIFFSetField(t, tag, a, b); }
/* Count + uint16 array (TIFFTAG_EXTRASAMPLES). */
static inline int ctiff_get_u16_array(TIFF *t, uint32_t tag, uint16_t *count, const uint16_t **values) {
    uint16_t *v = NULL; int ok = TIFFGetField(t, tag, count, &v); *values = v; return ok;
}
static inline int ctiff_set_u16_array(TIFF *t, uint32_t tag, uint16_t count, const uint16_t *values) { return TIFFSetField(t, tag, count, values); }
/* Count + uint64 array (TIFFTAG_SUBIFD). */
static inline int ctiff_get_subifds(TIFF *t, uint16_t *count, const uint64_t **values) {
    uint64_t *v = NULL; int ok = TIFFGetField(t, TIFFTAG_SUBIFD, count, &v); *values = v; return ok;
}
static inline int ctiff_set_subifd_count(TIFF *t, uint16_t count) {
    uint64_t zeros[64]; memset(zeros, 0, sizeof zeros); if (count > 64) return 0;
    return TIFFSetField(t, TIFFTAG_SUBIFD, count, zeros);
}

/* The three 16-bit colour map arrays of a palette image (each 2^BitsPerSample entries). */
static inline int ctiff_get_colormap(TIFF *t, const uint16_t **r, const uint16_t **g, const uint16_t **b) {
    uint16_t *rr = NULL, *gg = NULL, *bb = NULL; int ok = TIFFGetField(t, TIFFTAG_COLORMAP, &rr, &gg, &bb);
    *r = rr; *g = gg; *b = bb; return ok;
}
/* An ASCII tag (TIFFTAG_IMAGEDESCRIPTION); the string belongs to libtiff. */
static inline int ctiff_get_string(TIFF *t, uint32_t tag, const char **v) {
    char *s = NULL; int ok = TIFFGetField(t, tag, &s); *v = s; return ok;
}

/* A count + byte array tag (TIFFTAG_JPEGTABLES). */
static inline int ctiff_get_bytes(TIFF *t, uint32_t tag, uint32_t *count, const void **values) {
    void *v = NULL; int ok = TIFFGetField(t, tag, count, &v); *values = v; return ok;
}

/* Errors: libtiff reports through a handler; we format the message into a buffer owned by the caller
   (one per TIFF handle) so Swift can quote it, and we drop warnings (unknown private tags etc.). */
typedef struct { char message[512]; int count; } ctiff_errors;

static inline int ctiff_error_handler(TIFF *t, void *user, const char *module, const char *fmt, va_list ap) {
    (void)t;
    ctiff_errors *e = (ctiff_errors *)user;
    if (e != NULL) {
        char body[440];
        vsnprintf(body, sizeof body, fmt, ap);
        if (e->count == 0) snprintf(e->message, sizeof e->message, "%s: %s", module ? module : "libtiff", body);
        e->count += 1;
    }
    return 1;
}
static inline int ctiff_warning_handler(TIFF *t, void *user, const char *module, const char *fmt, va_list ap) {
    (void)t; (void)user; (void)module; (void)fmt; (void)ap; return 1;
}

/* Opens `path` with `mode`, routing errors into `errors`, capping any single libtiff allocation. */
static inline TIFF *ctiff_open(const char *path, const char *mode, ctiff_errors *errors, int64_t max_alloc) {
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (opts == NULL) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(opts, ctiff_error_handler, errors);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, ctiff_warning_handler, NULL);
    if (max_alloc > 0) TIFFOpenOptionsSetMaxSingleMemAlloc(opts, (tmsize_t)max_alloc);
    TIFF *t = TIFFOpenExt(path, mode, opts);
    TIFFOpenOptionsFree(opts);
    return t;
}
