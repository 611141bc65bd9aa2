// The smallest C layer over libjpeg-turbo that Swift needs: libjpeg reports fatal errors through
// error_exit, which must not return (the library uses setjmp/longjmp), and Swift cannot call
// setjmp. Each function below installs an error_exit that longjmps back into it and returns a
// status code with libjpeg's message instead.
#ifndef CJPEG_SHIM_H
#define CJPEG_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What a decode or header read found, and libjpeg's message on failure.
typedef struct {
    int width;
    int height;
    /// 1 (grayscale) or 3 (RGB; CMYK/YCCK files are converted to RGB).
    int channels;
    /// libjpeg's last message (empty on success without warnings).
    char message[200];
} cjpeg_info;

/// Reads the header of the JPEG in `data[0..<size]`: size and channel count. 0 on success,
/// -1 on a fatal libjpeg error (message in info->message).
int cjpeg_read_header(const unsigned char *data, size_t size, cjpeg_info *info);

/// Decodes the JPEG in `data[0..<size]` to 8-bit interleaved samples (`H·W·C`, row-major).
/// On success returns 0 and `*pixels` is a malloc'd buffer the caller frees with cjpeg_free.
/// Returns -1 on a fatal error, -2 when libjpeg warned about corrupt data (e.g. a truncated file,
/// which libjpeg would otherwise fill with grey); `*pixels` is NULL then.
int cjpeg_decode(const unsigned char *data, size_t size, unsigned char **pixels, cjpeg_info *info);

/// Encodes 8-bit interleaved samples (`H·W·C`, C = 1 or 3) at `quality` (1–100, 4:2:0 chroma
/// subsampling, libjpeg's defaults). On success returns 0 and `*out`/`*out_size` hold a malloc'd
/// buffer the caller frees with cjpeg_free; -1 on error (message in `message`, 200 bytes).
int cjpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                 unsigned char **out, unsigned long *out_size, char *message);

/// Frees a buffer returned by cjpeg_decode or cjpeg_encode.
void cjpeg_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
