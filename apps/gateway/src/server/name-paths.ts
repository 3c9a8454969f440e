/**
 * Image names contain slashes (`localhost:5000/a/b:tag`) and route parameters
 * do not. Before routing, the name in a per-image path becomes one path
 * segment (its slashes as %2F, which the router decodes back into the
 * parameter), so the routes are declared as `/images/:name/json` and the like.
 * As dockerd's `{name:.*}`, the name is everything between the prefix and the
 * endpoint's suffix; for DELETE, everything after `/images/`.
 */
const IMAGE_ENDPOINT = /^\/images\/(.+)\/(json|history|get|push|tag)$/;
const IMAGE_DELETE = /^\/images\/(.+)$/;
const DISTRIBUTION_ENDPOINT = /^\/distribution\/(.+)\/json$/;

function oneSegment(name: string): string {
  return name.replace(/\//g, '%2F');
}

/** The URL with the image name of a per-image path escaped to one segment; any other URL as it is. */
export function escapeNamePath(method: string, url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!path.includes('/', 1) || !/^\/(images|distribution)\//.test(path)) return url;
  const query = q === -1 ? '' : url.slice(q);
  let m: RegExpExecArray | null;
  if (method === 'DELETE' && (m = IMAGE_DELETE.exec(path))) return `/images/${oneSegment(m[1])}${query}`;
  if ((m = IMAGE_ENDPOINT.exec(path))) return `/images/${oneSegment(m[1])}/${m[2]}${query}`;
  if ((m = DISTRIBUTION_ENDPOINT.exec(path))) return `/distribution/${oneSegment(m[1])}/json${query}`;
  return url;
}
