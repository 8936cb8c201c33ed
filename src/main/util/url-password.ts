/**
 * Whether a URL carries a password: in its user part, or as `?password=` (ioredis reads that too).
 * A password in a URL is seen by every account on the Mac (\`ps\` shows a command's arguments) and is
 * kept wherever the URL is: it belongs in the environment or the keychain.
 */
export function carriesPassword(url: URL): boolean {
  return url.password !== '' || [...url.searchParams.keys()].some((key) => key.toLowerCase() === 'password');
}
