/** One thing wrong with a request, in the shape provider error envelopes list them. */
export interface Problem {
  /** Stable machine code, e.g. `missing_parameter`, `invalid_body`. */
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  /** Where the problem is: a JSON pointer into the body, or a parameter name. */
  readonly source?: { readonly pointer?: string; readonly parameter?: string };
}
