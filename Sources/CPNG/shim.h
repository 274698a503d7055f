#include <png.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
/* libpng reports errors by longjmp, which Swift cannot catch: every call that may fail goes through
   a helper here that sets the jump point in its own frame and returns -1 with the message kept. */
typedef struct {
    png_structp png;
    png_infop info;
    FILE *fp;
    char message[256];
    uint32_t width, height;
    int channels;    /* after transforms: 1 gray, 2 gray+alpha, 3 rgb, 4 rgba */
    int interlaced;
    int color_type;  /* as stored: PNG_COLOR_TYPE_GRAY, _GRAY_ALPHA, _PALETTE, _RGB, _RGB_ALPHA */
    int stored_bits; /* bits per pixel as stored (bit depth x stored samples), to bound the compressed data */
} cpng_stream;

static inline void cpng_on_error(png_structp png, png_const_charp msg) {
    cpng_stream *s = (cpng_stream *)png_get_error_ptr(png);
    if (s) snprintf(s->message, sizeof s->message, "%s", msg);
    png_longjmp(png, 1);
}
static inline void cpng_on_warning(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

/* Opens a PNG for row-by-row reading, normalised to 8 bits per sample. Returns 0 or -1 (message set). */
static inline int cpng_read_open(cpng_stream *s, const char *path) {
    memset(s, 0, sizeof *s);
    s->fp = fopen(path, "rb");
    if (!s->fp) { snprintf(s->message, sizeof s->message, "cannot open file"); return -1; }
    unsigned char sig[8];
    if (fread(sig, 1, 8, s->fp) != 8 || png_sig_cmp(sig, 0, 8) != 0) {
        snprintf(s->message, sizeof s->message, "not a PNG file (bad signature)"); return -1;
    }
    s->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, s, cpng_on_error, cpng_on_warning);
    if (!s->png) { snprintf(s->message, sizeof s->message, "out of memory"); return -1; }
    s->info = png_create_info_struct(s->png);
    if (!s->info) { snprintf(s->message, sizeof s->message, "out of memory"); return -1; }
    if (setjmp(png_jmpbuf(s->png))) return -1;
    png_set_user_limits(s->png, 0x7fffffff, 0x7fffffff);
    /* Text, ICC, Exif and other metadata chunks are skipped unread: libpng would allocate their
       declared length first (a damaged tEXt length costs gigabytes; its size check only warns). */
    static const png_byte ignored[] = "tEXt\0zTXt\0iTXt\0iCCP\0eXIf\0sPLT\0pCAL\0sCAL\0";
    png_set_keep_unknown_chunks(s->png, PNG_HANDLE_CHUNK_NEVER, ignored, (int)(sizeof ignored / 5));
    png_init_io(s->png, s->fp);
    png_set_sig_bytes(s->png, 8);
    png_read_info(s->png, s->info);
    s->color_type = png_get_color_type(s->png, s->info);
    s->stored_bits = png_get_bit_depth(s->png, s->info) * png_get_channels(s->png, s->info);
    png_set_expand(s->png);
    png_set_strip_16(s->png);
    png_set_packing(s->png);
    s->interlaced = png_set_interlace_handling(s->png) > 1;
    png_read_update_info(s->png, s->info);
    s->width = png_get_image_width(s->png, s->info);
    s->height = png_get_image_height(s->png, s->info);
    s->channels = png_get_channels(s->png, s->info);
    return 0;
}
/* Reads the next row (width * channels bytes). Non-interlaced images only. */
static inline int cpng_read_row(cpng_stream *s, unsigned char *row) {
    if (setjmp(png_jmpbuf(s->png))) return -1;
    png_read_row(s->png, row, NULL);
    return 0;
}
/* Reads the whole image into `rows` (height row pointers): the only way for interlaced PNGs. */
static inline int cpng_read_all(cpng_stream *s, unsigned char **rows) {
    if (setjmp(png_jmpbuf(s->png))) return -1;
    png_read_image(s->png, rows);
    return 0;
}
/* Opens a PNG for row-by-row writing: 8-bit gray (1), gray+alpha (2), RGB (3) or RGBA (4). */
static inline int cpng_write_open(cpng_stream *s, const char *path, uint32_t width, uint32_t height, int channels, int level) {
    memset(s, 0, sizeof *s);
    s->fp = fopen(path, "wb");
    if (!s->fp) { snprintf(s->message, sizeof s->message, "cannot create file"); return -1; }
    s->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, s, cpng_on_error, cpng_on_warning);
    if (!s->png) { snprintf(s->message, sizeof s->message, "out of memory"); return -1; }
    s->info = png_create_info_struct(s->png);
    if (!s->info) { snprintf(s->message, sizeof s->message, "out of memory"); return -1; }
    if (setjmp(png_jmpbuf(s->png))) return -1;
    png_init_io(s->png, s->fp);
    int type = channels == 1 ? PNG_COLOR_TYPE_GRAY : channels == 2 ? PNG_COLOR_TYPE_GRAY_ALPHA
             : channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
    png_set_IHDR(s->png, s->info, width, height, 8, type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(s->png, level);
    png_write_info(s->png, s->info);
    s->width = width; s->height = height; s->channels = channels;
    return 0;
}
static inline int cpng_write_row(cpng_stream *s, const unsigned char *row) {
    if (setjmp(png_jmpbuf(s->png))) return -1;
    png_write_row(s->png, (png_const_bytep)row);
    return 0;
}
static inline int cpng_write_end(cpng_stream *s) {
    if (setjmp(png_jmpbuf(s->png))) return -1;
    png_write_end(s->png, NULL);
    if (fflush(s->fp) != 0) { snprintf(s->message, sizeof s->message, "write failed (disk full?)"); return -1; }
    return 0;
}
/* Releases everything; safe after any failure. */
static inline void cpng_close(cpng_stream *s, int writing) {
    if (s->png) {
        if (writing) png_destroy_write_struct(&s->png, &s->info);
        else png_destroy_read_struct(&s->png, &s->info, NULL);
    }
    if (s->fp) fclose(s->fp);
    s->png = NULL; s->info = NULL; s->fp = NULL;
}
