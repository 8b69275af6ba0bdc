/**
 * What the control plane oracle (oracle/controlplane) answers for one object, or for the pod a
 * template makes: read by `npm run verify` and by the differential tests.
 */
export interface OracleVerdict {
  accepted: boolean;
  /** The API server's status reason (Invalid, Forbidden, ...), when refused. */
  reason?: string;
  message?: string;
  /** Each cause of a refusal, with the field it names. */
  causes?: { field?: string; message: string }[];
  /** Warnings the API server returned with an accepted object. */
  warnings?: string[];
}
