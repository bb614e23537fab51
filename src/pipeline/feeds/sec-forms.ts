// SEC form types as configured and as found in the feed. Since the December 2024 structured
// beneficial-ownership rules the feed spells `SCHEDULE 13D` what used to be `SC 13D`; a user may
// configure either, so both compare equal.

export function canonicalForm(form: string): string {
  const f = form.trim().replace(/\s+/g, ' ').toUpperCase();
  return f.replace(/^SC (13[DG](?:\/A)?)$/, 'SCHEDULE $1');
}

/** Insider Forms 3, 4 and 5 (and amendments): what `owner=exclude` hides and `owner=only` keeps. */
export function isInsiderForm(form: string): boolean {
  return /^[345](\/A)?$/.test(canonicalForm(form));
}

export function formMatcher(forms: readonly string[] | undefined): (form: string) => boolean {
  if (!forms || forms.length === 0) return () => true;
  const wanted = new Set(forms.map(canonicalForm));
  return (form) => wanted.has(canonicalForm(form));
}
