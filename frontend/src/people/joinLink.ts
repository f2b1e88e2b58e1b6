// The link an invitation is sent as.

/** The page an invitation link opens: the web app's own /join, never an API URL. */
export function joinLink(token: string, origin: string = window.location.origin): string {
  return `${origin}/join?invitation=${encodeURIComponent(token)}`;
}
