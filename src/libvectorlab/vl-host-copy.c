/* vl-host-copy.c: see vl-host-copy.h. */
#include "vl-host-copy.h"

#include "cpu/vl-cpu-threads.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Rows a host thread copies at least, in bytes, where rows are strided. */
#define COPY_GRAIN_BYTES ((size_t) 1 << 20)
/* Contiguous copies go in pieces that end on the destination's 2 MiB
 * boundaries: a transparent huge page, which the kernel faults in and
 * zeroes as one, so no two threads wait on each other's fault. */
#define COPY_PIECE_BYTES ((size_t) 2 << 20)

/* Whether @dst's page is yet to be faulted in (and zeroed) by a first
 * touch. */
static bool
not_faulted_in (const void *dst)
{
  const uintptr_t page = 4096;
  unsigned char resident = 1;

  /* A failed check keeps the streaming stores. */
  return mincore ((void *) ((uintptr_t) dst & ~(page - 1)), 1, &resident) == 0
         && !(resident & 1);
}

/* memcpy of staged rows, which are far larger than the caches.  With SSE2
 * and @streaming the stores bypass the caches: a cached store first reads
 * the line it writes, a third of a copy's memory traffic, on a host whose
 * memory also carries the DMA (the copies bound the streamed ops).
 * Callers pass !@streaming for pages not yet faulted in: the fault has
 * just zeroed them into the cache, where cached stores find them, while
 * streaming stores would first have the zeroed lines written back (on the
 * H200's host, 300 MB into new memory: 8.7 ms against 12 over 16
 * threads). */
static void
copy_bytes (char *dst, const char *src, size_t bytes, bool streaming)
{
#ifdef __SSE2__
  size_t head = (16 - ((uintptr_t) dst & 15)) & 15;

  if (!streaming)
    {
      memcpy (dst, src, bytes);
      return;
    }
  if (head > bytes)
    head = bytes;
  memcpy (dst, src, head);
  dst += head;
  src += head;
  bytes -= head;
  for (; bytes >= 64; bytes -= 64, dst += 64, src += 64)
    {
      __m128i a = _mm_loadu_si128 ((const __m128i *) src);
      __m128i b = _mm_loadu_si128 ((const __m128i *) (src + 16));
      __m128i c = _mm_loadu_si128 ((const __m128i *) (src + 32));
      __m128i d = _mm_loadu_si128 ((const __m128i *) (src + 48));

      _mm_stream_si128 ((__m128i *) dst, a);
      _mm_stream_si128 ((__m128i *) (dst + 16), b);
      _mm_stream_si128 ((__m128i *) (dst + 32), c);
      _mm_stream_si128 ((__m128i *) (dst + 48), d);
    }
#else
  (void) streaming;
#endif
  memcpy (dst, src, bytes);
}

/* Streaming stores are weakly ordered: done before the caller reads. */
static void
end_streaming (void)
{
#ifdef __SSE2__
  _mm_sfence ();
#endif
}

typedef struct
{
  const char   *src;
  size_t        src_stride;
  char         *dst;
  size_t        dst_stride;
  size_t        row_bytes;
  size_t        bytes;       /* contiguous: all of them */
  size_t        pieces;      /* contiguous: COPY_PIECE_BYTES pieces */
  atomic_size_t next_piece;  /* contiguous: the first one nobody took */
} CopyRows;

static void
copy_strided_rows (size_t begin, size_t end, unsigned worker, void *data)
{
  const CopyRows *c = data;
  bool streaming = begin < end
                   && !not_faulted_in (c->dst + begin * c->dst_stride);

  (void) worker;
  for (size_t r = begin; r < end; r++)
    copy_bytes (c->dst + r * c->dst_stride, c->src + r * c->src_stride,
                c->row_bytes, streaming);
  end_streaming ();
}

/* Piece p spans from the destination's p-th 2 MiB boundary after its start
 * (its start for p = 0) to the next one. */
static size_t
piece_offset (const CopyRows *c, size_t p)
{
  uintptr_t first = ((uintptr_t) c->dst + COPY_PIECE_BYTES)
                    & ~(COPY_PIECE_BYTES - 1);
  size_t offset = p == 0 ? 0 : first - (uintptr_t) c->dst
                               + (p - 1) * COPY_PIECE_BYTES;

  return offset < c->bytes ? offset : c->bytes;
}

/* Each worker takes the next piece until none is left: a slow fault holds
 * up one piece, not a fixed share of them. */
static void
copy_pieces (size_t begin, size_t end, unsigned worker, void *data)
{
  CopyRows *c = data;
  size_t p;

  (void) begin;
  (void) end;
  (void) worker;
  while ((p = atomic_fetch_add (&c->next_piece, 1)) < c->pieces)
    {
      size_t from = piece_offset (c, p), to = piece_offset (c, p + 1);

      copy_bytes (c->dst + from, c->src + from, to - from,
                  !not_faulted_in (c->dst + from));
    }
  end_streaming ();
}

void
vl_host_copy_rows (const void *src, size_t src_stride, void *dst,
                   size_t dst_stride, size_t rows, size_t row_bytes)
{
  CopyRows c = { src, src_stride, dst, dst_stride, row_bytes, 0, 0, 0 };

  if (src_stride == row_bytes && dst_stride == row_bytes)
    {
      c.bytes = rows * row_bytes;
      c.pieces = 1;
      while (piece_offset (&c, c.pieces) < c.bytes)
        c.pieces++;
      vl_cpu_parallel_for (vl_cpu_workers_for (c.pieces, 1), 1, copy_pieces,
                           &c);
    }
  else
    {
      size_t grain = COPY_GRAIN_BYTES / row_bytes;

      vl_cpu_parallel_for (rows, grain > 0 ? grain : 1, copy_strided_rows,
                           &c);
    }
}
