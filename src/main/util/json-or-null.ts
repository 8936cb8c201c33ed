/**
 * `text` read as JSON, or null when it is not: for what arrives from the network or Redis, which may
 * be anything. Its schema then refuses the null with the rest of what it does not take.
 */
export function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
