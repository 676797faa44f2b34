/* pool.cl: masked mean and attention pooling of token embeddings.
 *
 * tokens is [batch, seq, d] stored as batch * seq rows of ldt floats; mask
 * holds batch * seq bytes (1 = real token, 0 = padding); out is batch rows of
 * ldo floats.
 *   pool_logits:   logit[t] = tokens[t] . w (one work-group of WG per token;
 *                  items stride over d, a local tree sums).
 *   pool_softmax:  weight[t] = softmax over the unmasked tokens of its
 *                  sequence (one work-group of WG per sequence); logits NULL
 *                  means equal logits, i.e. mean pooling.  Masked tokens get
 *                  weight 0, so an all-masked sequence pools to 0.
 *   pool_weighted: out[b][c] = sum_t weight[b * seq + t] * tokens[b * seq + t][c]
 *                  (one item per output element, dim 0 columns: coalesced).
 * Accumulation is fp32.
 * Tunables: -DWG (work-group size of the reductions, a power of two).
 */
__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
pool_logits (const __global float *tokens, uint ldt, uint d,
             const __global float *w, __global float *logits)
{
  __local float part[WG];
  const uint lid = get_local_id (0);
  const size_t t = get_group_id (0);
  float s = 0.0f;

  for (uint c = lid; c < d; c += WG)
    s = fma (tokens[t * ldt + c], w[c], s);
  part[lid] = s;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (uint h = WG / 2; h > 0; h /= 2)
    {
      if (lid < h)
        part[lid] += part[lid + h];
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  if (lid == 0)
    logits[t] = part[0];
}

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
pool_softmax (const __global float *logits, const __global uchar *mask,
              uint seq, __global float *weights)
{
  __local float part[WG];
  const uint lid = get_local_id (0);
  const size_t base = (size_t) get_group_id (0) * seq;
  float m = -INFINITY, s = 0.0f, top, total;

  for (uint t = lid; t < seq; t += WG)
    if (mask[base + t])
      m = fmax (m, logits != 0 ? logits[base + t] : 0.0f);
  part[lid] = m;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (uint h = WG / 2; h > 0; h /= 2)
    {
      if (lid < h)
        part[lid] = fmax (part[lid], part[lid + h]);
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  top = part[0];
  barrier (CLK_LOCAL_MEM_FENCE);

  for (uint t = lid; t < seq; t += WG)
    if (mask[base + t])
      s += exp ((logits != 0 ? logits[base + t] : 0.0f) - top);
  part[lid] = s;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (uint h = WG / 2; h > 0; h /= 2)
    {
      if (lid < h)
        part[lid] += part[lid + h];
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  total = part[0];

  /* total >= 1 whenever a token is unmasked (its max term is exp (0)). */
  for (uint t = lid; t < seq; t += WG)
    weights[base + t] = mask[base + t]
                        ? exp ((logits != 0 ? logits[base + t] : 0.0f) - top) / total
                        : 0.0f;
}

__kernel void
pool_weighted (const __global float *tokens, uint ldt, uint d, uint seq,
               uint batch, const __global float *weights,
               __global float *out, uint ldo)
{
  const uint c = get_global_id (0);
  const size_t b = get_global_id (1);
  float s = 0.0f;

  if (c >= d || b >= batch)
    return;
  for (uint t = 0; t < seq; t++)
    {
      float wt = weights[b * seq + t];

      if (wt != 0.0f)
        s = fma (wt, tokens[(b * seq + t) * ldt + c], s);
    }
  out[b * ldo + c] = s;
}
