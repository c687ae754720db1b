// A module loaded on first use, once: every caller shares one import() promise. Node's ESM loader
// can fail to link a graph that two import() calls load at the same moment (nodejs/node#59366),
// which concurrent builds in one process would otherwise do.
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
}
