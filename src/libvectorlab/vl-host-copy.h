/* vl-host-copy.h: the host side of transfers through pinned staging: big
 * copies between host matrices on all the host's threads. */
#pragma once

#include <stddef.h>

/* Copies @rows rows of @row_bytes between strided host matrices.  Cached
 * or streaming stores as suits the destination: streaming where its pages
 * are already in memory, cached where a first touch faults them in. */
void vl_host_copy_rows (const void *src, size_t src_stride, void *dst,
                        size_t dst_stride, size_t rows, size_t row_bytes);
