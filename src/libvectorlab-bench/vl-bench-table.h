/* vl-bench-table.h: scaling tables in the founding documents' form
 * (Count | Time (ms) | Throughput, and per-item latency), one table per
 * group of results that differ only in the swept count parameter. */
#pragma once

#include "vl-bench-report.h"

G_BEGIN_DECLS

/* The tables of @report as text for a terminal, newline-terminated. */
char *vl_bench_report_format_tables (VlBenchReport *report);

G_END_DECLS
