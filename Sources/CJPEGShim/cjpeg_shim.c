#include "cjpeg_shim.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

/// libjpeg's error manager extended with the jump target and a copy of the last message.
typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[200];
    int warnings;
} shim_error;

static void shim_error_exit(j_common_ptr cinfo) {
    shim_error *err = (shim_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

/// Warnings (level -1) are counted and their text kept; trace messages are ignored.
static void shim_emit_message(j_common_ptr cinfo, int level) {
    shim_error *err = (shim_error *)cinfo->err;
    if (level < 0) {
        err->warnings += 1;
        if (err->warnings == 1) (*cinfo->err->format_message)(cinfo, err->message);
    }
}

static void shim_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void shim_install(struct jpeg_error_mgr **slot, shim_error *err) {
    *slot = jpeg_std_error(&err->base);
    err->base.error_exit = shim_error_exit;
    err->base.emit_message = shim_emit_message;
    err->base.output_message = shim_output_message;
    err->message[0] = 0;
    err->warnings = 0;
}

static void copy_message(char *dst, const char *src) {
    strncpy(dst, src, 199);
    dst[199] = 0;
}

int cjpeg_read_header(const unsigned char *data, size_t size, cjpeg_info *info) {
    struct jpeg_decompress_struct cinfo;
    shim_error err;
    memset(info, 0, sizeof(*info));
    shim_install(&cinfo.err, &err);
    if (setjmp(err.jump)) {
        copy_message(info->message, err.message);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    info->width = (int)cinfo.image_width;
    info->height = (int)cinfo.image_height;
    info->channels = cinfo.num_components == 1 ? 1 : 3;
    copy_message(info->message, err.message);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

int cjpeg_decode(const unsigned char *data, size_t size, unsigned char **pixels, cjpeg_info *info) {
    struct jpeg_decompress_struct cinfo;
    shim_error err;
    /* volatile: modified between setjmp and a possible longjmp. */
    unsigned char *volatile buffer = NULL;
    unsigned char *volatile row = NULL;
    memset(info, 0, sizeof(*info));
    *pixels = NULL;
    shim_install(&cinfo.err, &err);
    if (setjmp(err.jump)) {
        copy_message(info->message, err.message);
        jpeg_destroy_decompress(&cinfo);
        free(buffer);
        free(row);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cinfo.num_components == 1) {
        cinfo.out_color_space = JCS_GRAYSCALE;
    } else if (cmyk) {
        cinfo.out_color_space = JCS_CMYK;
    } else {
        cinfo.out_color_space = JCS_RGB;
    }
    jpeg_start_decompress(&cinfo);
    const int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
    const int inC = cinfo.output_components, outC = cinfo.num_components == 1 ? 1 : 3;
    buffer = (unsigned char *)malloc((size_t)w * (size_t)h * (size_t)outC);
    row = (unsigned char *)malloc((size_t)w * (size_t)inC);
    if (buffer == NULL || row == NULL) {
        strcpy(err.message, "out of memory");
        longjmp(err.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        const int y = (int)cinfo.output_scanline;
        JSAMPROW rows[1] = { row };
        jpeg_read_scanlines(&cinfo, rows, 1);
        unsigned char *dst = buffer + (size_t)y * (size_t)w * (size_t)outC;
        if (cmyk) {
            /* Adobe-style (inverted) CMYK, as Photoshop writes it: R = C·K/255, … */
            for (int x = 0; x < w; x++) {
                const unsigned char *p = row + 4 * x;
                const int k = p[3];
                dst[3 * x + 0] = (unsigned char)((p[0] * k + 127) / 255);
                dst[3 * x + 1] = (unsigned char)((p[1] * k + 127) / 255);
                dst[3 * x + 2] = (unsigned char)((p[2] * k + 127) / 255);
            }
        } else {
            memcpy(dst, row, (size_t)w * (size_t)outC);
        }
    }
    jpeg_finish_decompress(&cinfo);
    info->width = w;
    info->height = h;
    info->channels = outC;
    copy_message(info->message, err.message);
    const int warned = err.warnings > 0;
    jpeg_destroy_decompress(&cinfo);
    free(row);
    if (warned) {
        free(buffer);
        return -2;
    }
    *pixels = buffer;
    return 0;
}

int cjpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                 unsigned char **out, unsigned long *out_size, char *message) {
    struct jpeg_compress_struct cinfo;
    shim_error err;
    *out = NULL;
    *out_size = 0;
    message[0] = 0;
    shim_install(&cinfo.err, &err);
    if (setjmp(err.jump)) {
        copy_message(message, err.message);
        jpeg_destroy_compress(&cinfo);
        free(*out);
        *out = NULL;
        *out_size = 0;
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, out, out_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW rows[1] = { (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * (size_t)width * (size_t)channels) };
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return 0;
}

void cjpeg_free(void *pointer) { free(pointer); }
