/**
 * The short repository name Docker shows ("busybox" for
 * docker.io/library/busybox:latest), without tag or digest; input that does
 * not look like a reference comes back unchanged.
 */
export function familiarName(image: string): string {
  if (image === '' || /^sha256:/.test(image) || /^[a-f0-9]{64}$/.test(image)) return image;
  let name = image;
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) name = name.slice(0, colon);
  if (name.startsWith('docker.io/')) name = name.slice('docker.io/'.length);
  else if (name.startsWith('index.docker.io/')) name = name.slice('index.docker.io/'.length);
  if (name.startsWith('library/') && name.split('/').length === 2) name = name.slice('library/'.length);
  return name;
}
