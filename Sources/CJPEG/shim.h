#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
/* libjpeg(-turbo) reports errors by longjmp from its error_exit handler, which Swift cannot catch:
   the whole decode runs here, in one frame that sets the jump point, and returns -1 with the
   message kept. Warnings (corrupt-data recoveries) are dropped, as libjpeg's own tools do. */
typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} cjpeg_error;

static inline void cjpeg_on_error(j_common_ptr c) {
    cjpeg_error *e = (cjpeg_error *)c->err;
    (*c->err->format_message)(c, e->message);
    longjmp(e->jump, 1);
}
static inline void cjpeg_on_message(j_common_ptr c, int level) { (void)c; (void)level; }

/* What the stream's header says. */
typedef struct {
    uint32_t width, height;
    int components;   /* 1 gray, 3 colour, 4 CMYK/YCCK */
    int jfif;         /* a JFIF APP0 marker was seen */
    int adobe;        /* an Adobe APP14 marker was seen */
} cjpeg_info;

/* Reads the header of `data` (after a tables-only stream `tables`, when given, as TIFF JPEGTables
   are) into `info` and, when `out` is not NULL, decodes it into `out` (`out_size` bytes, rows of
   width * out_components). `force_rgb`: the three components are RGB as stored (a TIFF RGB tile
   without a JFIF marker), not libjpeg's guess from the markers (JFIF: YCbCr, converted to RGB).
   `out_components`: 3 (RGB) or 1 (gray). Returns 0, or -1 with `message` set. */
static inline int cjpeg_decode(const unsigned char *tables, size_t tables_size,
                               const unsigned char *data, size_t size, int force_rgb, int out_components,
                               unsigned char *out, size_t out_size, cjpeg_info *info, char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    cjpeg_error err;
    memset(&cinfo, 0, sizeof cinfo);
    memset(info, 0, sizeof *info);
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = cjpeg_on_error;
    err.pub.emit_message = cjpeg_on_message;
    err.message[0] = 0;
    if (setjmp(err.jump)) {
        snprintf(message, message_size, "%s", err.message);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    if (tables != NULL && tables_size > 0) {
        jpeg_mem_src(&cinfo, tables, (unsigned long)tables_size);
        jpeg_read_header(&cinfo, FALSE);
    }
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    info->width = cinfo.image_width;
    info->height = cinfo.image_height;
    info->components = cinfo.num_components;
    info->jfif = cinfo.saw_JFIF_marker;
    info->adobe = cinfo.saw_Adobe_marker;
    if (out == NULL) { jpeg_destroy_decompress(&cinfo); return 0; }
    if (cinfo.num_components != 1 && cinfo.num_components != 3) {
        snprintf(message, message_size, "JPEG with %d components (CMYK?) is not supported", cinfo.num_components);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    if (force_rgb && cinfo.num_components == 3) cinfo.jpeg_color_space = JCS_RGB;
    cinfo.out_color_space = out_components == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * (size_t)out_components;
    if ((size_t)cinfo.output_components != (size_t)out_components || stride * cinfo.output_height > out_size) {
        snprintf(message, message_size, "JPEG of %u x %u does not fit the %zu-byte buffer", cinfo.output_width, cinfo.output_height, out_size);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out + (size_t)cinfo.output_scanline * stride;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}
