/* test-host-copy.c: vl_host_copy_rows against a byte-by-byte copy:
 * contiguous copies split at the destination's 2 MiB boundaries (at every
 * misalignment and across several boundaries), strided rows, destinations
 * already in memory (streaming stores) and freshly mapped ones (cached
 * stores), and the bytes around the destination left alone. */
#include <glib.h>
#include <string.h>
#include <sys/mman.h>

#include "vl-host-copy.h"

#define MIB ((gsize) 1 << 20)
#define GUARD 64

static void
fill_pattern (guint8 *p, gsize bytes, guint32 seed)
{
  for (gsize i = 0; i < bytes; i++)
    {
      seed = seed * 1664525u + 1013904223u;
      p[i] = (guint8) (seed >> 24);
    }
}

/* Copies @rows rows of @row_bytes from a src of @src_stride into @dst
 * (with @dst_stride, at @offset) and checks every byte of the destination
 * region and its guards. */
static void
check_copy (guint8 *dst_base, gsize offset, gsize dst_stride, gsize src_stride,
            gsize rows, gsize row_bytes)
{
  gsize src_bytes = (rows - 1) * src_stride + row_bytes;
  gsize dst_bytes = (rows - 1) * dst_stride + row_bytes;
  g_autofree guint8 *src = g_malloc (src_bytes);
  g_autofree guint8 *want = g_malloc (dst_bytes + 2 * GUARD);
  guint8 *dst = dst_base + offset;

  fill_pattern (src, src_bytes, (guint32) (offset + rows));
  memcpy (want, dst - GUARD, dst_bytes + 2 * GUARD);
  for (gsize r = 0; r < rows; r++)
    memcpy (want + GUARD + r * dst_stride, src + r * src_stride, row_bytes);
  vl_host_copy_rows (src, src_stride, dst, dst_stride, rows, row_bytes);
  g_assert_true (memcmp (dst - GUARD, want, dst_bytes + 2 * GUARD) == 0);
}

static void
test_contiguous_in_memory (void)
{
  gsize size = 9 * MIB;
  guint8 *base = g_malloc (size);

  memset (base, 0xa5, size);
  for (gsize offset = GUARD; offset < GUARD + 80; offset += 7)
    {
      /* Less than a page, about one piece, several pieces. */
      check_copy (base, offset, 100, 100, 17, 100);
      check_copy (base, offset, 3072, 3072, 700, 3072);
      check_copy (base, offset, 3072, 3072, 2500, 3072);
    }
  g_free (base);
}

static void
test_contiguous_fresh (void)
{
  gsize size = 16 * MIB;

  for (gsize offset = GUARD; offset < 4 * MIB; offset += MIB + 4100)
    {
      guint8 *base = mmap (NULL, size, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

      g_assert_true (base != MAP_FAILED);
      /* Only the guards are touched: the rest is faulted in by the copy. */
      memset (base + offset - GUARD, 0x5a, GUARD);
      check_copy (base, offset, 1536, 1536, 7000, 1536);
      munmap (base, size);
    }
}

static void
test_strided (void)
{
  gsize size = 8 * MIB;
  guint8 *base = g_malloc0 (size);

  check_copy (base, GUARD, 4000, 3072, 1000, 3072);
  check_copy (base, GUARD + 3, 3100, 5000, 999, 3000);
  check_copy (base, GUARD, 24, 16, 5000, 12);
  g_free (base);
}

int
main (int argc, char **argv)
{
  /* Several workers even on a one-core machine. */
  g_setenv ("VL_NUM_THREADS", "8", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vectorlab/host-copy/contiguous",
                   test_contiguous_in_memory);
  g_test_add_func ("/vectorlab/host-copy/fresh", test_contiguous_fresh);
  g_test_add_func ("/vectorlab/host-copy/strided", test_strided);
  return g_test_run ();
}
