/** The Vary header, shared by the plugins that each add a request header a response depends on. */

/** Adds `name` to the response's Vary, keeping what other plugins (CORS: Origin) put there. */
export function addVary(headers: Headers, name: string): void {
  const vary = headers.get('vary');
  if (!vary) headers.set('vary', name);
  else if (!vary.toLowerCase().split(',').some((v) => v.trim() === name.toLowerCase())) headers.set('vary', `${vary}, ${name}`);
}
